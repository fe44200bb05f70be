"""What data an asset holds or guards, for the impact of its risks.

A data store (a type `policies.data_holding` lists) is rated by its own
`data-classification` tag; without one it is rated as ePHI until a person classifies it (never
the other way round). Anything else (a security group, a policy, a key, a trail, the account
itself) holds no data of its own: it is rated by the most sensitive data of the stack it
guards, unless it is tagged ePHI itself (a function that processes ePHI). A data-scope statement
in force that says the stack holds no ePHI (`policies.data_scope`) rates everything as holding
no ePHI, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from checks.model import EPHI_CLASSES, Resource, data_classification
from policies.data_holding import holds_data
from policies.data_scope import DataScope
from policies.threats import DATA_CLASSES

# Non-ePHI values of a `data-classification` tag that say the data is public; any other
# non-ePHI classification is internal data.
PUBLIC_CLASSIFICATIONS = frozenset({"public", "none"})
# The ePHI role of an asset → the impact column it is rated in.
COLUMN_OF_ROLE = {
    "ephi": "ephi",
    "unknown": "ephi",
    "internal": "internal",
    "public": "none",
    "none": "none",
}
ROLE_REASONS = {
    "ephi": "tagged as holding ePHI",
    "unknown": "a data store no one has classified: rated as ePHI until a person classifies it",
    "internal": "tagged as holding internal data, no ePHI",
    "public": "tagged as holding only data meant to be public",
    "none": "tagged as holding no ePHI",
}
_NAMED = 3  # asset names quoted in a rationale


def tag_role(resource: Resource) -> str | None:
    """The role its data-classification tag gives a resource, or None when it has none."""
    raw = data_classification(resource)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in EPHI_CLASSES:
        return "ephi"
    return "public" if value in PUBLIC_CLASSIFICATIONS else "internal"


def _names(resources: list[Resource]) -> str:
    names = sorted({r.name for r in resources})
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return ", ".join(names[:_NAMED]) + more


@dataclass(frozen=True)
class StackData:
    """The most sensitive data of a stack: what its guards and the account are rated by."""

    role: str  # ephi, unknown, internal, public or none
    reason: str
    no_ephi: DataScope | None = None  # a statement in force that the stack holds no ePHI

    @property
    def column(self) -> str:
        return COLUMN_OF_ROLE[self.role]


def stack_data(
    resources: Iterable[Resource], scope: DataScope | None = None, day: dt.date | None = None
) -> StackData:
    """What the stack of these resources holds, from their tags (and the statement)."""
    if scope is not None and day is not None and scope.no_ephi(day):
        return StackData("none", _statement(scope), scope)
    seen = {r.address: r for r in resources}.values()
    tagged = [(r, tag_role(r)) for r in seen]
    ephi = [r for r, role in tagged if role == "ephi"]
    if ephi:
        return StackData("ephi", f"the stack holds ePHI ({_names(ephi)} tagged ePHI)")
    unclassified = [r for r, role in tagged if role is None and holds_data(r.type)]
    if unclassified:
        return StackData(
            "unknown",
            f"the stack has data stores no one has classified ({_names(unclassified)}), rated "
            "as ePHI until a person classifies them",
        )
    roles = {role for _, role in tagged if role is not None}
    for role in ("internal", "public", "none"):
        if role in roles:
            return StackData(role, f"the most sensitive data the stack is tagged with is {role}")
    return StackData(
        "unknown", "no resource of the stack is classified: rated as ePHI until classified"
    )


def _statement(scope: DataScope) -> str:
    return (
        f"the data scope statement approved by {scope.approver} on "
        f"{scope.approved.isoformat()} says the stack holds no ePHI: {scope.statement}"
    )


def asset_data(resource: Resource | None, stack: StackData) -> tuple[str, str, str]:
    """(ePHI role, impact column, reason) of the asset of a finding (None: the account)."""
    if stack.no_ephi is not None:
        return "none", "none", stack.reason
    if resource is None:
        return stack.role, stack.column, f"account-wide: {stack.reason}"
    own = tag_role(resource)
    if holds_data(resource.type) or own == "ephi":
        role = own or "unknown"
        raw = data_classification(resource)
        tag = f" (data-classification tag {raw!r})" if raw is not None else ""
        return role, COLUMN_OF_ROLE[role], ROLE_REASONS[role] + tag
    column = max(COLUMN_OF_ROLE.get(own or "none", "none"), stack.column, key=DATA_CLASSES.index)
    role = "supports" if stack.column == "ephi" else own or stack.role
    return role, column, f"holds no data itself, it guards the stack's data: {stack.reason}"
