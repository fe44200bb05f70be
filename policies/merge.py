"""Many accounts, one assessment: per-account run documents combined into the organisation's.

Each account is audited on its own (one CI job per account, or one machine per group of them);
`merge` then builds one run document of the same shape from theirs, so every renderer reads it
as it reads a single run. Nothing is re-judged: each finding keeps its verdict, its region and
gains its account. What depends on all of them is computed again from the combined parts:

- the gate, by the same rule as a single run, under the one profile all documents name;
- the counts, the checks' results, the inventory and the ePHI network map;
- each safeguard specification: the weakest status any account has (implemented only where
  every account implements it, not implemented when a check fails in any), and which accounts
  hold which status;
- provenance: each input's assessment id, document SHA-256 and time, under `source.merged_from`.

Refused, one line naming the input: documents that are not live audits (a program scan has no
account to tell apart), two documents covering one account, and documents judged under different
profiles, frameworks or check libraries (unless `force`, which then applies the strictest gate).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from checks.errors import InputError
from checks.nist_scale import Level
from checks.registry import STATUS_ORDER, Severity, Status
from policies.gate import blocks, gate_exit_code, record_gate_problems, record_profile
from policies.history_run import address
from policies.merge_sections import RunInput, merge_asset_maps, merge_drift, merge_inventory
from policies.profiles import NOT_EVALUATED_RULES
from policies.proposal import proposal_section
from policies.run_identity import SCHEMA_VERSION, assessment_id, document_sha256
from policies.safeguards import NOT_APPLICABLE
from policies.totals import check_totals

# Weakest first: the organisation's status of a specification is the weakest any account has.
# "not applicable" is a decision about one account's workload and is skipped unless all say it.
SAFEGUARD_ORDER = (
    "not_implemented",
    "decision_missing",
    "not_assessed",
    "partially_implemented",
    "designed",
    "not_reasonable_and_appropriate",
    "alternative_implemented",
    "inherited",
    "implemented",
)
# What must be equal across the documents for one gate to judge them all.
_SAME_GATE = ("profile", "fail_on", "not_evaluated_blocks", "mandatory_from")


_ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)


def _refuse(label: str, problem: str) -> InputError:
    return InputError(f"{label}: {problem}")


def _check_inputs(runs: Sequence[RunInput], force: bool) -> None:
    if not runs:
        raise InputError("merge needs run documents (one per account or group of accounts)")
    seen: dict[str, str] = {}
    finding_ids: dict[str, str] = {}
    for run in runs:
        kind = run.document["source"].get("kind")
        if kind != "aws" or not run.accounts:
            raise _refuse(
                run.label,
                f"a run of source kind {kind!r} names no account: merge combines live audits "
                "(safeguard audit, drift or nightly) only",
            )
        if problems := record_gate_problems(run.document):
            raise _refuse(run.label, f"its stored gate disagrees with its findings ({problems[0]})")
        if "baseline" not in run.document["gate"] and any(
            f.get("baseline") == "existing" for f in run.document["findings"]
        ):
            # Only a run judged against a baseline may set findings aside as existing.
            raise _refuse(run.label, "findings are marked existing, but the run had no baseline")
        for account in run.accounts:
            if not _ACCOUNT_ID.fullmatch(str(account)):
                raise _refuse(run.label, f"{account!r} is not a 12-digit AWS account id")
            if account in seen:
                raise _refuse(run.label, f"account {account} is already in {seen[account]}")
            seen[account] = run.label
        for finding in run.document["findings"]:
            if finding["id"] in finding_ids:
                raise _refuse(
                    run.label, f"finding {finding['id']} is already in {finding_ids[finding['id']]}"
                )
            finding_ids[finding["id"]] = run.label
    if not force:
        first = runs[0]
        for run in runs[1:]:
            if why := _difference(first.document, run.document):
                raise _refuse(
                    run.label,
                    f"{why} than {first.label}: audit every account alike, or pass "
                    "--force-profiles to merge under the strictest gate",
                )


def _difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    for key in _SAME_GATE:
        if a["gate"][key] != b["gate"][key]:
            return f"judged with gate {key} {b['gate'][key]!r}, not {a['gate'][key]!r},"
    for part, key in (("framework", "version"), ("framework", "rule"), ("tool", "check_library")):
        if a[part].get(key) != b[part].get(key):
            return f"{part} {key} {b[part].get(key)!r} differs from {a[part].get(key)!r}:"
    return None


def _joined(values: Sequence[Any]) -> Any:
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    return " + ".join(str(v) for v in distinct)


def _strictest_gate(gates: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The one gate for all: the same as each when they agree, else the strictest of them."""
    return {
        "profile": _joined([g["profile"] for g in gates]),
        "fail_on": min(Severity.parse(g["fail_on"]) for g in gates).label,
        "not_evaluated_blocks": max(
            (g["not_evaluated_blocks"] for g in gates), key=NOT_EVALUATED_RULES.index
        ),
        "mandatory_from": min(Severity.parse(g["mandatory_from"]) for g in gates).label,
    }


def _account_of(finding: Mapping[str, Any], run: RunInput) -> str | None:
    """The account a finding belongs to: the document's only one, else the one in its ARN."""
    if finding.get("account"):
        return str(finding["account"])
    if run.only_account:
        return run.only_account
    arn = str((finding.get("resource") or {}).get("arn") or "")
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] in run.accounts else None


def _finding_order(f: Mapping[str, Any]) -> tuple:
    return (
        STATUS_ORDER.index(Status(f["status"])),
        -int(Severity.parse(f["severity"])),
        f["check_id"],
        address(f.get("resource") or {}),
        f.get("account") or "",
    )


def _gate(findings: list[dict[str, Any]], gate: dict[str, Any], reopened: set[str]) -> None:
    """The gate of the whole organisation, by the rule `policies.gate` applies to one run."""
    profile = record_profile(gate)
    failures = unknowns = set_aside = 0
    for f in findings:
        reopened_now = f["id"] in reopened
        if not blocks(Status(f["status"]), Severity.parse(f["severity"]), profile, reopened_now):
            continue
        if f.get("baseline") == "existing" and not reopened_now:
            set_aside += 1
            continue
        failures += f["status"] == Status.FAIL.value
        unknowns += f["status"] == Status.NOT_EVALUATED.value
    gate.update(
        exit_code=int(gate_exit_code(failures, unknowns)),
        blocking_failures=failures,
        blocking_not_evaluated=unknowns,
        reopened_by_expired_waivers=sorted(reopened),
    )
    if "baseline" in gate:
        gate["baseline"]["set_aside"] = set_aside


def _checks(runs: Sequence[RunInput]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for run in runs:
        for check in run.document["checks"]:
            found = merged.setdefault(check["id"], {**check, "results": Counter()})
            found["results"].update(check["results"])
    return [
        {**c, "results": {s.value: c["results"].get(s.value, 0) for s in STATUS_ORDER}}
        for c in merged.values()
    ]


def _waivers(runs: Sequence[RunInput]) -> list[dict[str, Any]]:
    lists = ("covers_resources", "covers_findings", "reopened_findings")
    merged: dict[str, dict[str, Any]] = {}
    for run in runs:
        for waiver in run.document["waivers"]:
            found = merged.setdefault(waiver["id"], {**waiver, **{k: [] for k in lists}})
            for key in lists:
                found[key] = sorted({*found[key], *(waiver.get(key) or ())})
    return [merged[k] for k in sorted(merged)]


def _safeguard_status(by_account: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """The weakest status of a specification across accounts, and a reason naming them."""
    statuses = {a: str(sg["status"]) for a, sg in by_account.items()}
    counted = [s for s in statuses.values() if s != NOT_APPLICABLE] or [NOT_APPLICABLE]
    rank = {s: i for i, s in enumerate((*SAFEGUARD_ORDER, NOT_APPLICABLE))}
    status = min(counted, key=lambda s: rank.get(s, -1))
    groups: dict[tuple[str, str], list[str]] = {}
    for account, sg in by_account.items():
        groups.setdefault((str(sg["status"]), str(sg["reason"])), []).append(account)
    if len(groups) == 1:
        (only, reason), accounts = next(iter(groups.items()))
        if len(accounts) == 1:
            return status, reason
        return status, f"{only} in all {len(accounts)} accounts: {reason}"
    parts = [
        f"{s} in {', '.join(sorted(accts))} ({reason})"
        for (s, reason), accts in sorted(groups.items(), key=lambda g: rank.get(g[0][0], -1))
    ]
    return status, "; ".join(parts)


def _safeguards(runs: Sequence[RunInput]) -> list[dict[str, Any]]:
    per: dict[str, dict[str, Mapping[str, Any]]] = {}
    first: dict[str, Mapping[str, Any]] = {}
    for run in runs:
        label = ",".join(run.accounts)
        for sg in run.document["safeguards"]:
            per.setdefault(sg["citation"], {})[label] = sg
            first.setdefault(sg["citation"], sg)
    rows = []
    for citation, by_account in per.items():
        status, reason = _safeguard_status(by_account)
        results: Counter = Counter()
        for sg in by_account.values():
            results.update(sg["results"])
        ran = {x["id"] for sg in by_account.values() for x in sg.get("links") or () if x["ran"]}
        row = {
            **first[citation],
            "status": status,
            "reason": reason,
            "results": dict(results),
            "checks": sorted({c for sg in by_account.values() for c in sg["checks"]}),
            "attestation": _first(sg.get("attestation") for sg in by_account.values()),
            "decision": _first(sg.get("decision") for sg in by_account.values()),
            "accounts": _accounts_by_status(by_account),
        }
        if "links" in row:
            row["links"] = [{**x, "ran": x["id"] in ran} for x in row["links"]]
        rows.append(row)
    return rows


def _accounts_by_status(by_account: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Which accounts hold which status; a merged run's own `accounts` are taken apart."""
    found: dict[str, set[str]] = {}
    for label, sg in by_account.items():
        inner = sg.get("accounts")
        pairs = inner.items() if isinstance(inner, Mapping) else [(sg["status"], [label])]
        for status, accounts in pairs:
            found.setdefault(str(status), set()).update(accounts)
    return {status: sorted(found[status]) for status in sorted(found)}


def _first(values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _risk_order(risk: Mapping[str, Any]) -> tuple:
    return (
        -Level.parse(risk["risk"]),
        risk["due_date"],
        -Level.parse(risk["impact"]),
        -Level.parse(risk["likelihood"]),
        risk["risk_id"],
    )


def _risks(runs: Sequence[RunInput], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every account's risks, each naming the account of the findings behind it."""
    account = {f["id"]: f["account"] for f in findings}
    risks = [
        {**r, "account": _first(account.get(i) for i in r["finding_ids"])}
        for run in runs
        for r in run.document.get("risks") or ()
    ]
    return sorted(risks, key=_risk_order)


def _source(runs: Sequence[RunInput]) -> dict[str, Any]:
    accounts = sorted(a for run in runs for a in run.accounts)
    regions = sorted({str(r) for run in runs for r in run.document["source"].get("regions") or ()})
    return {
        "kind": "aws",
        "project": "aws:" + ",".join(accounts),
        "stack": ",".join(regions),
        "accounts": accounts,
        "regions": regions,
        "endpoint": _joined([run.document["source"].get("endpoint") for run in runs]),
        "api_calls": sum(int(run.document["source"].get("api_calls") or 0) for run in runs),
        "not_collected": [
            gap for run in runs for gap in run.document["source"].get("not_collected") or ()
        ],
        "merged_from": [
            {
                "run": run.label,
                "accounts": list(run.accounts),
                "assessment_id": assessment_id(run.document),
                "document_sha256": document_sha256(run.document),
                "generated_at": run.document["generated_at"],
                "exit_code": run.document["gate"]["exit_code"],
            }
            for run in runs
        ],
    }


def _distinct(rows: Sequence[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for row in rows:
        seen.setdefault(json.dumps(row, sort_keys=True), row)
    return list(seen.values())


def merge_runs(
    runs: Sequence[RunInput], generated_at: str, *, force: bool = False
) -> dict[str, Any]:
    """One organisation-level run document from per-account ones (see the module docstring)."""
    _check_inputs(runs, force)
    docs = [run.document for run in runs]
    findings = []
    for run in runs:
        findings += [{**f, "account": _account_of(f, run)} for f in run.document["findings"]]
    findings.sort(key=_finding_order)
    gate = _strictest_gate([d["gate"] for d in docs])
    baselines = [d["gate"]["baseline"] for d in docs if "baseline" in d["gate"]]
    if baselines:
        gate["baseline"] = {
            "new": sum(int(b.get("new") or 0) for b in baselines),
            "existing": sum(int(b.get("existing") or 0) for b in baselines),
        }
    reopened = {str(i) for d in docs for i in d["gate"]["reopened_by_expired_waivers"]}
    _gate(findings, gate, reopened)
    checks = _checks(runs)
    safeguards = _safeguards(runs)
    framework = docs[0]["framework"]
    counts = Counter(f["status"] for f in findings)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": docs[0]["tool"]["name"],
            "version": _joined([d["tool"]["version"] for d in docs]),
            "check_library": _joined([d["tool"]["check_library"] for d in docs]),
        },
        "generated_at": generated_at,
        "source": _source(runs),
        "gate": gate,
        "summary": {
            "resources": sum(int(d["summary"]["resources"]) for d in docs),
            "checks": len(checks),
            "findings": {s.value: counts.get(s.value, 0) for s in STATUS_ORDER},
        },
        "inventory": merge_inventory(runs),
        "checks": checks,
        "findings": findings,
        "waivers": _waivers(runs),
        "framework": {
            **framework,
            "version": _joined([d["framework"]["version"] for d in docs]),
            "attestations_file": _joined([d["framework"].get("attestations_file") for d in docs]),
            "status_counts": dict(sorted(Counter(sg["status"] for sg in safeguards).items())),
        },
        "safeguards": safeguards,
        "risks": _risks(runs, findings),
        "asset_map": merge_asset_maps(runs),
        "limitations": _distinct([row for d in docs for row in d.get("limitations") or ()]),
    }
    record["summary"].update(check_totals(record))
    # A resource judged in two accounts may share a name: count each document's own.
    record["summary"]["resources_judged"] = sum(
        int(d["summary"].get("resources_judged") or 0) for d in docs
    )
    record["proposal"] = proposal_section(
        str(framework.get("rule") or ""), safeguards, checks, "aws"
    )
    if drift := merge_drift(runs):
        record["drift"] = drift
    if problems := record_gate_problems(record):  # the rule applied twice must agree
        raise InputError(f"the runs' gates cannot be combined: {problems[0]}")
    return record
