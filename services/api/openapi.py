"""The api's OpenAPI document, made to say what the routes really answer.

FastAPI documents a 422 for every route with parameters, but validation errors are answered 400
(problem+json, ``shared.http.problems``); every route that needs a key also answers 401. The rep body is read
by hand (after authentication), so its schema is added here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.api.schemas import RepIn, TargetIn

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "pointer": {"type": "string"}, "detail": {"type": "string"}}}},
    },
    "required": ["type", "title", "status"],
}


def _fix(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["RepIn"] = RepIn.model_json_schema(ref_template="#/components/schemas/{model}")
    target_in = TargetIn.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(target_in.pop("$defs", {}))
    components["TargetIn"] = target_in
    components["Problem"] = PROBLEM_SCHEMA
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", {"description": "Invalid parameter (problem+json)"})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    response["content"] = PROBLEM
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _fix(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
