"""RFC 9457 problem details: every error a client sees is application/problem+json naming what is wrong."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from shared.http.responses import OrjsonResponse
from shared.http.unavailable import RETRY_AFTER_SECONDS, database_unavailable
from shared.logs import REQUEST_ID
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> OrjsonResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra)
    return OrjsonResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> OrjsonResponse:
        return response_for_problem(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> OrjsonResponse:
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in err.get("loc", ())), "detail": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        return problem_response(400, "Invalid request", "see errors", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> OrjsonResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return problem_response(
            exc.status_code, title, str(exc.detail), instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> OrjsonResponse:
        return response_for_unexpected(request, exc)


def response_for_problem(request: Request, exc: Problem) -> OrjsonResponse:
    return problem_response(exc.status, exc.title, exc.detail, instance=request.url.path, errors=exc.errors,
                            headers=exc.headers, **exc.extra)


def response_for_unexpected(request: Request, exc: Exception) -> OrjsonResponse:
    """503 when the database is away (the client retries), else 500; the error is logged either way. Answered
    by Starlette's outermost middleware, outside RequestId, so the request id (still set) is added here."""
    request_id = REQUEST_ID.get()
    ids = {"X-Request-Id": request_id} if request_id else {}
    if database_unavailable(exc):  # Postgres is away: the client retries (tests/faults)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(503, "Database unavailable", "the database does not answer; retry later",
                                instance=request.url.path,
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS), **ids})
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "Internal error", "the error was logged", instance=request.url.path,
                            headers=ids or None)
