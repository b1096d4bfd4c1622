"""CSV answers for list and history routes (``Accept: text/csv``): the same rows as the JSON ``items``, nested
fields flattened into named columns. Reusable by any route: ``if wants_csv(request): return csv_response(rows)``.

Flattening: ``{"a": {"b": 1}}`` gives column ``a_b``; the keys under ``pillars`` lose the prefix (``brand``,
``people``, ...); a rank becomes ``rank_<cohort>`` (its percentile, empty when withheld); ``bins`` become
``bin_<from>_<to>`` (the count); other lists are written as JSON text. None is an empty cell. Text cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a
leading ``'`` (OWASP's advice against CSV injection); numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import Response

CSV = "text/csv"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _accepted(header: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if kind:
            out[kind] = max(out.get(kind, 0.0), q)
    return out


def wants_csv(request: Request) -> bool:
    """True when the Accept header prefers text/csv to JSON (JSON wins ties and ``*/*``)."""
    accepted = _accepted(request.headers.get("accept", ""))
    csv_q = accepted.get(CSV, 0.0)
    json_q = max(accepted.get("application/json", 0.0), accepted.get("*/*", 0.0), accepted.get("application/*", 0.0))
    return csv_q > 0 and csv_q > json_q


def flatten(item: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key == "pillars" and isinstance(value, Mapping):
            out.update(flatten(value, prefix))
        elif key == "ranks" and isinstance(value, Mapping):
            for cohort, rank in value.items():
                if isinstance(rank, Mapping):
                    out[f"{prefix}rank_{cohort}"] = rank.get("percentile")
                else:
                    out[f"{prefix}ranks_{cohort}"] = rank
        elif key == "ranks" and value is None:
            for cohort in ("team", "tenant", "industry"):
                out[f"{prefix}rank_{cohort}"] = None
        elif key == "bins" and isinstance(value, list):
            for b in value:
                out[f"{prefix}bin_{b['from']}_{b['to']}"] = b["reps"]
        elif isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}_"))
        elif isinstance(value, list):
            out[f"{prefix}{key}"] = orjson.dumps(value, default=str).decode()
        else:
            out[f"{prefix}{key}"] = value
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def render(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None) -> str:
    """CSV text with a header line; columns in the order of first appearance unless given."""
    flat = [flatten(r) for r in rows]
    if columns is None:
        columns = []
        for r in flat:
            columns += [c for c in r if c not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for r in flat:
        writer.writerow([_cell(r.get(c)) for c in columns])
    return buffer.getvalue()


def csv_response(rows: Iterable[Mapping[str, Any]], *, next_url: str | None = None,
                 columns: list[str] | None = None) -> Response:
    """The rows as ``text/csv``; a paged list's next page goes in ``Link: <...>; rel="next"``."""
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return Response(render(rows, columns), media_type="text/csv; charset=utf-8", headers=headers)


def next_page_url(request: Request, cursor: str | None) -> str | None:
    """The same request's path and query with ``cursor`` set, for the Link header; None without a cursor."""
    if cursor is None:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", cursor)]
    return f"{request.url.path}?{urlencode(query)}"
