"""The Struct conversions (checks.sources.pulumi_struct) give what the SDK's own give: the same
Struct (its bytes and every map's key order), the same dicts in the same order, the same
dependency lists, and the same errors."""

from __future__ import annotations

import asyncio
import random

import pytest
from google.protobuf import struct_pb2
from pulumi import StringAsset
from pulumi.output import Output, Unknown
from pulumi.runtime import rpc

from checks.sources import pulumi_struct
from checks.sources.pulumi_struct import deserialize_properties, serialize_properties

SDK_SERIALIZE, SDK_DESERIALIZE = pulumi_struct.sdk()
SIG = rpc._special_sig_key
SECRET = {SIG: rpc._special_secret_sig, "value": "hunter2"}
ASSET = {SIG: rpc._special_asset_sig, "text": "hello"}

PLAIN = {
    "scalars": {"a": "b", "n": 1, "f": 2.5, "t": True, "no": False, "z": None, "big": 2**60},
    "nested": {"tags": {"Name": "x", "Env": None}, "rules": [{"from": 443, "cidr": ["0/0"]}, []]},
    "empties": {"d": {}, "l": [], "s": "", "zero": 0, "t": ()},
    "unknowns": {"u": rpc.UNKNOWN, "l": [rpc.UNKNOWN, "x"], "d": {"in": rpc.UNKNOWN}},
    "secrets": {"password": SECRET, "tags": {"t": SECRET}, "l": ["a", SECRET]},
    "an asset": {"code": ASSET, "name": "f"},
    "internal keys": {"__defaults": ["a"], "__provider": "p", "__x": 1, "x__": 2},
    "many keys": {f"k{i}": {f"n{j}": j for j in range(i % 7)} for i in range(60)},
}


def _canon(value):
    """A value, comparable with its order and types: dicts as their items in order, a number
    by its type and repr, an Unknown (which compares by identity) or an asset by kind."""
    if isinstance(value, dict):
        return ("dict", [(k, _canon(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_canon(v) for v in value])
    if isinstance(value, Unknown):
        return "Unknown"
    if isinstance(value, StringAsset):
        return ("StringAsset", value.text)
    return (type(value).__name__, repr(value))


def _sdk_struct(value):
    deps: dict = {}
    return asyncio.run(SDK_SERIALIZE(value, deps)), deps


def _fast_struct(value):
    deps: dict = {}
    return asyncio.run(serialize_properties(value, deps)), deps


def _keys(struct) -> list:
    """Every map's keys, in iteration order, depth first."""
    found = [list(struct.fields)]
    for key in struct.fields:
        found.extend(_value_keys(struct.fields[key]))
    return found


def _value_keys(value) -> list:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return _keys(value.struct_value)
    if kind == "list_value":
        return [k for item in value.list_value.values for k in _value_keys(item)]
    return []


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_data_serializes_to_the_sdk_struct(name: str) -> None:
    (want, want_deps), (got, got_deps) = _sdk_struct(PLAIN[name]), _fast_struct(PLAIN[name])
    assert got.SerializeToString(deterministic=True) == want.SerializeToString(deterministic=True)
    assert _keys(got) == _keys(want)
    assert got_deps == want_deps
    assert all(v == [] for v in got_deps.values())


def test_the_scalars_case_keeps_every_set_value() -> None:
    struct, deps = _fast_struct(PLAIN["scalars"])
    assert sorted(deps) == ["a", "big", "f", "n", "no", "t"]
    assert struct.fields["n"].number_value == 1.0
    assert struct.fields["no"].WhichOneof("kind") == "bool_value"


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize(("keep_unknowns", "keep_internal"), [(None, True), (True, False)])
def test_structs_deserialize_as_the_sdk(name: str, keep_unknowns, keep_internal) -> None:
    struct, _ = _sdk_struct(PLAIN[name])
    want = SDK_DESERIALIZE(struct, keep_unknowns, keep_internal)
    got = deserialize_properties(struct, keep_unknowns, keep_internal)
    assert _canon(got) == _canon(want)


def test_an_unknown_is_kept_only_when_asked() -> None:
    struct, _ = _sdk_struct(PLAIN["unknowns"])
    assert deserialize_properties(struct, None) == {"l": [None, "x"], "d": {}}
    kept = deserialize_properties(struct, True)
    assert isinstance(kept["u"], Unknown) and isinstance(kept["d"]["in"], Unknown)


def test_a_nested_secret_is_pushed_up_as_the_sdk_does() -> None:
    struct, _ = _sdk_struct(PLAIN["secrets"])
    got = deserialize_properties(struct)
    assert got["tags"] == {SIG: rpc._special_secret_sig, "value": {"t": "hunter2"}}
    assert got["l"] == {SIG: rpc._special_secret_sig, "value": ["a", "hunter2"]}


def _random_value(rng: random.Random, depth: int):
    pick = rng.randrange(10 if depth < 4 else 6)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -3, 7, 2**40, 1.5, -0.0, 1e300])
    if pick == 3:
        return rng.choice(["", "x", rpc.UNKNOWN, "é", "__k"])
    if pick in (4, 5):
        return rng.choice([SECRET, "plain", 3])
    if pick in (6, 7):
        return {f"{rng.choice('abcdefgh_')}{i}": _random_value(rng, depth + 1) for i in range(6)}
    return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


@pytest.mark.parametrize("seed", range(40))
def test_random_plain_data_makes_the_same_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    value = {f"p{i}": _random_value(rng, 0) for i in range(rng.randrange(1, 12))}
    (want, want_deps), (got, got_deps) = _sdk_struct(value), _fast_struct(value)
    assert got.SerializeToString(deterministic=True) == want.SerializeToString(deterministic=True)
    assert _keys(got) == _keys(want) and got_deps == want_deps
    for keep in (None, True):
        assert _canon(deserialize_properties(got, keep)) == _canon(SDK_DESERIALIZE(want, keep))


class _Str(str):
    pass


def test_what_is_not_plain_is_left_to_the_sdk(monkeypatch) -> None:
    calls = []

    async def sdk_serialize(*args):
        calls.append(args[0])
        return await SDK_SERIALIZE(*args)

    monkeypatch.setattr(pulumi_struct, "sdk", lambda: (sdk_serialize, SDK_DESERIALIZE))

    async def serialize_each() -> None:
        await serialize_properties({"o": Output.from_input("v")}, {})
        await serialize_properties({"a": _Str("b")}, {})
        await serialize_properties({"a": 1}, {}, None, lambda k: k.upper())
        await serialize_properties({"a": 1}, {})

    asyncio.run(serialize_each())
    assert [list(c) for c in calls] == [["o"], ["a"], ["a"]]


@pytest.mark.parametrize("bad", [{"n": 10**400}, {"d": {1: "x"}}, {"s": "\ud800"}])
def test_what_protobuf_refuses_raises_as_in_the_sdk(bad: dict) -> None:
    with pytest.raises(Exception) as want:
        _sdk_struct(bad)
    with pytest.raises(type(want.value)) as got:
        _fast_struct(bad)
    assert str(got.value) == str(want.value)


def test_a_value_not_set_is_an_error_as_in_the_sdk() -> None:
    struct = struct_pb2.Struct()
    struct.fields["empty"]  # noqa: B018 - creates the field, its value not set
    with pytest.raises(ValueError, match="Value not set"):
        SDK_DESERIALIZE(struct)
    with pytest.raises(ValueError, match="Value not set"):
        deserialize_properties(struct)
