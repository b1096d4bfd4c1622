from services.scorer.parking import PARK_LIMIT, Route, overflow_reason, route, status


def test_a_claimed_identity_delivers_whatever_waits() -> None:
    assert route("rep-1", 0) is Route.DELIVER
    assert route("rep-1", PARK_LIMIT + 10) is Route.DELIVER


def test_an_unclaimed_identity_parks_up_to_the_limit_then_overflows() -> None:
    assert route(None, 0) is Route.PARK
    assert route(None, PARK_LIMIT - 1) is Route.PARK
    assert route(None, PARK_LIMIT) is Route.OVERFLOW
    assert route(None, 3, limit=3) is Route.OVERFLOW
    assert "claimed by no rep" in overflow_reason("t|x|42")


def test_the_status_names_the_identity_counts_and_dates_the_last_arrival() -> None:
    waiting = [{"received_at": "2026-11-26T10:00:00+00:00"}, {"received_at": "2026-11-26T11:00:00+00:00"}]
    assert status("t|x|42|with|bars", waiting) == {
        "tenant_id": "t", "platform": "x", "identity": "42|with|bars", "parked": 2,
        "last_event_at": "2026-11-26T11:00:00+00:00"}
    assert status("t|x|42", [])["parked"] == 0 and status("t|x|42", [])["last_event_at"] is None
