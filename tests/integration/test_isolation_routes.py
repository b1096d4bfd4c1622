"""Tenant isolation over every route of the api's OpenAPI document: tenant B has a scored rep with a name, a
team, an industry, a platform identity, a team target and brands; tenant A's key, on every GET with B's ids in
the path and the query, never sees anything of B's (markers that only B ever sent), and A's writes with B's ids
(PUT and DELETE of the rep, the team's target, the tenant's target and brands) leave B's data as it was."""

from __future__ import annotations

import os
from datetime import date, timedelta

from tests.e2e.helpers import wait_for_score
from tests.factories import bearer, cloud_event

JSON = "application/json"


async def test_no_route_shows_or_changes_another_tenants_data(stack, ingest, api, tenant_factory) -> None:  # type: ignore[no-untyped-def]
    a, b = tenant_factory("iso-routes-a"), tenant_factory("iso-routes-b")
    mark = os.urandom(5).hex()
    rep, team, industry = f"b-rep-{mark}", f"bteam-{mark}", f"bind-{mark}"
    secrets = (f"bname-{mark}", f"bx-{mark}", f"bbrand-{mark}", f"bcomp-{mark}")  # only B ever sends these
    far = (date.today() + timedelta(days=300)).isoformat()
    b_key, a_key = bearer(b["api_key"], JSON), bearer(a["api_key"], JSON)

    assert (await api.put(f"/v1/reps/{rep}", json={"name": secrets[0], "team": team, "industry": industry,
                                                   "identities": {"x": secrets[1]}}, headers=b_key)).status_code == 201
    assert (await api.put(f"/v1/targets/{team}", json={"milestones": [{"score": 42, "by": far}]},
                          headers=b_key)).status_code == 201
    assert (await api.put("/v1/targets", json={"milestones": [{"score": 43, "by": far}]},
                          headers=b_key)).status_code in (200, 201)
    assert (await api.put("/v1/brands", json={"own": secrets[2], "competitors": [secrets[3]]},
                          headers=b_key)).status_code in (200, 201)
    assert (await ingest.post("/v1/events", json=[cloud_event(rep, "comment.posted")],
                              headers=bearer(b["api_key"]))).status_code == 202
    await wait_for_score(api, b["api_key"], rep, 1)

    async def b_view() -> list[tuple[str, int, str]]:
        out = []
        for path in (f"/v1/reps/{rep}", "/v1/targets", f"/v1/targets/{team}", "/v1/brands", "/v1/reps"):
            r = await api.get(path, headers=b_key)
            out.append((path, r.status_code, r.text if path != "/v1/reps" else str(len(r.json()["items"]))))
        score = (await api.get(f"/v1/reps/{rep}/score", headers=b_key)).json()
        out.append(("score", score["events"], str(score["total"])))
        return out

    before = await b_view()
    spec = (await api.get("/openapi.json")).json()
    gets = [p for p, ops in spec["paths"].items() if "get" in ops and p.startswith("/v1/")]
    assert len(gets) >= 14, gets  # every tenant route of the api is walked
    today = date.today()
    query = {"team": team, "industry": industry, "sort": "rep_id",
             "period": f"{today - timedelta(days=30)}/{today}",
             "baseline": f"{today - timedelta(days=90)}/{today - timedelta(days=31)}"}
    for path in gets:
        url = path.replace("{rep_id}", rep).replace("{team}", team)
        params = {k: v for k, v in query.items()
                  if any(p["name"] == k for p in spec["paths"][path]["get"].get("parameters", []))}
        answer = await api.get(url, params=params, headers=a_key)
        assert answer.status_code in (200, 404, 409), (path, answer.status_code, answer.text[:300])  # 409: A has no brands
        for secret in secrets:
            assert secret not in answer.text, (path, secret)
        if "{rep_id}" not in path and "{team}" not in path:
            assert rep not in answer.text, path  # B's rep id, which A did not send on this route

    # A's writes with B's ids land in A's own namespace (or nowhere)
    assert (await api.put(f"/v1/reps/{rep}", json={"name": "A's"}, headers=a_key)).status_code == 201
    assert (await api.delete(f"/v1/reps/{rep}", headers=a_key)).status_code == 204
    await api.put(f"/v1/targets/{team}", json={"milestones": [{"score": 1, "by": far}]}, headers=a_key)
    await api.delete(f"/v1/targets/{team}", headers=a_key)
    await api.delete("/v1/targets", headers=a_key)
    await api.put("/v1/brands", json={"own": "A-brand", "competitors": []}, headers=a_key)
    assert await b_view() == before
