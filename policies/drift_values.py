"""How drift compares one property's declared value with its live value, and shows both.

A stack export and a live collector speak the same property names but not always the same
spelling: a policy document is JSON text on one side and the same JSON with other spacing or key
order on the other, a list comes back in another order, an empty value is null on one side and
`[]` on the other. `same` looks through those; anything else that differs has drifted.

A value that is secret, unknown, made up or could not be read on either side cannot be compared:
`hidden_kind` names why, and `shown` never prints a secret (nor the live value it would be
compared with, which would spell the secret out).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from checks.values import MadeUp, Secret, Unread, contains_unknown, is_secret_property, plain

# Properties a provider computes or AWS changes on its own: never configuration drift.
VOLATILE = frozenset(
    {
        "arn",
        "id",
        "urn",
        "tags_all",  # compared as `tags` (see `declared_tags`)
        "create_date",
        "creation_date",
        "created_date",
        "created_time",
        "last_modified",
        "last_modified_date",
        "attachment_count",
        "etag",
        "version",
        "latest_version",
        "owner_id",
        "unique_id",
        "key_algorithm",  # an ACM certificate's, chosen by ACM when requested
    }
)
# IP protocols as AWS numbers them and as a program names them.
_PROTOCOL_KEYS = frozenset({"protocol", "ip_protocol"})
_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_MAX_SHOWN = 300


def hidden_kind(value: Any) -> str | None:
    """Why a value cannot be compared (it is, or holds, a secret, an unknown, a made-up value
    or a setting that could not be read), or None when it can."""
    if _holds(value, Secret):
        return "secret"
    if contains_unknown(value):
        return "unknown" if not _holds(value, Unread) else "could not be read"
    if _holds(value, MadeUp):
        return "made up by the scanner's mocks"
    return None


def _holds(value: Any, kind: type) -> bool:
    if isinstance(value, kind):
        return True
    if isinstance(value, Mapping):
        return any(_holds(v, kind) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds(v, kind) for v in value)
    return False


def _parsed(value: Any) -> Any:
    """JSON text (a policy document) as the data it holds; anything else as it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _protocol(value: Any) -> Any:
    text = str(value).lower() if isinstance(value, (str, int)) else value
    return _PROTOCOL_NAMES.get(text, text)


def normal(value: Any) -> Any:
    """The value in a spelling both sources share: JSON text parsed, lists in a stable order,
    empty values as None, map keys as text."""
    value = _parsed(value)
    if isinstance(value, Mapping):
        out = {str(k): _protocol(normal(v)) if k in _PROTOCOL_KEYS else normal(v)
               for k, v in value.items()}  # fmt: skip
        out = {k: v for k, v in out.items() if v is not None}
        return out or None
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normal(v) for v in value]
        items = [v for v in items if v is not None]
        if not items:
            return None
        # A single statement or value given bare on one side and as a list of one on the other.
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, str) and value == "":
        return None
    return value


def _unwrapped(value: Any) -> Any:
    """A list of one as its single item, so `"x"` and `["x"]` compare equal."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def covers(declared: Any, live: Any) -> bool:
    """Whether the live value holds what the declared one sets (both `normal`). Inside a block
    only the keys the program set are compared: the rest are the provider's or AWS's defaults,
    which the live account spells out (a health check's interval, a recorder's strategy). A
    list must have as many items, each declared item matching a live one of its own."""
    declared, live = _unwrapped(declared), _unwrapped(live)
    if isinstance(declared, dict):
        if not isinstance(live, dict):
            return False
        return all(covers(v, live.get(k)) for k, v in declared.items())
    if isinstance(declared, list):
        if not isinstance(live, list) or len(live) != len(declared):
            return False
        left = list(live)
        for item in declared:
            match = next((i for i, other in enumerate(left) if covers(item, other)), None)
            if match is None:
                return False
            left.pop(match)
        return True
    return declared == live


# Properties whose every key is meant: a key added live (a tag, a policy condition or
# principal) is a change, never a default the provider spelled out.
EXACT_PROPERTIES = frozenset({"tags", "tags_all", "policy", "assume_role_policy", "key_policy"})


def _policy(value: Any) -> bool:
    """A policy document (IAM, bucket, key, topic, queue): every key of it is meant."""
    return isinstance(value, Mapping) and ("Statement" in value or "statement" in value)


def _canonical(value: Any) -> Any:
    """`normal` data with every list of one written as its item, all the way down."""
    value = _unwrapped(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted(
            (_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str)
        )
    return value


def same(declared: Any, live: Any, key: str = "") -> bool:
    """Whether two comparable values say the same (see the module doc and `covers`). Tags and
    policy documents must say exactly the same: inside them nothing is a default."""
    declared, live = normal(declared), normal(live)
    if key in EXACT_PROPERTIES or _policy(declared) or _policy(live):
        return _canonical(declared) == _canonical(live)
    return covers(declared, live)


def shown_live(key: str, value: Any) -> Any:
    """A live value for the report, with the values of credential-named keys (a tag called
    `db_password`) hidden, as the program source hides them."""
    if isinstance(value, Mapping):
        return {
            k: "[secret]" if is_secret_property(str(k).lower()) else shown_live(str(k), v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [shown_live(key, v) for v in value]
    return "[secret]" if is_secret_property(key.lower()) and value is not None else value


def shown(value: Any) -> Any:
    """A value for the report: plain JSON data, secrets as "[secret]", long text cut."""
    value = plain(_parsed(value))
    text = json.dumps(value, sort_keys=True, default=str)
    if len(text) > _MAX_SHOWN:
        return text[: _MAX_SHOWN - 3] + "..."
    return value


def declared_tags(props: Mapping[str, Any]) -> Any:
    """A declared resource's tags as the live account shows them: with the provider's default
    tags (`tags_all`) when the state records them."""
    return props.get("tags_all") if props.get("tags_all") is not None else props.get("tags")
