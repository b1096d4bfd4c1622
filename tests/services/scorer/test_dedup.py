from services.scorer.dedup import entry, expired, first_offset


def test_entries_remember_the_first_offset_and_accept_older_bare_offsets() -> None:
    assert first_offset(entry(7, 2, 1000.0)) == 7
    assert first_offset(7) == 7
    assert first_offset(None) is None


def test_only_old_entries_of_the_partition_being_handled_expire() -> None:
    items = [
        ("old-p1", entry(1, 1, 100.0)),
        ("new-p1", entry(2, 1, 900.0)),
        ("old-p2", entry(3, 2, 100.0)),
        ("legacy", 5),
    ]
    assert expired(items, partition=1, cutoff=500.0) == ["old-p1"]
    assert expired(items, partition=2, cutoff=500.0) == ["old-p2"]
    assert expired(items, partition=3, cutoff=500.0) == []
