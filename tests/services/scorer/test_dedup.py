from services.scorer.dedup import SeenIndex, decode, digest, encode, record_key


def test_a_record_holds_the_ids_a_batch_met_for_a_rep() -> None:
    entries = [(digest("t|linkedin|a"), 7), (digest("t|linkedin|b"), 9)]
    value = encode(1000.5, 3, entries)
    assert decode(value) == (1000.5, 3, entries)
    assert len(value) == 16 + 24 * 2
    assert record_key(b"t|rep", 3, 7) == b"t|rep|3|7"
    assert digest("t|x|1") != digest("t|x|2") and len(digest("t|x|1")) == 16


def test_the_first_offset_is_remembered_and_a_later_one_does_not_replace_it() -> None:
    index = SeenIndex()
    assert index.first_offset(digest("a")) is None
    index.remember(digest("a"), 7)
    index.remember(digest("a"), 9)
    assert index.first_offset(digest("a")) == 7


def test_only_old_records_of_the_partition_being_handled_expire_with_their_ids_and_each_once() -> None:
    table = {b"old-p1": encode(100.0, 1, [(digest("a"), 1)]), b"new-p1": encode(900.0, 1, [(digest("b"), 2)]),
             b"old-p2": encode(100.0, 2, [(digest("c"), 3)])}
    index = SeenIndex()
    index.rebuild(table.items())
    assert index.expired(1, 500.0, table) == [b"old-p1"]
    assert index.first_offset(digest("a")) is None and index.first_offset(digest("b")) == 2
    assert index.expired(1, 500.0, table) == []  # popped: never looked at again
    assert index.expired(2, 500.0, table) == [b"old-p2"]
    assert index.expired(3, 500.0, table) == []
    assert len(index) == 1


def test_expiry_work_is_proportional_to_what_expires_not_to_what_is_kept() -> None:
    index, table = SeenIndex(), {}
    for i in range(50_000):
        key = f"k{i}".encode()
        table[key] = encode(1000.0 + i, 0, [(digest(str(i)), i)])
        index.remember(digest(str(i)), i)
        index.written(key, 1000.0 + i, 0)
    queue = index._queues[0]
    assert index.expired(0, 1003.0, table) == [b"k0", b"k1", b"k2"]
    assert len(queue) == 50_000 - 3 and len(index) == 50_000 - 3


def test_an_id_met_again_after_its_record_expired_is_forgotten_only_if_it_points_there() -> None:
    """An expired record forgets its ids unless a newer record owns them (they were met again later)."""
    table = {b"r1": encode(100.0, 0, [(digest("a"), 1)])}
    index = SeenIndex()
    index.rebuild(table.items())
    index.first[digest("a")] = 50  # as if owned by a later record
    assert index.expired(0, 500.0, table) == [b"r1"]
    assert index.first_offset(digest("a")) == 50


def test_a_record_that_is_not_a_dedup_record_is_left_out_of_the_index_not_fatal() -> None:
    good = encode(100.0, 0, [(digest("a"), 1)])
    index = SeenIndex()
    assert index.rebuild([(b"bad", b"\x00" * 20), (b"good", good), (b"short", good[:-3])]) == 2
    assert index.first_offset(digest("a")) == 1
