"""shared.http.heap: what is alive at the end of start-up leaves the collector's generations."""

from __future__ import annotations

import gc

from shared.http.heap import freeze_startup_heap


def test_objects_alive_at_start_up_are_frozen_out_of_later_collections() -> None:
    kept = [[i] for i in range(1000)]  # lists are tracked by the collector
    try:
        frozen = freeze_startup_heap()
        assert frozen == gc.get_freeze_count() >= len(kept)
        walked = {id(o) for o in gc.get_objects()}  # what a full collection walks
        assert not any(id(o) in walked for o in kept)
        made_after = [0]
        assert id(made_after) in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()
    assert id(kept[0]) in {id(o) for o in gc.get_objects()}
