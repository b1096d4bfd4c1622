"""Reading a request body with a size cap, streaming: a body over the cap is refused before it is all read."""

from __future__ import annotations

from fastapi import Request

from shared.http.problems import Problem


async def read_capped_body(request: Request, limit: int) -> bytes:
    """The raw body, or a 413 problem as soon as the declared length or the bytes received pass ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(413, "Body too large", f"at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "Body too large", f"at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
