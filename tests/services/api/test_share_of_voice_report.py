"""Share-of-voice arithmetic: declared brands matched ignoring case, shares within each group, undeclared apart."""

from datetime import date

import pytest

from services.api.share_of_voice_report import report

D1, D2 = date(2026, 10, 1), date(2026, 10, 2)


def m(brand: str, platform: str, day: date, mentions: int, reach: float, sentiment_sum: float | None = None,
      rated: int = 0) -> dict:
    return {"brand": brand, "platform": platform, "day": day, "mentions": mentions, "reach": reach,
            "sentiment_sum": sentiment_sum, "rated": rated}


def test_shares_by_brand_platform_and_day() -> None:
    rows = [m("acme", "x", D1, 2, 2000, 1.0, 2), m("acme", "linkedin", D2, 1, 3000), m("globex", "x", D1, 1, 4000),
            m("hooli", "x", D1, 5, 10)]
    body = report("p", None, "Acme", ["Globex", "Initech"], rows, [], 0)
    brands = {b["brand"]: b for b in body["brands"]}
    assert brands["Acme"] == {"brand": "Acme", "own": True, "mentions": 3, "reach": 5000.0,
                              "share_of_mentions": 0.75, "share_of_voice": pytest.approx(5 / 9, abs=1e-4),
                              "sentiment": 0.5}
    assert brands["Initech"]["mentions"] == 0 and brands["Initech"]["share_of_voice"] == 0.0
    assert body["undeclared"] == {"mentions": 5, "reach": 10.0}
    on_x = {r["brand"]: r for r in body["by_platform"] if r["platform"] == "x"}
    assert on_x["Acme"]["share_of_voice"] == pytest.approx(2000 / 6000, abs=1e-4)
    day2 = [r for r in body["by_day"] if r["day"] == "2026-10-02"]
    assert [(r["brand"], r["share_of_voice"]) for r in day2] == [("Acme", 1.0), ("Globex", 0.0), ("Initech", 0.0)]


def test_nothing_to_share_is_none_not_a_division_by_zero() -> None:
    body = report("p", "east", "Acme", [], [], [], 0)
    assert body["brands"] == [{"brand": "Acme", "own": True, "mentions": 0, "reach": 0.0, "share_of_mentions": None,
                               "share_of_voice": None, "sentiment": None}]
    assert body["by_day"] == [] and body["amplification"]["amplifications"] == 0


def test_amplification_sums_by_platform_and_day() -> None:
    amplified = [{"platform": "x", "day": D1, "amplifications": 2, "reach_weighted": 3.5},
                 {"platform": "linkedin", "day": D1, "amplifications": 1, "reach_weighted": 2.0}]
    amp = report("p", None, "Acme", [], [], amplified, 2)["amplification"]
    assert (amp["amplifications"], amp["reach_weighted"], amp["reps"]) == (3, 5.5, 2)
    assert amp["by_day"] == [{"day": "2026-10-01", "amplifications": 3, "reach_weighted": 5.5}]
