from services.scorer.dedup import ExpiryIndex, decode, entry, first_offset


def test_entries_remember_the_first_offset() -> None:
    assert first_offset(entry(7, 2, 1000.0)) == 7
    assert decode(entry(7, 2, 1000.5)) == (7, 2, 1000.5)
    assert first_offset(None) is None
    assert len(entry(2**40, 11, 1.8e9)) == 20


def test_only_old_entries_of_the_partition_being_handled_expire_and_each_once() -> None:
    index = ExpiryIndex()
    index.add(1, 100.0, b"old-p1")
    index.add(1, 900.0, b"new-p1")
    index.add(2, 100.0, b"old-p2")
    assert index.expired(1, cutoff=500.0) == [b"old-p1"]
    assert index.expired(1, cutoff=500.0) == []  # popped: never looked at again
    assert index.expired(2, cutoff=500.0) == [b"old-p2"]
    assert index.expired(3, cutoff=500.0) == []
    assert len(index) == 1


def test_expiry_work_is_proportional_to_what_expires_not_to_what_is_kept() -> None:
    index = ExpiryIndex()
    for i in range(100_000):
        index.add(0, 1000.0 + i, f"k{i}".encode())
    queue = index._queues[0]
    before = len(queue)
    assert index.expired(0, cutoff=1003.0) == [b"k0", b"k1", b"k2"]
    assert before - len(queue) == 3


def test_the_index_is_rebuilt_from_a_recovered_table_in_arrival_order() -> None:
    table = {b"b": entry(5, 0, 200.0), b"a": entry(4, 0, 100.0), b"c": entry(1, 3, 50.0)}
    index = ExpiryIndex()
    index.rebuild(table.items())
    assert index.expired(0, cutoff=150.0) == [b"a"]
    assert index.expired(3, cutoff=150.0) == [b"c"]
    assert index.expired(0, cutoff=1e9) == [b"b"]
