"""Hypothesis strategies shared by the webhook fuzz tests: arbitrary bytes, JSON shaped like each provider's
payloads (so the fuzzer reaches past the first type check), and arbitrary header maps."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import strategies as st

from services.ingest.webhooks import Inbound

SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))


def json_like(keys: list[str]) -> st.SearchStrategy[Any]:
    """JSON values whose object keys are mostly drawn from ``keys`` (the provider's vocabulary)."""
    key = st.sampled_from(keys) | st.text(max_size=6)
    return st.recursive(SCALARS | st.sampled_from(keys),
                        lambda children: st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=6),
                        max_leaves=25)


def json_bodies(keys: list[str]) -> st.SearchStrategy[bytes]:
    def dump(value: Any) -> bytes:
        try:
            return orjson.dumps(value)
        except (TypeError, orjson.JSONEncodeError):  # ints beyond 64 bits
            return b"[]"

    return json_like(keys).map(dump) | st.binary(max_size=200)


def headers(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    name = st.sampled_from(names) | st.sampled_from([n.upper() for n in names]) | st.text(max_size=10)
    return st.dictionaries(name, st.text(max_size=80), max_size=5)


def inbounds(names: list[str], bodies: st.SearchStrategy[bytes]) -> st.SearchStrategy[Inbound]:
    return st.builds(Inbound, method=st.sampled_from(["GET", "POST", "post", ""]),
                     url=st.text(max_size=40).map(lambda s: "https://example.com/hook?" + s),
                     headers=headers(names), query=st.dictionaries(st.text(max_size=8), st.text(max_size=8)),
                     body=bodies)
