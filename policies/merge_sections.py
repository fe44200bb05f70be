"""The parts of a merged run document that are unions of the accounts' own: the inventory, the
ePHI network map and the drift section (`policies.merge` builds the rest and says the rules)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies.totals import classification_ask

# The network map's one shared node: the internet is the same for every account.
INTERNET = "internet"


@dataclass(frozen=True)
class RunInput:
    """One per-account run document and how the user named it (a file or a history run id)."""

    label: str
    document: Mapping[str, Any]

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self.document["source"].get("accounts") or ())

    @property
    def only_account(self) -> str | None:
        return self.accounts[0] if len(self.accounts) == 1 else None


def merge_inventory(runs: Sequence[RunInput]) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    by_type: Counter = Counter()
    roles: Counter = Counter()
    uncovered: set[str] = set()
    calls = 0
    for run in runs:
        inventory = run.document["inventory"]
        items += [
            {**i, "account": i.get("account") or run.only_account} for i in inventory["items"]
        ]
        by_type.update(inventory["by_type"])
        roles.update(inventory["ephi_roles"])
        uncovered |= set(inventory["not_covered_types"])
        calls += int(inventory.get("api_calls") or 0)
    items.sort(key=lambda r: (r["type"], r["urn"] or r["name"], r.get("account") or ""))
    return {
        "resources": len(items),
        "by_type": dict(sorted(by_type.items())),
        "not_covered_types": sorted(uncovered),
        "ephi_roles": dict(sorted(roles.items())),
        "items": items,
        "api_calls": calls,
        "classification": classification_ask(items),
    }


def _renumbered(network: Mapping[str, Any], counters: Counter) -> dict[str, str]:
    """New node ids for one account's map (`vpc-1` of two accounts must stay two nodes),
    numbered on from the accounts merged before it, as one map would number them."""
    ids = {INTERNET: INTERNET}
    for node in network.get("nodes") or ():
        if node["id"] != INTERNET:
            counters[node["kind"]] += 1
            ids[node["id"]] = f"{node['kind']}-{counters[node['kind']]}"
    return ids


def _node(node: Mapping[str, Any], ids: Mapping[str, str], account: str | None) -> dict[str, Any]:
    row = {**node, "id": ids[node["id"]]}
    if node["id"] != INTERNET:
        row["account"] = node.get("account") or account
    if row.get("vpc") is not None:
        row["vpc"] = ids.get(row["vpc"], row["vpc"])
    for key in ("subnets", "security_groups"):
        if isinstance(row.get(key), list):
            row[key] = [ids.get(x, x) for x in row[key]]
    return row


def merge_asset_maps(runs: Sequence[RunInput]) -> dict[str, Any]:
    """The accounts' asset rows and network maps side by side, sharing the internet node."""
    counters: Counter = Counter()
    assets: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    notes: set[str] = set()
    for run in runs:
        found = run.document.get("asset_map") or {}
        network = found.get("network") or {}
        ids = _renumbered(network, counters)
        for node in network.get("nodes") or ():
            nodes.setdefault(ids[node["id"]], _node(node, ids, run.only_account))
        edges += [
            {**e, "from": ids.get(e["from"], e["from"]), "to": ids.get(e["to"], e["to"])}
            for e in network.get("edges") or ()
        ]
        notes |= {str(n) for n in network.get("notes") or ()}
        assets += [
            {
                **a,
                "node": ids.get(a["node"], a["node"]),
                "account": a.get("account") or run.only_account,
            }
            for a in found.get("assets") or ()
        ]
    order = {"internet": 0, "network": 1, "policy": 2}
    edges.sort(key=lambda e: (order.get(e.get("kind"), 3), e["from"], e["to"]))
    return {
        "assets": assets,
        "summary": {
            "assets": len(assets),
            "ephi": sum(1 for a in assets if a.get("classification") == "ephi"),
            "exposure": dict(
                sorted(Counter((a.get("exposure") or {}).get("state") for a in assets).items())
            ),
        },
        "network": {"nodes": list(nodes.values()), "edges": edges, "notes": sorted(notes)},
    }


_DRIFT_LISTS = (
    "changed",
    "gone",
    "unmanaged",
    "verdicts",
    "not_seen",
    "not_comparable",
    "made_by_aws",
)
_DRIFT_LISTS_PLAIN = ("not_compared",)


def merge_drift(runs: Sequence[RunInput]) -> dict[str, Any] | None:
    """The drift of every account that compared its stacks (None when none did): rows keep
    their account; a breaking change anywhere fails the drift (1), else an unknown (3)."""
    drifts = [(run, run.document["drift"]) for run in runs if run.document.get("drift")]
    if not drifts:
        return None
    summary: Counter = Counter()
    merged: dict[str, Any] = {"states": [], "summary": {}, "exit_code": 0}
    codes = set()
    for run, drift in drifts:
        merged["states"] += drift["states"]
        summary.update(drift["summary"])
        codes.add(drift["exit_code"])
        for key in _DRIFT_LISTS + _DRIFT_LISTS_PLAIN:
            if key in drift:
                rows = drift[key]
                if key in _DRIFT_LISTS:
                    rows = [
                        {**row, "account": row.get("account") or run.only_account} for row in rows
                    ]
                merged.setdefault(key, []).extend(rows)
    merged["summary"] = dict(summary)
    merged["exit_code"] = 1 if 1 in codes else 3 if 3 in codes else 0
    return merged
