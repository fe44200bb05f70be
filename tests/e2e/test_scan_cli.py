"""`safeguard scan` run as a subprocess, as a user would: exit codes, files, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "programs"
SAFEGUARD = Path(sys.executable).with_name("safeguard")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [str(SAFEGUARD), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def findings(out: Path) -> list[dict]:
    return json.loads((out / "safeguard-scan.json").read_text())["findings"]


@pytest.fixture(scope="module")
def repo_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("repo")
    return run("scan", "--out", str(out)), out


def test_repo_program_passes_every_check(repo_scan):
    proc, out = repo_scan
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "safeguard-scan.json").read_text())
    statuses = {f["status"] for f in doc["findings"]}
    bad = [f for f in doc["findings"] if f["status"] in ("FAIL", "NOT_EVALUATED")]
    assert not bad, bad
    assert "PASS" in statuses
    assert doc["schema_version"] == "1.0"
    assert doc["source"]["project"] == "hipaa-billing"
    assert doc["inventory"]["by_type"]["aws:rds/instance:Instance"] == 1
    # The dev stack as it stands: 265 passing findings from 74 checks, two waived, nothing failing.
    assert doc["summary"]["findings"] == {
        "FAIL": 0, "NOT_APPLICABLE": 19, "NOT_EVALUATED": 0, "PASS": 265, "WAIVED": 2
    }  # fmt: skip
    assert len({f["check_id"] for f in doc["findings"] if f["status"] == "PASS"}) == 74
    assert f"Report written: {out / 'safeguard-scan.md'}" in proc.stdout


def test_repo_program_prod_stack_passes_too(tmp_path):
    proc = run("scan", "--stack", "prod", "--out", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    statuses = {f["status"] for f in findings(tmp_path)}
    assert statuses <= {"PASS", "NOT_APPLICABLE"}, statuses  # prod: nothing waived
    assert "PASS" in statuses


@pytest.fixture(scope="module")
def insecure_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("insecure")
    return run("scan", str(PROGRAMS / "insecure"), "--out", str(out)), out


def _failure(out: Path, check_id: str) -> dict:
    matches = [f for f in findings(out) if f["check_id"] == check_id and f["status"] == "FAIL"]
    assert matches, f"expected {check_id} to fail"
    return matches[0]


def test_insecure_program_fails_with_resource_check_citation_and_observed_value(insecure_scan):
    proc, out = insecure_scan
    assert proc.returncode == 1, proc.stderr
    db = _failure(out, "rds_storage_encrypted_cmk")
    assert db["resource"]["type"] == "aws:rds/instance:Instance"
    assert "164.312(a)(2)(iv)" in db["citations"]
    assert db["evidence"]["storage_encrypted"] is False

    public = _failure(out, "s3_bucket_public_access_blocked")
    assert public["resource"]["type"] == "aws:s3/bucket:Bucket"
    assert public["severity"] == "critical"

    ssh = _failure(out, "sg_no_internet_admin_ports")
    rules = ssh["evidence"]["offending_rules"]
    assert any(r["cidr"] == "0.0.0.0/0" and 22 in r["exposed_ports"] for r in rules), rules
    assert "164.312(e)(1)" in ssh["citations"]

    md = (out / "safeguard-scan.md").read_text()
    assert "rds_storage_encrypted_cmk" in md and "storage_encrypted=false" in md
    assert len(md) < 60_000


def test_fail_on_threshold_decides_the_exit_code(tmp_path):
    # The insecure program's worst failures are critical: a critical threshold still blocks.
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", str(tmp_path), "--fail-on", "critical")
    assert proc.returncode == 1
    doc = json.loads((tmp_path / "safeguard-scan.json").read_text())
    criticals = [
        f for f in doc["findings"] if f["status"] == "FAIL" and f["severity"] == "critical"
    ]
    assert doc["gate"]["blocking_failures"] == len(criticals) > 0


def test_same_input_gives_same_bytes(tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        proc = run("scan", str(PROGRAMS / "insecure"), "--out", str(out), env=env)
        assert proc.returncode == 1, proc.stderr
    for name in ("safeguard-scan.json", "safeguard-scan.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (
        json.loads((a / "safeguard-scan.json").read_text())["generated_at"]
        == "2026-09-21T14:13:20Z"
    )


def test_program_with_data_sources_and_output_arithmetic_scans_to_a_verdict(tmp_path):
    proc = run("scan", str(PROGRAMS / "datasources"), "--out", str(tmp_path))
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads((tmp_path / "safeguard-scan.json").read_text())
    assert doc["inventory"]["components"] >= 1
    assert doc["inventory"]["providers"] >= 1
    types = doc["inventory"]["by_type"]
    assert types.get("aws:route53/record:Record") == 1  # built from a certificate's outputs
    assert types.get("aws:ec2/instance:Instance") == 1  # built from an AMI lookup


def _error_line(proc) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("safeguard: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("raises", "the program raised ValueError: the billing tier is not configured"),
        ("missing_import", "imports 'pulumi_acme_does_not_exist', which is not installed"),
        ("needs_config", "needs configuration 'needs_config:dbName': pass --config"),
        ("bad_stack_yaml", "Pulumi.dev.yaml: line 4: malformed YAML"),
    ],
)
def test_broken_programs_get_one_clear_line_and_exit_2(tmp_path, program, expected):
    line = _error_line(run("scan", str(PROGRAMS / program), "--out", str(tmp_path)))
    assert expected in line
    assert not (tmp_path / "safeguard-scan.json").exists()


def test_missing_directory_and_non_project_directory(tmp_path):
    line = _error_line(run("scan", str(tmp_path / "nope")))
    assert line.endswith(f"{tmp_path / 'nope'}: no such directory")
    line = _error_line(run("scan", str(tmp_path)))
    assert "no Pulumi.yaml here" in line


def test_bad_options_are_usage_errors(tmp_path):
    assert "unknown format" in _error_line(run("scan", "--format", "pdfx", "--out", str(tmp_path)))
    assert "unknown severity" in _error_line(run("scan", "--fail-on", "urgent"))
    assert run("scan", "--no-such-flag").returncode == 2


def test_help_documents_the_exit_codes():
    proc = run("scan", "--help")
    assert proc.returncode == 0
    for code in (
        "0  no check failed",
        "1  at least one check failed",
        "2  usage or input",
        "3  no blocking",
    ):
        assert code in proc.stdout


def _artifact_texts(out: Path) -> list[str]:
    """Every artifact of a run as text; the PDF through pdftotext, as a reader would see it."""
    texts = []
    for path in sorted(out.iterdir()):
        if path.suffix == ".pdf":
            texts.append(
                subprocess.run(
                    ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
                ).stdout
            )
        else:
            texts.append(path.read_text())
    return texts


def test_secret_config_values_reach_no_output_and_no_log(tmp_path):
    token = "tok-Zq8Hh2LmYx41"
    proc = run(
        "scan",
        str(PROGRAMS / "secrets"),
        "--secret",
        f"apiToken={token}",
        "--format",
        "all",
        "--out",
        str(tmp_path),
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    texts = [proc.stdout, proc.stderr, *_artifact_texts(tmp_path)]
    assert len(texts) == 2 + 9  # stdout, stderr, eight formats and the manifest
    for text in texts:
        assert token not in text
        assert "secret-placeholder" not in text  # the stand-in for a `secure:` stack value
        assert "v1:AAAAAAAAAAAAAAAA" not in text  # the ciphertext from Pulumi.dev.yaml
    doc = json.loads((tmp_path / "safeguard-scan.json").read_text())
    assert "secrets:dbPassword" in doc["source"]["secret_config_keys"]
    assert "secrets:apiToken" in doc["source"]["secret_config_keys"]


def test_ephi_in_object_keys_items_and_streams_reaches_no_artifact(tmp_path):
    proc = run(
        "scan",
        str(PROGRAMS / "ephi_objects"),
        "--secret",
        "apiToken=tok-Pq7Rt5Wz9Lm3",
        "--format",
        "all",
        "--out",
        str(tmp_path),
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    seeded = ("patient-4711", "Jane Roe", "078-05-1120", "F32.9", "MRN-88213", "tok-Pq7Rt5Wz9Lm3")
    for text in [proc.stdout, proc.stderr, *_artifact_texts(tmp_path)]:
        for value in seeded:
            assert value not in text
    doc = json.loads((tmp_path / "safeguard-scan.json").read_text())
    types = doc["inventory"]["by_type"]
    assert types["aws:s3/bucketObjectv2:BucketObjectv2"] == 1  # seen, counted, never repeated
    assert types["aws:dynamodb/tableItem:TableItem"] == 1


def test_registered_stack_transforms_are_applied_as_the_engine_would(tmp_path):
    # Pulumi's mock monitor only records transforms; the scan runs them, so a program hardened
    # by a transform is judged on what it would really deploy.
    proc = run(
        "scan", str(REPO / "tests" / "program" / "insecure_for_transform"), "--out", str(tmp_path)
    )
    assert proc.returncode == 1, proc.stderr
    status = {
        (f["check_id"], f["resource"]["name"]): f["status"]
        for f in findings(tmp_path)
        if f["resource"]
    }
    assert status[("rds_storage_encrypted_cmk", "patients-db")] == "PASS"
    assert status[("kms_key_rotation_enabled", "customer-key")] == "PASS"
    assert status[("ec2_imdsv2_required", "report-worker")] == "PASS"
    # ... and what a transform cannot fix stays failing.
    assert status[("sg_no_internet_admin_ports", "ssh-from-anywhere")] == "FAIL"
    assert status[("s3_bucket_tls_only", "patient-exports")] == "FAIL"


def test_sarif_points_at_the_line_that_declared_the_resource(tmp_path):
    proc = run(
        "scan", str(PROGRAMS / "insecure"), "--format", "sarif", "--out", str(tmp_path), cwd=REPO
    )
    assert proc.returncode == 1, proc.stderr
    source = (PROGRAMS / "insecure" / "__main__.py").read_text().splitlines()
    line = next(i for i, text in enumerate(source, 1) if '"ssh-from-anywhere"' in text)
    sarif = json.loads((tmp_path / "safeguard-scan.sarif").read_text())
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    result = next(
        r
        for r in sarif["runs"][0]["results"]
        if rules[r["ruleIndex"]] == "sg_no_internet_admin_ports"
    )
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/programs/insecure/__main__.py"
    # the SDK records the line of the call's first line or of the name argument
    assert location["region"]["startLine"] in range(line - 1, line + 1)


def test_relative_out_folder_as_the_readme_uses_it(tmp_path):
    proc = run("scan", str(PROGRAMS / "insecure"), "--out", "report", "-q", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "report" / "manifest.json").is_file()
    assert run("verify", "report", cwd=tmp_path).returncode == 0
