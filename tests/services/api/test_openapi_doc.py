"""The api's OpenAPI document: the read routes of issue 8 carry examples, their CSV answers and their statuses."""

from __future__ import annotations

import pytest

from services.api.app import create_app
from services.api.config import ApiSettings

SCHEMA = create_app(ApiSettings(SSI_ENV="test")).openapi()
EXAMPLED = [("get", "/v1/reps/{rep_id}/score"), ("get", "/v1/reps/{rep_id}/history"), ("get", "/v1/reps"),
            ("get", "/v1/teams"), ("get", "/v1/teams/{team}"), ("get", "/v1/teams/{team}/uplift"),
            ("get", "/v1/targets"), ("put", "/v1/targets"), ("get", "/v1/targets/{team}"), ("put", "/v1/targets/{team}")]
CSV = [("get", "/v1/reps/{rep_id}/history"), ("get", "/v1/reps"), ("get", "/v1/teams"), ("get", "/v1/teams/{team}")]


@pytest.mark.parametrize("method,path", EXAMPLED)
def test_every_read_route_has_an_example_and_its_refusals(method, path) -> None:  # type: ignore[no-untyped-def]
    operation = SCHEMA["paths"][path][method]
    assert operation["responses"]["200"]["content"]["application/json"]["example"]
    assert {"400", "401"} <= set(operation["responses"]) or path == "/v1/targets" and method == "get"
    for code, response in operation["responses"].items():
        if code.startswith("4"):
            assert "application/problem+json" in response["content"], (path, code)


@pytest.mark.parametrize("method,path", CSV)
def test_list_and_history_routes_document_their_csv(method, path) -> None:  # type: ignore[no-untyped-def]
    assert "text/csv" in SCHEMA["paths"][path][method]["responses"]["200"]["content"]


def test_the_target_body_is_documented() -> None:
    body = SCHEMA["paths"]["/v1/targets/{team}"]["put"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/TargetIn"}
    assert "MilestoneIn" in SCHEMA["components"]["schemas"]
