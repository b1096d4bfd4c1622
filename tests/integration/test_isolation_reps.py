"""Tenant isolation of the erasure: the api's DELETE and the `ssi rep` commands of one tenant never see or
change another tenant's rep of the same id, nor its registry entry."""

from __future__ import annotations

import json

import pytest

from tests.factories import bearer


async def test_erasure_routes_and_rep_commands_stay_in_their_tenant(stack, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("iso-rep-a"), tenant_factory("iso-rep-b")
    rep = "same-id"
    for t in (a, b):
        assert (await api.put(f"/v1/reps/{rep}", json={"name": t["tenant_id"]}, headers=bearer(t["api_key"]))).status_code == 201

    # A erases its rep: B's entry, listing and registry are untouched, and B may still write its own
    assert (await api.delete(f"/v1/reps/{rep}", headers=bearer(a["api_key"]))).status_code == 204
    assert (await api.get(f"/v1/reps/{rep}", headers=bearer(b["api_key"]))).json()["name"] == b["tenant_id"]
    assert [i["rep_id"] for i in (await api.get("/v1/reps", headers=bearer(b["api_key"]))).json()["items"]] == [rep]
    assert (await api.get("/v1/reps", headers=bearer(a["api_key"]))).json()["items"] == []
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "B2"}, headers=bearer(b["api_key"]))).status_code == 200
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "A2"}, headers=bearer(a["api_key"]))).status_code == 410
    assert stack.cli("rep", "erased", b["tenant_id"]) == ""
    assert [json.loads(line)["rep_id"] for line in stack.cli("rep", "erased", a["tenant_id"]).splitlines()] == [rep]

    # B cannot lift A's erasure; B's own erasure and unerase leave A's erasure standing
    with pytest.raises(RuntimeError, match="is not erased"):
        stack.cli("rep", "unerase", b["tenant_id"], rep)
    assert json.loads(stack.cli("rep", "erase", b["tenant_id"], rep))["deleted"]["reps"] == 1
    assert json.loads(stack.cli("rep", "unerase", b["tenant_id"], rep))["unerased"] == rep
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "A3"}, headers=bearer(a["api_key"]))).status_code == 410
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "B3"}, headers=bearer(b["api_key"]))).status_code == 201
    assert [json.loads(line)["erased"] for line in stack.cli("rep", "erased", a["tenant_id"]).splitlines()] == [True]

    # a key of A cannot reach B's rep by any route
    for method, path in (("GET", f"/v1/reps/{rep}/score"), ("GET", f"/v1/reps/{rep}/history")):
        assert (await api.request(method, path, headers=bearer(a["api_key"]))).status_code == 404
