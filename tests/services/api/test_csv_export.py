"""CSV rendering: nested fields as named columns, the Accept negotiation, no formula cells."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request

from services.api.csv_export import flatten, render, wants_csv


def request(accept: str | None) -> Request:
    headers = [(b"accept", accept.encode())] if accept is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


def test_a_rep_item_flattens_into_the_named_columns() -> None:
    item = {"rep_id": "r", "total": 50.5, "pillars": {"brand": 1.0, "people": 2.0, "insights": 3.0, "relationships": 4.0},
            "ranks": {"team": {"percentile": 90.0, "withheld": None}, "tenant": {"percentile": None, "withheld": "small"},
                      "industry": {"percentile": 35.0, "withheld": None}, "as_of": "t"},
            "target": {"next": {"score": 70, "by": "2027-06-01"}, "status": "on_track", "projected_date": None}}
    assert flatten(item) == {
        "rep_id": "r", "total": 50.5, "brand": 1.0, "people": 2.0, "insights": 3.0, "relationships": 4.0,
        "rank_team": 90.0, "rank_tenant": None, "rank_industry": 35.0, "ranks_as_of": "t",
        "target_next_score": 70, "target_next_by": "2027-06-01", "target_status": "on_track",
        "target_projected_date": None,
    }
    unscored = flatten({"rep_id": "u", "total": None, "pillars": None, "ranks": None})
    assert unscored["rank_team"] is None and "pillars" in unscored


def test_rows_keep_their_order_and_formula_like_text_is_defused() -> None:
    text = render([{"name": "=HYPERLINK(1)", "n": -1.5}, {"name": "@x", "n": None, "extra": True}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "n", "extra"], ["'=HYPERLINK(1)", "-1.5", ""], ["'@x", "", "true"]]


def test_csv_only_when_preferred_to_json() -> None:
    assert wants_csv(request("text/csv"))
    assert wants_csv(request("text/csv, application/json;q=0.5"))
    assert not wants_csv(request(None)) and not wants_csv(request("*/*"))
    assert not wants_csv(request("application/json, text/csv"))
    assert not wants_csv(request("text/csv;q=0.5, */*"))
