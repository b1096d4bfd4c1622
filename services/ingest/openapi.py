"""The ingest's OpenAPI document: every status code each route answers and the constraints it enforces.

FastAPI documents only the success and a 422 that this service never sends (request errors are 400
problem+json); this module adds the problem responses, the Retry-After header of 503, the CloudEvent schema
with its patterns and extension rules, and the body and batch limits, and drops the 422s.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared.events import CloudEvent
from shared.http.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "one entry per invalid field, at most 100",
            "items": {
                "type": "object",
                "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}}


def problem(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        **extra,
    }


EVENTS_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem("Malformed JSON, or invalid events: `errors` names each field by JSON pointer"),
    401: problem("Missing or unknown API key", headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
    413: problem("Body larger than the body limit, more events than the batch limit, or an event larger than a "
                 "Kafka record may be (1 MiB including the envelope); `detail` names the limit"),
    415: problem("Content-Type is not application/cloudevents+json, application/cloudevents-batch+json or "
                "application/json"),
    429: problem("The tenant is past its events-per-second quota (per ingest process; a batch counts as its "
                 "number of events); nothing was accepted, retry after Retry-After seconds",
                 headers=RETRY_AFTER),
    503: problem("Kafka did not acknowledge in time; nothing was accepted, retry the same request",
                 headers=RETRY_AFTER),
}

WEBHOOK_RESPONSES: dict[tuple[str, str], dict[int | str, dict[str, Any]]] = {
    ("/v1/webhooks/{provider}/{endpoint_id}", "get"): {
        400: problem("A required handshake parameter (crc_token, challengeCode) is missing or malformed"),
        403: problem("Meta: wrong hub.mode or hub.verify_token"),
        404: problem("Unknown sender or webhook endpoint"),
        405: problem("This sender has no GET handshake (standard, hubspot, salesforce)"),
    },
    ("/v1/webhooks/{provider}/{endpoint_id}", "post"): {
        400: problem("The delivery's body is malformed or has the wrong shape"),
        401: problem("Missing or wrong signature, or a signed timestamp outside the replay window"),
        404: problem("Unknown sender or webhook endpoint"),
        413: problem("Body larger than the webhook body limit, or an event larger than a Kafka record may be (1 MiB "
                     "including the envelope); `detail` names the limit"),
        415: problem("Content-Type is not one this sender uses"),
        429: problem("The tenant is past its events-per-second quota (per ingest process); nothing was accepted, "
                     "retry after Retry-After seconds", headers=RETRY_AFTER),
        503: problem("Kafka did not acknowledge in time, or the endpoint's stored secret is unusable; retry",
                     headers=RETRY_AFTER),
    },
    ("/readyz", "get"): {503: problem("A dependency (Kafka, the database) does not answer")},
}


def _request_body(max_body_bytes: int, max_batch: int) -> dict[str, Any]:
    event = {"$ref": "#/components/schemas/CloudEvent"}
    return {
        "required": True,
        "description": f"At most {max_body_bytes} bytes; a batch holds 1 to {max_batch} events. The tenant "
        "comes from the API key, never from the body.",
        "content": {
            "application/cloudevents+json": {"schema": event},
            "application/cloudevents-batch+json": {
                "schema": {"type": "array", "items": event, "minItems": 1, "maxItems": max_batch}
            },
            "application/json": {
                "schema": {"oneOf": [event, {"type": "array", "items": event, "minItems": 1, "maxItems": max_batch}]}
            },
        },
    }


def install(app: FastAPI, *, max_body_bytes: int, max_batch: int, max_webhook_body_bytes: int) -> None:
    """Build the schema once (at start-up) with everything above; /openapi.json serves it as is."""
    schema = app.openapi()
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["CloudEvent"] = CloudEvent.model_json_schema()
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, spec in WEBHOOK_RESPONSES.get((path, method), {}).items():
                responses.setdefault(str(status), spec)
            if path.startswith("/v1/webhooks/"):
                for parameter in operation.get("parameters", []):
                    if parameter["name"] == "endpoint_id":
                        parameter["schema"]["maxLength"] = 64
                if method == "post":
                    operation["description"] = f"The body is at most {max_webhook_body_bytes} bytes."
    schema["paths"]["/v1/events"]["post"]["requestBody"] = _request_body(max_body_bytes, max_batch)
    app.openapi_schema = schema
