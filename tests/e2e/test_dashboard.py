"""The dashboard (GET /dashboard) in a real browser: Playwright driving Debian's headless Chromium
(deploy/chromium.sh installs it when missing) against the real stack, scores made through ingest, Kafka, the
scorer and the sink. Screenshots go under each test's temporary directory."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.factories import bearer, cloud_event

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime.now(UTC) - timedelta(hours=2)
PILLARS = ("brand", "people", "insights", "relationships")
# rep -> (directory entry, activity): different mixes so that every sort gives a different order
REPS = {
    "dash-ada": ({"name": "Ada", "team": "north"}, ["post.published"] * 3 + ["comment.posted"]),
    "dash-bob": ({"name": "Bob", "team": "north"}, ["profile.viewed", "connection.accepted", "connection.accepted"]),
    "dash-cy": ({"name": "Cy", "team": "south/east"}, ["meeting.booked", "message.replied"]),
    "dash-di": ({"name": "Di", "team": "south/east"}, ["lead.saved", "search.performed", "post.published"]),
    "dash-ed": ({"name": "Ed & <b>Co</b>", "team": "north"}, ["comment.posted"]),
}


def _chromium() -> str:
    done = subprocess.run(["bash", str(ROOT / "deploy" / "chromium.sh")], capture_output=True, text=True, timeout=900)
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail(f"no Chromium for the browser tests: {done.stderr.strip()[-500:]}", pytrace=False)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def org(stack) -> dict:  # type: ignore[no-untyped-def]
    """A tenant with five scored reps in two teams (one team name holds a '/'), and another tenant."""
    key = json.loads(stack.cli("tenant", "create", f"dash-{os.urandom(6).hex()}", "--json"))["api_key"]
    other = json.loads(stack.cli("tenant", "create", f"dash-other-{os.urandom(6).hex()}", "--json"))["api_key"]
    with httpx.Client(base_url=stack.api_url, timeout=30) as api, httpx.Client(base_url=stack.ingest_url, timeout=30) as ingest:
        for rep, (entry, kinds) in REPS.items():
            assert api.put(f"/v1/reps/{rep}", json=entry, headers=bearer(key, "application/json")).status_code in (200, 201)
            events = [cloud_event(rep, kind, time=WHEN + timedelta(minutes=i)) for i, kind in enumerate(kinds)]
            assert ingest.post("/v1/events", json=events, headers=bearer(key)).status_code == 202
        # the other tenant: a rep that must never show up on this tenant's screens
        assert ingest.post("/v1/events", json=[cloud_event("dash-intruder", "meeting.booked")], headers=bearer(other)).status_code == 202
        deadline = time.monotonic() + 90
        for rep, (_, kinds) in REPS.items():
            while True:
                got = api.get(f"/v1/reps/{rep}/score", headers=bearer(key))
                if got.status_code == 200 and got.json()["events"] >= len(kinds):
                    break
                assert time.monotonic() < deadline, f"{rep} was never scored: {got.text[:200]}"
                time.sleep(0.3)
    return {"key": key, "other": other, "api_url": stack.api_url}


def _api(org: dict, path: str, **params: str) -> dict:
    with httpx.Client(base_url=org["api_url"], timeout=30) as api:
        got = api.get(path, params=params, headers=bearer(org["key"]))
        assert got.status_code == 200, got.text
        return got.json()


@pytest.fixture
def page(browser: Browser, org: dict, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.requested = []  # type: ignore[attr-defined]
    pg.on("request", lambda request: pg.requested.append(request.url))  # type: ignore[attr-defined]
    yield pg
    pg.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    context.close()


def _sign_in(page: Page, org: dict, key: str | None = None) -> None:
    page.goto(f"{org['api_url']}/dashboard")
    page.get_by_label("API key").fill(key or org["key"])
    page.get_by_label("API key").press("Enter")


def _board(page: Page) -> list[tuple[str, float]]:
    rows = page.locator("#leaderboard tbody tr")
    return [(rows.nth(i).get_attribute("data-rep") or "", float(rows.nth(i).locator("td[data-field=total]").inner_text()))
            for i in range(rows.count())]


def _close(shown: float, exact: float | None) -> bool:
    return exact is not None and abs(shown - exact) <= 0.051  # one decimal on screen; decay moves the last digit


def test_leaderboard_shows_the_api_numbers_and_sorts(page: Page, org: dict, tmp_path: Path) -> None:
    _sign_in(page, org)
    expect(page.locator("#leaderboard tbody tr")).to_have_count(len(REPS))
    expected = _api(org, "/v1/reps", sort="-total")["items"]
    shown = _board(page)
    assert [rep for rep, _ in shown] == [item["rep_id"] for item in expected]
    assert all(_close(total, item["total"]) for (_, total), item in zip(shown, expected, strict=True))
    assert "dash-intruder" not in page.content()
    # markup in a name is shown as text, never run
    expect(page.locator("#leaderboard tbody tr[data-rep=dash-ed] th")).to_have_text("Ed & <b>Co</b>")
    page.screenshot(path=str(tmp_path / "leaderboard.png"), full_page=True)

    # sort by a pillar from the keyboard: focus the column's button, Enter; again to reverse
    people = page.locator("#leaderboard th[data-sort=people]")
    people.locator("button").focus()
    page.keyboard.press("Enter")
    expect(people).to_have_attribute("aria-sort", "descending")
    want = [item["rep_id"] for item in _api(org, "/v1/reps", sort="-people")["items"]]
    expect(page.locator("#leaderboard tbody tr").first).to_have_attribute("data-rep", want[0])
    assert [rep for rep, _ in _board(page)] == want
    page.keyboard.press("Enter")
    expect(people).to_have_attribute("aria-sort", "ascending")
    want = [item["rep_id"] for item in _api(org, "/v1/reps", sort="people")["items"]]
    expect(page.locator("#leaderboard tbody tr").first).to_have_attribute("data-rep", want[0])
    assert [rep for rep, _ in _board(page)] == want
    page.screenshot(path=str(tmp_path / "leaderboard-people-ascending.png"), full_page=True)


def test_a_rep_shows_pillars_trend_and_explanation(page: Page, org: dict, tmp_path: Path) -> None:
    _sign_in(page, org)
    page.locator("#leaderboard tbody tr[data-rep=dash-cy] th button").click()
    expect(page.locator("#rep-body")).to_be_visible()
    score = _api(org, "/v1/reps/dash-cy/score")
    expect(page.locator("#rep-name")).to_have_text("Cy")
    assert _close(float(page.locator("#rep-total").inner_text()), score["total"])
    for pillar in PILLARS:
        cell = page.locator(f"#rep-pillars tr[data-pillar={pillar}] td").first
        assert _close(float(cell.inner_text()), score["pillars"][pillar]), pillar
    expect(page.locator("#rep-explanation tbody tr")).to_have_count(len(score["explanation"]["contributions"]))
    expect(page.locator("#rep-trend canvas").first).to_be_visible()  # the uPlot chart drew
    history = _api(org, "/v1/reps/dash-cy/history", **{"from": (datetime.now(UTC) - timedelta(days=89)).date().isoformat()})
    expect(page.locator("#rep-trend-table tbody tr")).to_have_count(len(history["points"]))
    page.screenshot(path=str(tmp_path / "rep.png"), full_page=True)


def test_the_key_stays_in_the_tab_and_a_bad_key_is_refused(browser: Browser, page: Page, org: dict) -> None:
    _sign_in(page, org)
    expect(page.locator("#leaderboard tbody tr")).to_have_count(len(REPS))
    assert page.evaluate("window.localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    # another tab (another context: no shared sessionStorage) starts signed out
    other = browser.new_context()
    fresh = other.new_page()
    fresh.goto(f"{org['api_url']}/dashboard")
    expect(fresh.get_by_label("API key")).to_be_visible()
    expect(fresh.locator("#tabs")).to_be_hidden()
    _sign_in(fresh, org, key="ssi_not_a_real_key")
    expect(fresh.locator("#status")).to_contain_text("refused")
    expect(fresh.locator("#tabs")).to_be_hidden()
    other.close()
    page.get_by_role("button", name="Forget key").click()
    assert page.evaluate("window.sessionStorage.length") == 0


def test_the_page_is_accessible_and_loads_nothing_from_elsewhere(page: Page, org: dict) -> None:
    _sign_in(page, org)
    expect(page.locator("#leaderboard tbody tr")).to_have_count(len(REPS))
    page.get_by_role("tab", name="Rep").click()
    page.get_by_role("tab", name="Leaderboard").click()
    # every form control has a label, every button a name
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.id)""")
    assert unlabelled == []
    nameless = page.evaluate("""() => [...document.querySelectorAll('button')]
        .filter(b => !b.textContent.trim() && !b.getAttribute('aria-label')).length""")
    assert nameless == 0
    # readable contrast (WCAG AA 4.5:1) for body text, table headings' buttons and the selected tab
    ratios = page.evaluate("""() => {
        const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(Number).map(v => v / 255)
            .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
            if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
        const ratio = (e) => { const a = lum(getComputedStyle(e).color), b = lum(bg(e));
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
        return [document.body, document.querySelector('th[data-sort] button'),
                document.querySelector('[role=tab][aria-selected=true]'), document.querySelector('td.num')].map(ratio);
    }""")
    assert min(ratios) >= 4.5, ratios
    # keyboard: Tab from the top reaches the tabs and the sort buttons
    page.locator("body").focus()
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.textContent.trim()"))
    assert {"Leaderboard", "Team", "Total", "People"} <= reached, reached
    # nothing from another host: the page, its script, style, chart library and the API calls are all here
    assert page.requested and all(url.startswith(org["api_url"]) for url in page.requested), page.requested  # type: ignore[attr-defined]


def test_the_dashboard_is_served_with_a_strict_policy(org: dict) -> None:
    with httpx.Client(base_url=org["api_url"], timeout=30) as api:
        got = api.get("/dashboard")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in got.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in got.headers["content-security-policy"]
        assert 'for="api-key">API key</label>' in got.text
        for asset in ("/dashboard/static/dashboard.js", "/dashboard/static/vendor/uPlot-1.6.32.iife.min.js"):
            assert api.get(asset).status_code == 200, asset
        assert api.get("/dashboard/static/../app.py").status_code == 404
