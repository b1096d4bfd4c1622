"""X-Request-Id: a sane incoming id is kept, anything else replaced; echoed on every answer; Kafka headers."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from shared.http.problems import Problem, install_problem_handlers
from shared.http.request_id import RequestId, from_kafka_headers, kafka_headers, request_id_from


@pytest.mark.parametrize("sent", [b"abc", b"req-1.2:3_x", b"A" * 128, b"0f" * 16])
def test_a_sane_id_is_kept(sent: bytes) -> None:
    assert request_id_from(sent) == sent.decode()


@pytest.mark.parametrize("sent", [None, b"", b"has space", b"A" * 129, b"semi;colon", b"new\nline", "é".encode(),
                                  b"\xff\xfe"])
def test_anything_else_gets_a_new_id(sent: bytes | None) -> None:
    got = request_id_from(sent)
    assert len(got) == 32 and int(got, 16) >= 0 and got.encode() != sent
    assert request_id_from(sent) != got  # new each time


def test_kafka_headers_round_trip_from_a_list_or_a_mapping() -> None:
    headers = kafka_headers("req-7")
    assert from_kafka_headers(headers) == "req-7"
    assert from_kafka_headers(dict(headers)) == "req-7"
    assert from_kafka_headers([("other", b"x"), *headers]) == "req-7"
    assert from_kafka_headers(None) is None and from_kafka_headers([]) is None
    assert from_kafka_headers([("other", b"x")]) is None


def test_every_answer_echoes_the_id_the_handler_saw() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestId)

    @app.get("/ok")
    async def ok(request: Request) -> dict[str, str]:
        return {"seen": request.state.request_id}

    @app.get("/refused")
    async def refused() -> None:
        raise Problem(400, "Bad", "refused")

    client = TestClient(app)
    answer = client.get("/ok", headers={"X-Request-Id": "mine-1"})
    assert answer.headers["x-request-id"] == "mine-1" and answer.json() == {"seen": "mine-1"}
    generated = client.get("/ok", headers={"X-Request-Id": "not mine"})
    assert generated.headers["x-request-id"] == generated.json()["seen"] != "not mine"
    problem = client.get("/refused", headers={"X-Request-Id": "mine-2"})
    assert problem.status_code == 400 and problem.headers["x-request-id"] == "mine-2"
    assert client.get("/nowhere").headers["x-request-id"]


def test_a_line_logged_while_serving_a_request_carries_its_id() -> None:
    """The api's handlers log without ``extra`` (a database outage, an unhandled error): the line, formatted when
    it is emitted as the services' stderr handler does, still has the request id, and so has the 500; a line
    logged outside any request has none."""
    import json
    import logging

    from shared.logs import JsonFormatter

    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.setFormatter(JsonFormatter())
            self.lines: list[dict] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(json.loads(self.format(record)))

    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(RequestId)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unexpected")

    lines, logger = Lines(), logging.getLogger("shared.http.problems")
    logger.addHandler(lines)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            answer = client.get("/boom", headers={"x-request-id": "req-logged-1"})
        logger.error("outside any request")
    finally:
        logger.removeHandler(lines)
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "req-logged-1"
    assert [(line["msg"], line.get("request_id")) for line in lines.lines] == [
        ("unhandled error on GET /boom", "req-logged-1"), ("outside any request", None)]
