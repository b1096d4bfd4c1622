"""The ingest's hot-route front takes exactly the requests FastAPI would route to the two hot route functions
(and hands every other request to FastAPI), and what FastAPI documents for them is still there."""

from __future__ import annotations

import pytest

from services.ingest import routes, webhook_routes
from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from services.ingest.hot_path import match
from tests.services.routing import fastapi_endpoint

APP = create_app(IngestSettings(SSI_ENV="test"))


@pytest.mark.parametrize("method, path", [
    ("POST", "/v1/events"), ("POST", "/v1/events/"), ("GET", "/v1/events"), ("PUT", "/v1/events"),
    ("POST", "/v1/webhooks/x/abc"), ("POST", "/v1/webhooks/hubspot/ep_1-2"), ("POST", "/v1/webhooks/x/abc/"),
    ("POST", "/v1/webhooks/x"), ("POST", "/v1/webhooks//abc"), ("POST", "/v1/webhooks/x/a/b"),
    ("GET", "/v1/webhooks/x/abc"), ("HEAD", "/v1/webhooks/x/abc"), ("POST", "/v1/webhooks/nosuch/abc"),
    ("POST", "/v1/webhooks/x/a%2Fb"), ("POST", "/metrics"), ("POST", "/v1/eventsx"),
])
def test_the_front_takes_what_fastapi_routes_to_the_hot_routes(method: str, path: str) -> None:
    endpoint, params = fastapi_endpoint(APP, method, path)
    hot = match(method, path)
    if endpoint in (routes.submit_events, webhook_routes.deliver):
        assert hot is not None, (method, path)
        handler, _, args = hot
        assert handler is endpoint and list(args) == list(params.values())
    else:
        assert hot is None, (method, path, endpoint)


def test_the_hot_routes_stay_documented() -> None:
    paths = APP.openapi()["paths"]
    assert "post" in paths["/v1/events"] and "post" in paths["/v1/webhooks/{provider}/{endpoint_id}"]
    assert "413" in paths["/v1/webhooks/{provider}/{endpoint_id}"]["post"]["responses"]
