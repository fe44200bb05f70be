"""The verdict of a scheduled audit (`safeguard nightly`): what needs someone tonight.

From the night's run record (with its `trend` against the last recorded run of the scope, and
its `drift` when stack exports were given) and the findings the gate blocks on: the blocking
failures that were not failing last time (new, regressed, under a new check), every blocking
failure on the first night, and the checks drift broke, most severe first; and the exit code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from policies.exit_codes import ExitCode

# Which trend categories are new tonight, and how the summary says so.
NEW_CATEGORIES = {"new": "new", "regressed": "regressed", "new_check": "new check"}
DRIFT_LABEL = "drift broke it"
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class Attention:
    """A new failure or a check drift broke, as the summary names it."""

    severity: str
    check_id: str
    title: str
    resource: str
    why: tuple[str, ...]

    def order(self) -> tuple[int, str, str]:
        return (_RANK.get(self.severity, 9), self.check_id, self.resource)


@dataclass(frozen=True)
class Night:
    """The night's verdict: what needs someone, and the exit code."""

    first: bool
    attention: tuple[Attention, ...]  # most severe first
    new_failures: int
    breaking: int
    unseen: int  # blocking unknowns, and declared resources the audit could not see

    @property
    def exit_code(self) -> ExitCode:
        if self.new_failures or self.breaking:
            return ExitCode.FAILED
        return ExitCode.NOT_EVALUATED if self.unseen else ExitCode.OK


def _ident(ref: Mapping[str, Any] | None) -> str:
    """The live identity a finding and a drift verdict share: ARN, else id, else name."""
    if not ref:
        return ""
    return str(ref.get("arn") or ref.get("id") or ref.get("name") or "")


def _shown(ref: Mapping[str, Any] | None) -> str:
    if not ref:
        return "the account"
    name, ident = ref.get("name"), ref.get("id")
    if name and ident and str(ident) != str(name):
        return f"{name} ({ident})"
    return str(name or ident or ref.get("arn") or "?")


def judge(
    record: Mapping[str, Any], blocking_failures: Iterable[str], blocking_unknowns: int
) -> Night:
    """The night's verdict from its record (with `trend` unless it is the first night, and
    `drift` when stack exports were given) and the ids of the findings the gate blocks on."""
    blocking = set(blocking_failures)
    findings = {f["id"]: f for f in record.get("findings") or []}
    checks = {c["id"]: c for c in record.get("checks") or []}
    trend = record.get("trend")
    new: dict[str, str] = {}  # finding id → why
    if trend is None:
        new = {i: "new" for i, f in findings.items() if f["status"] == "FAIL" and i in blocking}
    else:
        for category, label in NEW_CATEGORIES.items():
            for entry in trend["findings"].get(category) or []:
                if entry["id"] in blocking:
                    new[entry["id"]] = label
    items: dict[str, Attention] = {}  # by finding id, or by check and resource for drift
    for fid, why in new.items():
        f = findings[fid]
        items[fid] = Attention(
            f["severity"], f["check_id"], f["title"], _shown(f.get("resource")), (why,)
        )
    new_by_subject = {(items[i].check_id, _ident(findings[i].get("resource"))): i for i in new}
    drift = record.get("drift") or {}
    verdicts = drift.get("verdicts") or []
    broken = [v for v in verdicts if (v["declared"], v["live"]) == ("PASS", "FAIL")]
    for verdict in broken:
        subject = (verdict["check_id"], _ident(verdict.get("resource")))
        if subject in new_by_subject:  # a new failure drift explains: one line, both reasons
            fid = new_by_subject[subject]
            items[fid] = replace(items[fid], why=(*items[fid].why, DRIFT_LABEL))
            continue
        check = checks.get(verdict["check_id"]) or {}
        items["drift:" + ":".join(subject)] = Attention(
            str(check.get("severity", "")),
            verdict["check_id"],
            str(check.get("title", "")),
            _shown(verdict.get("resource")),
            (DRIFT_LABEL,),
        )
    return Night(
        first=trend is None,
        attention=tuple(sorted(items.values(), key=Attention.order)),
        new_failures=len(new),
        breaking=len(broken),
        unseen=int(blocking_unknowns) + len(drift.get("not_seen") or []),
    )
