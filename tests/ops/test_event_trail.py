"""Following one event: the request id ingest gives a request (the sender's own X-Request-Id when sane) is
echoed, carried in the Kafka headers, and found in the JSON log lines of ingest, scorer and sink beside the
tenant, rep and event id; a dead letter stores it; and no log line anywhere carries a key or a secret."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from services.ingest.webhooks import standard
from stack import ROOT
from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event
from tests.ops.conftest import Supervised

SERVICE_LOGS = ("ingest", "api", "sink", "scorer", "scorer-2")
WEBHOOK_SECRET = "whsec_" + "dHJhaWwtdGVzdC1zZWNyZXQtb2YtdGhpcnR5LXR3byE="


def log_lines(supervised: Supervised, name: str) -> list[dict]:
    path = supervised.stack.state_dir / f"{name}.log"
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def wait_for_line(supervised: Supervised, names: tuple[str, ...], timeout: float = 60, **fields: str) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in names:
            for line in log_lines(supervised, name):
                if all(line.get(k) == v for k, v in fields.items()):
                    return line
        time.sleep(0.5)
    raise AssertionError(f"no log line of {names} with {fields} within {timeout:.0f}s")


def ssi(supervised: Supervised, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "ssi"), *args], env=supervised.stack.env(), cwd=ROOT,
                            input=stdin, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_one_event_is_followed_by_its_request_id_from_ingest_to_the_sink(supervised: Supervised) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"trail-{os.urandom(4).hex()}", "--json"))
    request_id = f"trail-{uuid.uuid4().hex}"
    event = cloud_event("trail-rep")
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{stack.ingest_url}/v1/events", json=[event],
                                     headers={**bearer(tenant["api_key"]), "X-Request-Id": request_id})
        assert response.status_code == 202, response.text
        assert response.headers["x-request-id"] == request_id
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as api:
            await wait_for_score(api, tenant["api_key"], "trail-rep", 1)
    expected = {"tenant": tenant["tenant_id"], "rep": "trail-rep", "event_id": event["id"], "request_id": request_id}
    accepted = wait_for_line(supervised, ("ingest",), **expected)
    scored = wait_for_line(supervised, ("scorer", "scorer-2"), **expected)
    written = wait_for_line(supervised, ("sink",), **expected)
    assert (accepted["msg"], scored["msg"], written["msg"]) == ("accepted", "scored", "written")
    assert scored["logger"] == "ssi.trail.scorer" and scored["origin"].startswith("ssi.activity")


async def test_an_insane_request_id_is_replaced_and_a_refusal_carries_one_too(supervised: Supervised) -> None:
    async with httpx.AsyncClient(base_url=supervised.stack.ingest_url, timeout=30) as client:
        for sent in ("has spaces in it", "x" * 129, "semi;colon"):
            response = await client.post("/v1/events", json=[], headers={**bearer("nope"), "X-Request-Id": sent})
            assert response.status_code == 401
            got = response.headers["x-request-id"]
            assert got != sent and len(got) == 32 and int(got, 16) >= 0
    async with httpx.AsyncClient(base_url=supervised.stack.api_url, timeout=30) as api:  # the api too
        answer = await api.get("/v1/reps/r/score", headers={**bearer("nope"), "X-Request-Id": "api-1"})
        assert answer.status_code == 401 and answer.headers["x-request-id"] == "api-1"


async def test_a_dead_letter_stores_and_logs_the_request_id(supervised: Supervised) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"trail-dl-{os.urandom(4).hex()}", "--json"))
    request_id = f"dl-{uuid.uuid4().hex}"
    event = cloud_event("trail-dl-rep", "no.such.type")
    async with httpx.AsyncClient(base_url=stack.ingest_url, timeout=30) as client:
        response = await client.post("/v1/events", json=[event],
                                     headers={**bearer(tenant["api_key"]), "X-Request-Id": request_id})
    assert response.status_code == 202, response.text
    line = wait_for_line(supervised, ("scorer", "scorer-2"), request_id=request_id, level="WARNING")
    assert line["event_id"] == event["id"] and line["tenant"] == tenant["tenant_id"] and line["rep"] == "trail-dl-rep"
    deadline = time.monotonic() + 60
    letters: list[dict] = []
    while time.monotonic() < deadline:
        out = ssi(supervised, "deadletter", "list", "--tenant", tenant["tenant_id"])
        letters = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        if letters:
            break
        await asyncio.sleep(1)
    assert [letter["request_id"] for letter in letters] == [request_id], letters


async def test_a_webhook_delivery_is_followed_too_and_no_log_line_carries_a_secret(supervised: Supervised) -> None:
    stack = supervised.stack
    tenant = json.loads(stack.cli("tenant", "create", f"trail-wh-{os.urandom(4).hex()}", "--json"))
    created = json.loads(ssi(supervised, "webhook", "add", tenant["tenant_id"], "standard", "--secret", "-",
                             "--json", stdin=WEBHOOK_SECRET))
    event_id = f"wh-{uuid.uuid4().hex}"
    body = json.dumps({"specversion": "1.0", "id": event_id, "source": "linkedin", "type": "post.published",
                       "subject": "trail-wh-rep", "time": cloud_event("r")["time"]}).encode()
    request_id = f"wh-{uuid.uuid4().hex}"
    msg_id, stamp = f"msg_{uuid.uuid4().hex}", int(time.time())
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "content-type": "application/json",
               "webhook-signature": standard.sign(msg_id, stamp, body, WEBHOOK_SECRET), "x-request-id": request_id}
    wrong_key = "ssi_" + "W" * 43  # a key-shaped secret a sender got wrong
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(created["url"], content=body, headers=headers)
        assert response.status_code == 200, response.text
        assert (await client.post(f"{stack.ingest_url}/v1/events", json=[cloud_event("r")],
                                  headers=bearer(wrong_key))).status_code == 401
        async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as api:
            await wait_for_score(api, tenant["api_key"], "trail-wh-rep", 1)
    wait_for_line(supervised, ("scorer", "scorer-2"), request_id=request_id, event_id=event_id,
                  tenant=tenant["tenant_id"], rep="trail-wh-rep")
    secrets = [tenant["api_key"], WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"), wrong_key,
               created["url"].rsplit("/", 1)[-1]]  # the endpoint id is the URL's secret part
    for name in SERVICE_LOGS:
        text = (stack.state_dir / f"{name}.log").read_text(errors="replace")
        for secret in secrets:
            assert secret not in text, f"{name}.log carries a secret"
        for raw in text.splitlines():  # every line is a JSON object (the structured format, nothing else)
            if raw.strip():
                assert isinstance(json.loads(raw), dict), f"{name}.log: {raw[:200]}"
    assert Path(stack.state_dir / "supervisor.out").read_text().count(tenant["api_key"]) == 0
