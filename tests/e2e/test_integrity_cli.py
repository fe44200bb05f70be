"""`safeguard keygen`, `scan --sign-key`, `verify --public-key` and `report` as a user runs them:
what each forgery of a run folder looks like to `verify`, and the exit code it gets."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.e2e.test_scan_cli import PROGRAMS, run

FIXTURES = PROGRAMS.parent / "fixtures" / "pulumi"
PREVIEW = FIXTURES / "preview_first_create.json"
ENV = {"SOURCE_DATE_EPOCH": "1796083200"}


def _manifest(out: Path) -> None:
    """What a forger does after editing: recompute manifest.json over what is there."""
    from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME, write_manifest

    files = [p.name for p in out.iterdir() if p.name not in (MANIFEST_NAME, SIGNATURE_NAME)]
    write_manifest(out, files)


def _flip_a_failure(record_path: Path) -> dict:
    """The forger's consistent edit: one failure becomes a pass, counts and gate agree."""
    record = json.loads(record_path.read_text())
    failing = next(f for f in record["findings"] if f["status"] == "FAIL")
    failing["status"] = "PASS"
    record["summary"]["findings"]["FAIL"] -= 1
    record["summary"]["findings"]["PASS"] += 1
    record["gate"]["blocking_failures"] -= 1
    record_path.write_text(json.dumps(record))
    return record


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys") / "k"
    proc = run("keygen", "--out", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "Fingerprint: SHA256:" in proc.stdout
    private, public = folder / "safeguard-signing.key", folder / "safeguard-signing.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert run("keygen", "--out", str(folder)).returncode == 2  # never replaces a key
    return private, public


@pytest.fixture(scope="module")
def signed_run(tmp_path_factory, keys) -> Path:
    """A signed run with a PDF (printed by Chromium: done once for the module)."""
    out = tmp_path_factory.mktemp("signed") / "run"
    proc = run(
        "scan",
        "--preview",
        str(PREVIEW),
        "--format",
        "json,md,html,pdf",
        "--out",
        str(out),
        "--sign-key",
        str(keys[0]),
        "-q",
        env=ENV,
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert (out / "manifest.sig").is_file()
    return out


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(run_dir, target)
    return target


def test_an_untouched_signed_run_verifies_with_its_public_key(signed_run, keys):
    proc = run("verify", str(signed_run), "--public-key", str(keys[1]))
    assert proc.returncode == 0, proc.stderr
    assert "manifest.sig holds for the key given" in proc.stdout
    unkeyed = run("verify", str(signed_run))
    assert unkeyed.returncode == 0
    assert "authenticity was NOT checked" in unkeyed.stderr


def test_edited_json_with_a_recomputed_manifest_is_caught_without_a_key(signed_run, tmp_path):
    """The issue's case: `verify` accepted it. The HTML and the PDF still print the digest of
    the record as it was written."""
    out = _copy(signed_run, tmp_path)
    _flip_a_failure(out / "safeguard-scan.json")
    (out / "manifest.sig").unlink()
    _manifest(out)
    proc = run("verify", str(out))
    assert proc.returncode == 1
    assert "safeguard-report.html: prints the run document's SHA-256 as" in proc.stderr
    if shutil.which("pdftotext"):
        assert "safeguard-report.pdf: prints the run document's SHA-256 as" in proc.stderr


def test_the_pdf_alone_still_carries_the_digest(signed_run, tmp_path):
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("CI is set but pdftotext is missing: run scripts/setup-browser.sh")
        pytest.skip("poppler-utils (pdftotext) is not installed")
    out = _copy(signed_run, tmp_path)
    _flip_a_failure(out / "safeguard-scan.json")
    (out / "safeguard-report.html").unlink()
    (out / "manifest.sig").unlink()
    _manifest(out)
    proc = run("verify", str(out))
    assert proc.returncode == 1
    assert "safeguard-report.pdf: prints the run document's SHA-256 as" in proc.stderr


def test_a_consistent_rewrite_passes_without_the_key_and_fails_with_it(signed_run, keys, tmp_path):
    out = _copy(signed_run, tmp_path)
    _flip_a_failure(out / "safeguard-scan.json")
    rerendered = tmp_path / "rerendered"
    proc = run(
        "report", str(out / "safeguard-scan.json"), "--out", str(rerendered), "--format", "md,html"
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("safeguard-scan.md", "safeguard-report.html"):
        shutil.copy(rerendered / name, out / name)
    (out / "safeguard-report.pdf").unlink()
    _manifest(out)  # manifest.sig kept: the forger hopes it is not checked
    unkeyed = run("verify", str(out))
    assert unkeyed.returncode == 0  # consistent files: what a manifest alone can show
    assert "authenticity was NOT checked" in unkeyed.stderr
    keyed = run("verify", str(out), "--public-key", str(keys[1]))
    assert keyed.returncode == 1
    assert "the manifest was changed after it was signed" in keyed.stderr
    (out / "manifest.sig").unlink()
    dropped = run("verify", str(out), "--public-key", str(keys[1]))
    assert dropped.returncode == 1 and "not signed" in dropped.stderr


def test_an_empty_manifest_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text('{"algorithm": "sha256", "files": []}\n')
    proc = run("verify", str(tmp_path))
    assert proc.returncode == 1
    assert "manifest.json lists no files" in proc.stderr


def test_usage_errors_of_verify_and_scan_signing_are_exit_2(signed_run, tmp_path):
    missing = tmp_path / "nope.pub"
    proc = run("verify", str(signed_run), "--public-key", str(missing))
    assert proc.returncode == 2 and f"{missing}: no such key file" in proc.stderr
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    proc = run(
        "scan", "--preview", str(PREVIEW), "--out", str(tmp_path / "o"), "--sign-key", str(bad)
    )
    assert proc.returncode == 2 and f"{bad}: not a PEM private key" in proc.stderr
    assert not (tmp_path / "o").exists()  # refused before the run
    assert "Traceback" not in proc.stderr


def test_report_refuses_the_issue_edit_of_the_gate(signed_run, tmp_path):
    record = json.loads((signed_run / "safeguard-scan.json").read_text())
    assert record["gate"]["exit_code"] == 1 and record["summary"]["findings"]["FAIL"] > 0
    record["gate"]["exit_code"] = 0
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(record))
    proc = run("report", str(edited), "--out", str(tmp_path / "out"), "--format", "md")
    assert proc.returncode == 2
    assert f"{edited}: the stored gate disagrees with its own findings" in proc.stderr
    assert not (tmp_path / "out" / "safeguard-scan.md").exists()
