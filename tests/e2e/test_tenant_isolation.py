"""Two tenants, the same rep id: every api route shows A only its own data, and nothing A does changes B's."""

from __future__ import annotations

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event


async def test_a_tenant_sees_and_changes_only_its_own_reps(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("iso-a"), tenant_factory("iso-b")
    rep = "same-rep-id"
    put_b = await api.put(f"/v1/reps/{rep}", json={"name": "B's rep", "team": "t", "industry": "iso",
                                                   "identities": {"x": "b-account"}}, headers=bearer(b["api_key"]))
    assert put_b.status_code == 201
    assert (await ingest.post("/v1/events", json=[cloud_event(rep, "comment.posted")],
                              headers=bearer(b["api_key"]))).status_code == 202
    b_score = await wait_for_score(api, b["api_key"], rep, 1)

    for path in (f"/v1/reps/{rep}", f"/v1/reps/{rep}/score", f"/v1/reps/{rep}/history"):
        assert (await api.get(path, headers=bearer(a["api_key"]))).status_code == 404, path
    assert (await api.get("/v1/identities/unclaimed", headers=bearer(a["api_key"]))).json()["identities"] == []

    put_a = await api.put(f"/v1/reps/{rep}", json={"name": "A's rep", "identities": {"x": "b-account"}},
                          headers=bearer(a["api_key"]))
    assert put_a.status_code == 201  # A's own entry: same id and identity, another tenant's namespace
    b_rep = (await api.get(f"/v1/reps/{rep}", headers=bearer(b["api_key"]))).json()
    assert b_rep["name"] == "B's rep" and b_rep["identities"] == {"x": "b-account"}
    assert (await api.get(f"/v1/reps/{rep}/score", headers=bearer(a["api_key"]))).status_code == 404
    again = (await api.get(f"/v1/reps/{rep}/score", headers=bearer(b["api_key"]))).json()
    assert again["events"] == b_score["events"] and again["total"] == b_score["total"]


async def test_a_tenant_cannot_erase_another_tenants_rep(ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("iso-del-a"), tenant_factory("iso-del-b")
    rep = "shared-id"
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "B"}, headers=bearer(b["api_key"]))).status_code == 201
    assert (await ingest.post("/v1/events", json=[cloud_event(rep, "post.published")],
                              headers=bearer(b["api_key"]))).status_code == 202
    b_score = await wait_for_score(api, b["api_key"], rep, 1)
    # A erases its own rep of the same id: B's directory entry and score stay, and B's later events still count
    assert (await api.delete(f"/v1/reps/{rep}", headers=bearer(a["api_key"]))).status_code == 204
    assert (await api.get(f"/v1/reps/{rep}", headers=bearer(b["api_key"]))).json()["name"] == "B"
    assert (await ingest.post("/v1/events", json=[cloud_event(rep, "comment.posted")],
                              headers=bearer(b["api_key"]))).status_code == 202
    again = await wait_for_score(api, b["api_key"], rep, 2)
    assert again["events"] == b_score["events"] + 1
