"""Joins the check library shares beyond the model's own: references between resources by id,
ARN or name, and the regions an inventory spans.

A reference property (`vpc_id`, `parameter_group_name`, `web_acl_arn`, ...) may hold any of a
resource's identifiers, so a resource is matched on its id, its ARN and its name properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checks.model import HIDDEN_REGION, Inventory, Resource, Undecidable, is_special, note_read
from checks.support.props import known_value

# Properties that carry a resource's own name, by which other resources may refer to it.
NAME_KEYS = ("name", "identifier", "cluster_identifier", "bucket", "function_name")
# What a read log notes for a resource a join reached: the check examined it through the join.
JOINED = "(joined)"


def names(res: Resource) -> set[str]:
    """Every identifier by which another resource may refer to `res`."""
    found = {res.id, res.arn, *(res.props.get(k) for k in NAME_KEYS)}
    return {n for n in found if isinstance(n, str) and n}


def refers_to(ref: Any, res: Resource) -> bool:
    return isinstance(ref, str) and ref in names(res)


def _name_index(inv: Inventory) -> dict[str, list[Resource]]:
    def build() -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for res in inv:
            for name in names(res):
                index.setdefault(name, []).append(res)
        return index

    return inv.memo("joins.names", build)


def resolve(inv: Inventory, ref: Any, types: Iterable[str], what: str) -> Resource | None:
    """The resource of one of `types` that `ref` names; None when the inventory has none.

    Undecidable when the reference itself is not known yet, or when none is found and the
    source could not collect one of `types` (it may be there).
    """
    ref = known_value(ref, what)
    if not isinstance(ref, str) or not ref:
        return None
    types = tuple(types)
    order = {t: i for i, t in enumerate(types)}
    matches = [r for r in _name_index(inv).get(ref, ()) if r.type in order]
    if not matches:
        inv.require(types)
        return None
    found = min(matches, key=lambda r: order[r.type])
    note_read(found.address, JOINED)
    return found


def _refs(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _reference_index(
    inv: Inventory, types: tuple[str, ...], key: str
) -> tuple[dict[str, list[Resource]], list[Resource]]:
    """Resources of `types` by each reference their `key` holds, and those holding one that
    cannot be seen (unknown, made up by the mocks, or secret): it may name any resource."""

    def build() -> tuple[dict[str, list[Resource]], list[Resource]]:
        index: dict[str, list[Resource]] = {}
        pending: list[Resource] = []
        for res in inv.of_type(*types):
            refs = _refs(res.props.get(key))
            for ref in refs:
                if isinstance(ref, str):
                    index.setdefault(ref, []).append(res)
            if is_special(refs):
                pending.append(res)
        return index, pending

    return inv.memo(("joins.refs", types, key), build)


def _positions(inv: Inventory, types: Iterable[str]) -> dict[int, int]:
    return {id(r): i for i, r in enumerate(inv.of_type(*types))}


def referrers(
    inv: Inventory, target: Resource, types: Iterable[str], key: str, *, every: bool = False
) -> list[Resource]:
    """Resources of `types` whose property `key` (one reference or a list) names `target`.

    A reference that cannot be seen (unknown, made up, an opaque secret) may name the target.
    Undecidable when none is found then; with `every` — for a caller that judges every
    referrer (any public policy, any route to the internet) — whenever such a reference exists
    besides the others (the hidden one may be the bad one; the others' settings cannot vouch).
    """
    index, pending = _reference_index(inv, tuple(types), key)
    found: list[Resource] = []
    for name in sorted(names(target)):
        found.extend(r for r in index.get(name, ()) if not any(r is f for f in found))
    if len(found) > 1:  # keep the inventory's order, as a plain scan would
        order = inv.memo(("joins.order", tuple(types)), lambda: _positions(inv, types))
        found.sort(key=lambda r: order[id(r)])
    for res in found:
        note_read(res.address, JOINED)
    unseen = [r for r in pending if not any(r is f for f in found)]
    if unseen and (every or not found):
        raise Undecidable(
            f"the {key} of {unseen[0].name} cannot be seen, so whether it names "
            f"{target.name} cannot be told"
        )
    return found


def audited_regions(inv: Inventory) -> list[str]:
    """The regions the inventory's resources live in: those account-wide services must cover."""
    named = {r.region for r in inv if isinstance(r.region, str) and r.region}
    return sorted(named - {HIDDEN_REGION})


def arn_of(res: Resource) -> str:
    """The resource's ARN: its `arn` property through the accessor (Undecidable when that is
    unknown, made up, an opaque secret or not recorded), else the ARN the source knows it by."""
    arn = res.value("arn", res.arn)
    if isinstance(arn, str) and arn:
        return arn
    raise Undecidable(f"the ARN of {res.name} is not known yet")
