"""The runs whose every artifact must stay byte-identical while the code is reshaped.

Each case is a `safeguard` command run as a user would run it, in a scratch folder outside any
git work tree (so no commit is recorded) with `SOURCE_DATE_EPOCH` pinned. What a case yields is
a record of its exit code, its output (scratch paths replaced) and the SHA-256 of every file it
wrote; a PDF is compared by its text (Chromium stamps each print with its own id), and the
manifest without the PDF's digest for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
SAFEGUARD = Path(sys.executable).with_name("safeguard")
EPOCH = "1796083200"  # 2026-12-01: the repository's dev waivers are in force
ALL_BUT_PDF = "json,md,html,sarif,junit,ocsf,csv"

# Copied into the scratch folder under the name on the left.
_REPO_PROGRAM = ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "stacks")
_SLA = "high: 14\nvery high: 3\n"
_OVERRIDES = """\
- check: s3_bucket_versioning_enabled
  likelihood: low
  by: Dana Lee, Security Official
  reason: the bucket holds only regenerable exports
  date: "2026-09-01"
"""

_WAIVERS = """\
waivers:
  - id: W-GOLD-1
    check: rds_storage_encrypted_cmk
    resource_pattern: "urn:pulumi:dev::insecure::aws:rds/instance:Instance::patients-*"
    type: risk_acceptance
    justification: synthetic data only, until the migration in ticket SEC-12
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: 2027-01-31
  - id: W-GOLD-2
    check: sg_no_internet_admin_ports
    resources: ["urn:pulumi:dev::insecure::aws:ec2/securityGroup:SecurityGroup::ssh-from-anywhere"]
    type: compensating_control
    justification: a bastion host in front of it until the VPN lands
    approver: Dana Lee, Security Official
    approved: 2026-06-01
    expires: 2026-10-31
"""


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    # Programs to copy in: scratch name -> path in the repository (a folder, or the repo's own
    # program when the value is ".").
    programs: dict[str, str] = field(default_factory=dict)
    # Extra files written into the scratch folder before the run.
    files: dict[str, str] = field(default_factory=dict)
    # Cases whose output folder this one reads (run first, in the same scratch folder).
    after: tuple[str, ...] = ()


def _program(name: str) -> dict[str, str]:
    return {name: f"tests/programs/{name}"}


def _cases() -> list[Case]:
    cases = [
        Case("stacks_dev", ("scan", "prog", "--format", "all", "--out", "out"), {"prog": "."}),
        Case(
            "stacks_prod",
            ("scan", "prog", "--stack", "prod", "--format", ALL_BUT_PDF, "--out", "out"),
            {"prog": "."},
        ),
        Case(
            "transform",
            ("scan", "t/p/prog", "--format", ALL_BUT_PDF, "--out", "out"),
            # The program finds stacks/hardening.py three folders up, as in the repository.
            {"t/p/prog": "tests/program/insecure_for_transform", "stacks": "stacks"},
        ),
    ]
    # The sample programs (tests/programs/corpus holds the program corpus, checked by
    # tests/e2e/test_program_corpus.py rather than byte for byte).
    samples = (p for p in (REPO / "tests" / "programs").iterdir() if (p / "Pulumi.yaml").is_file())
    for name in sorted(p.name for p in samples):
        cases.append(
            Case(
                f"program_{name}",
                ("scan", name, "--format", ALL_BUT_PDF, "--out", "out"),
                _program(name),
            )
        )
    cases.append(
        Case(
            "program_ephi_objects_given",
            (
                "scan",
                "ephi_objects",
                "--secret",
                "apiToken=tok-Golden-Pq7Rt5",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("ephi_objects"),
        )
    )
    cases += [
        Case(
            "program_insecure_pdf",
            ("scan", "insecure", "--format", "pdf,json", "--out", "out", "-q"),
            _program("insecure"),
        ),
        Case(
            "program_secrets_given",
            (
                "scan",
                "secrets",
                "--secret",
                "apiToken=S3cr3t-Golden-Tok!",
                "--secret",
                "dbPassword=S3cr3t-Golden-Pw!",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("secrets"),
        ),
        Case(
            "program_needs_config_given",
            (
                "scan",
                "needs_config",
                "--config",
                "dbName=golden",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("needs_config"),
        ),
        Case(
            "policy_inputs",
            (
                "scan",
                "insecure",
                "--profile",
                "strict",
                "--fail-on",
                "high",
                "--attestations",
                "attestations.yaml",
                "--sla",
                "sla.yaml",
                "--risk-overrides",
                "overrides.yaml",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("insecure"),
            {"sla.yaml": _SLA, "overrides.yaml": _OVERRIDES},
        ),
        Case(
            "trend",
            (
                "scan",
                "insecure",
                "--config",
                "aws:region=us-east-1",
                "--previous",
                "first/safeguard-scan.json",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("insecure"),
            {},
        ),
        Case(
            "rerender",
            ("report", "first", "--format", ALL_BUT_PDF, "--out", "out"),
            _program("insecure"),
        ),
        Case(
            "waivers_file",
            (
                "scan",
                "insecure",
                "--waivers",
                "waivers.yaml",
                "--format",
                ALL_BUT_PDF,
                "--out",
                "out",
            ),
            _program("insecure"),
            {"waivers.yaml": _WAIVERS},
        ),
        Case(
            "advisory",
            ("scan", "insecure", "--profile", "advisory", "--out", "out", "-q"),
            _program("insecure"),
        ),
        Case(
            "fail_on_critical",
            ("scan", "insecure", "--fail-on", "critical", "--out", "out"),
            _program("insecure"),
        ),
        Case("list_checks", ("checks",)),
        Case("list_framework", ("framework",)),
    ]
    for fixture in sorted(FIXTURES.glob("*.json")):
        kind = "preview" if fixture.name.startswith("preview") else "state"
        cases.append(
            Case(
                f"{kind}_{fixture.stem.removeprefix(kind + '_')}",
                (
                    "scan",
                    f"--{kind}",
                    f"fixtures/{fixture.name}",
                    "--format",
                    ALL_BUT_PDF,
                    "--out",
                    "out",
                ),
            )
        )
    return cases


CASES = {case.name: case for case in _cases()}
# Runs whose output folder "first" a case reads: the insecure program's plain scan.
_FIRST = ("scan", "insecure", "--format", "json", "--out", "first", "-q")


def _copy_in(case: Case, scratch: Path) -> None:
    for target, origin in case.programs.items():
        dest = scratch / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        if origin == ".":
            dest.mkdir()
            for name in _REPO_PROGRAM:
                src = REPO / name
                if src.is_dir():
                    shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(src, dest / name)
            shutil.copytree(REPO / "policies" / "waivers", dest / "policies" / "waivers")
        else:
            shutil.copytree(REPO / origin, dest, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FIXTURES, scratch / "fixtures")
    shutil.copy2(REPO / "policies" / "attestations.example.yaml", scratch / "attestations.yaml")
    for name, text in case.files.items():
        (scratch / name).write_text(text, encoding="utf-8")


def _run(args: tuple[str, ...], scratch: Path) -> subprocess.CompletedProcess:
    # The case's own run history: the recorded run's id depends only on this case.
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "COLUMNS": "200",
        "SAFEGUARD_HISTORY": str(scratch / "history.sqlite"),
    }
    return subprocess.run(
        [str(SAFEGUARD), *args],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


def _pdf_text(path: Path) -> bytes:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=120
    ).stdout


def _digest(path: Path) -> str:
    if path.suffix == ".pdf":
        return "text:" + hashlib.sha256(_pdf_text(path)).hexdigest()
    if path.name == "manifest.json":
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in manifest.get("files", []):
            if str(entry.get("path", "")).endswith(".pdf"):
                entry.pop("sha256", None)
                entry.pop("size", None)
        data = json.dumps(manifest, sort_keys=True).encode()
        return "sans-pdf:" + hashlib.sha256(data).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_case(case: Case, scratch: Path, keep: Path | None = None) -> dict:
    """Run one case in an empty scratch folder; the record that must not change."""
    _copy_in(case, scratch)
    if case.name in ("trend", "rerender"):
        first = _run(_FIRST, scratch)
        assert first.returncode == 1, first.stderr
    proc = _run(case.args, scratch)
    out = scratch / "out"
    files = {}
    if out.is_dir():
        files = {p.name: _digest(p) for p in sorted(out.iterdir()) if p.is_file()}
        if keep is not None:
            shutil.copytree(out, keep / case.name, dirs_exist_ok=True)

    def clean(text: str) -> list[str]:
        text = text.replace(str(scratch), "<scratch>").replace(sys.executable, "<python>")
        return text.replace(str(Path(sys.executable).parent), "<venv-bin>").splitlines()

    return {
        "exit_code": proc.returncode,
        "stdout": clean(proc.stdout),
        "stderr": clean(proc.stderr),
        "files": files,
    }
