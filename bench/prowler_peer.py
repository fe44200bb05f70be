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


def ours_by_resource(document: Mapping[str, Any]) -> dict[str, Counter[str]]:
    """Our findings' statuses per resource, keyed by its ARN and by its id."""
    index: dict[str, Counter[str]] = {}
    for finding in document["findings"]:
        resource = finding.get("resource") or {}
        counts: Counter[str] | None = None
        for key in _keys(resource):
            counts = index.setdefault(key, counts if counts is not None else Counter())
        if counts is not None:
            counts[finding["status"]] += 1
    return index


def _describe(counts: Counter[str] | None) -> str:
    if not counts:
        return "no resource of ours has this ARN (an account pseudo-ARN, or a type we do not read)"
    return "ours on it: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


def comparison(run: ProwlerRun, document: Mapping[str, Any]) -> list[str]:
    """Lines: what Prowler FAILs that we do not, and what we FAIL that Prowler does not."""
    ours = ours_by_resource(document)
    lines = ["Prowler FAILs that we do not flag (resource, Prowler's words, our verdicts on it):"]
    theirs_failed: set[str] = set()
    missed = 0
    for f in sorted(run.findings, key=lambda f: (f.check, f.resource)):
        if f.status != "FAIL":
            continue
        theirs_failed.add(f.resource)
        counts = ours.get(f.resource)
        if counts and counts["FAIL"]:
            continue
        missed += 1
        lines.append(f"  {f.check}: {f.resource}")
        lines += [f"    Prowler: {f.detail}", f"    {_describe(counts)}"]
    if not missed:
        lines.append("  none")
    lines.append("We FAIL and Prowler does not:")
    extra = _our_failures(document["findings"], theirs_failed)
    lines += [f"  {check}: {name}" for check, name in extra] or ["  none"]
    return lines


def _our_failures(findings: Iterable[Mapping[str, Any]], theirs: set[str]) -> list[tuple[str, str]]:
    out = []
    for finding in findings:
        resource = finding.get("resource") or {}
        if finding["status"] == "FAIL" and not _keys(resource) & theirs:
            out.append((finding["check_id"], resource.get("arn") or finding.get("scope") or "?"))
    return sorted(set(out))
