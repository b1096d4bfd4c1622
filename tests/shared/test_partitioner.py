"""The producer's partitioner remembers key hashes but must place every record where aiokafka's default
partitioner (Kafka's murmur2) does: the scorer relies on one rep's events sharing a partition."""

from __future__ import annotations

import random

from aiokafka.partitioner import DefaultPartitioner, murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.kafka_producer import KeyHashPartitioner, murmur2_fast


def test_the_same_partition_as_the_default_for_every_key_and_partition_count() -> None:
    rng = random.Random(12)
    cached, default = KeyHashPartitioner(max_entries=50), DefaultPartitioner()
    keys = [rng.randbytes(rng.randint(1, 60)) for _ in range(300)] + [b"tenant:rep-1", "tenant:é".encode()]
    for key in keys * 2:  # the second round answers from the cache (and it overflows and is cleared)
        for count in (1, 2, 3, 12, 17, 64):
            partitions = list(range(count))
            assert cached(key, partitions, partitions) == default(key, partitions, partitions)


def test_a_keyless_record_goes_to_an_available_partition() -> None:
    assert KeyHashPartitioner()(None, [0, 1, 2], [2]) == 2


@settings(max_examples=2000)
@given(st.binary(max_size=300))
def test_the_fast_murmur2_is_kafkas(data: bytes) -> None:
    assert murmur2_fast(data) == murmur2(data)
