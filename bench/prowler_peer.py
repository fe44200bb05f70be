"""The peer of bench/audit.py: Prowler's HIPAA scan, its findings, and how they meet ours.

Prowler lives in a virtualenv of its own (bench/prowler_env.sh makes it): it pins its own
boto3 and botocore. It talks to the emulator through boto3's `AWS_ENDPOINT_URL`, like any
boto3 program, in the one region the billing system is deployed to. Two limits of that, both
in its error log: S3 Control's endpoint rules put the account id in front of any host
(123456789012.127.0.0.1, which does not resolve), so it cannot read the account's S3 public
access block or access points; and moto answers LookupEvents and a few other operations with
500, which Prowler retries, logs and moves on from.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.controls import CONTROLS
from checks.library import build_registry

PROWLER = Path(__file__).resolve().parent / ".prowler-venv" / "bin" / "prowler"
# Prowler's own default for --aws-retries-max-attempts (botocore's standard retrier), and the
# budget our audit gives itself against an emulator (one retry: moto's 500s mean "not
# implemented"; see checks/sources/aws/session.py).
SHIPPED_ATTEMPTS = 3
OUR_EMULATOR_ATTEMPTS = 2


def command(prowler: Path, region: str, out: Path, attempts: int) -> list[str]:
    """`prowler aws --compliance hipaa_aws` for one region, OCSF JSON and an error log in `out`."""
    return [
        str(prowler), "aws", "--compliance", "hipaa_aws", "--region", region,
        "--no-banner", "--no-color", "--output-formats", "json-ocsf",
        "--output-directory", str(out), "--output-filename", "prowler",
        "--log-level", "ERROR", "--log-file", str(out / "prowler.log"),
        "--aws-retries-max-attempts", str(attempts),
    ]  # fmt: skip


def startup_command(prowler: Path) -> list[str]:
    """Prowler loading the HIPAA framework's checks and listing them: no API call."""
    return [str(prowler), "aws", "--compliance", "hipaa_aws", "--list-checks", "--no-banner"]


@dataclass(frozen=True)
class ProwlerFinding:
    check: str
    status: str  # PASS, FAIL, MANUAL (MUTED needs a mutelist, which the bench has none of)
    resource: str  # the resource's uid (an ARN, or an account-level pseudo-ARN)
    name: str
    detail: str


@dataclass(frozen=True)
class ProwlerRun:
    version: str
    findings: tuple[ProwlerFinding, ...]
    logged_errors: int  # ERROR lines in its log: calls that failed and that it moved on from

    @property
    def resources(self) -> int:
        return len({f.resource for f in self.findings})

    def counts(self) -> Counter[str]:
        return Counter(f.status for f in self.findings)


def read_run(out: Path) -> ProwlerRun:
    """The findings Prowler wrote to `out` (see `command`)."""
    found = sorted(out.glob("prowler*.ocsf.json"))
    if not found:
        raise SystemExit(f"bench: Prowler wrote no OCSF findings in {out}")
    findings, version = [], "?"
    for item in json.loads(found[0].read_text(encoding="utf-8")):
        version = item["metadata"]["product"].get("version", version)
        resource = (item.get("resources") or [{}])[0]
        findings.append(
            ProwlerFinding(
                check=item["metadata"]["event_code"],
                status=item["status_code"],
                resource=resource.get("uid") or "",
                name=resource.get("name") or "",
                detail=item.get("status_detail") or "",
            )
        )
    log = out / "prowler.log"
    errors = sum('"level": "ERROR"' in line for line in log.open()) if log.exists() else 0
    return ProwlerRun(version, tuple(findings), errors)


def _keys(resource: Mapping[str, Any]) -> set[str]:
    # Prowler names a resource by its ARN (uid); names alone collide (an account id is the
    # name of several account-level records).
    return {v for v in (resource.get("arn"), resource.get("id")) if v}


@dataclass(frozen=True)
class PeerMap:
    """Which of our checks answer each Prowler check: those of the controls that list it
    (checks/controls.yaml, carried over from the reference control table's last column)."""

    checks: Mapping[str, frozenset[str]]  # Prowler check id -> our check ids
    account: frozenset[str]  # our checks that judge the account, not one resource

    @classmethod
    def of_library(cls) -> PeerMap:
        registry = build_registry()
        found: dict[str, set[str]] = {}
        for chk in registry:
            control = CONTROLS.get(chk.control)
            for theirs in control.prowler if control else ():
                found.setdefault(theirs, set()).add(chk.id)
        return cls(
            {k: frozenset(v) for k, v in found.items()},
            frozenset(c.id for c in registry if c.scope == "account"),
        )


# How each Prowler FAIL stands with us, in the order the summary gives them.
WE_FAIL = "we FAIL"
WE_CANNOT_SAY = "we say NOT_EVALUATED/NOT_APPLICABLE"
WE_SAY_NOTHING = "we say nothing"
WE_PASS = "we PASS"
CLASSES = (WE_FAIL, WE_CANNOT_SAY, WE_SAY_NOTHING, WE_PASS)


def findings_by_resource(document: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """Our findings per resource, keyed by its ARN and by its id."""
    index: dict[str, list[Mapping[str, Any]]] = {}
    for finding in document["findings"]:
        for key in _keys(finding.get("resource") or {}):
            index.setdefault(key, []).append(finding)
    return index


def our_answers(
    failure: ProwlerFinding,
    document: Mapping[str, Any],
    mapping: PeerMap,
    index: Mapping[str, list[Mapping[str, Any]]] | None = None,
) -> list[Mapping[str, Any]]:
    """Our findings, by the checks mapped to Prowler's, on the resource Prowler failed; when
    none names it, our account-wide findings of those checks (Prowler names the account by a
    pseudo-ARN that is no resource of ours)."""
    mine = mapping.checks.get(failure.check, frozenset())
    index = findings_by_resource(document) if index is None else index
    same = [f for f in index.get(failure.resource, []) if f["check_id"] in mine]
    if same:
        return same
    wide = mine & mapping.account
    return [f for f in document["findings"] if f["check_id"] in wide]


def classify(answers: Iterable[Mapping[str, Any]]) -> str:
    """What we say of a Prowler FAIL: any failure of ours (waived included) catches it; else a
    pass of ours is a miss; else we could not say, or said nothing."""
    statuses = {a["status"] for a in answers}
    if statuses & {"FAIL", "WAIVED"}:
        return WE_FAIL
    if "PASS" in statuses:
        return WE_PASS
    return WE_CANNOT_SAY if statuses else WE_SAY_NOTHING


def comparison(
    run: ProwlerRun, document: Mapping[str, Any], mapping: PeerMap | None = None
) -> list[str]:
    """Lines: each Prowler FAIL with what our checks mapped to it say on the same resource,
    the count per class (the "we PASS" count is the parity figure: the only real misses), and
    what we FAIL that Prowler does not (on a resource it did not fail, and answering none of
    its failures: an account-wide failure of ours that met one of its own is not repeated)."""
    mapping = PeerMap.of_library() if mapping is None else mapping
    index = findings_by_resource(document)
    lines = ["Each Prowler FAIL, and what our checks mapped to its check say on the resource:"]
    counts: Counter[str] = Counter()
    theirs_failed: set[str] = set()
    answered: set[int] = set()  # our findings that answered a Prowler FAIL (by identity)
    for f in sorted(run.findings, key=lambda f: (f.check, f.resource)):
        if f.status != "FAIL":
            continue
        theirs_failed.add(f.resource)
        answers = our_answers(f, document, mapping, index)
        answered.update(id(a) for a in answers)
        verdict = classify(answers)
        counts[verdict] += 1
        lines += [f"  {f.check}: {f.resource}: {verdict}", f"    Prowler: {f.detail}"]
        lines += [f"    ours: {a['check_id']} {a['status']}: {a['message']}" for a in answers]
        if not answers:
            lines.append(f"    ours: {_silence(f, mapping)}")
    if not counts:
        lines.append("  none")
    lines.append("Prowler FAILs by what we say: " + ", ".join(f"{counts[c]} {c}" for c in CLASSES))
    lines.append(f"Parity: {counts[WE_PASS]} Prowler FAIL(s) that we PASS")
    lines.append("We FAIL and Prowler does not:")
    unanswered = [f for f in document["findings"] if id(f) not in answered]
    extra = _our_failures(unanswered, theirs_failed)
    lines += [f"  {check}: {name}" for check, name in extra] or ["  none"]
    return lines


def _silence(failure: ProwlerFinding, mapping: PeerMap) -> str:
    mine = sorted(mapping.checks.get(failure.check, ()))
    if not mine:
        return "no check of ours is mapped to this Prowler check"
    return f"no finding of {', '.join(mine)} on this resource (a type we do not read?)"


def _our_failures(findings: Iterable[Mapping[str, Any]], theirs: set[str]) -> list[tuple[str, str]]:
    out = []
    for finding in findings:
        resource = finding.get("resource") or {}
        if finding["status"] == "FAIL" and not _keys(resource) & theirs:
            out.append((finding["check_id"], resource.get("arn") or finding.get("scope") or "?"))
    return sorted(set(out))
