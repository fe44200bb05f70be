"""Integrity that means something: the manifest, the digest the reports print, and an Ed25519
signature over the manifest (the stored gate: test_integrity_gate.py)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from checks.aws import detection, rds
from checks.errors import InputError
from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.record import build_record
from reports.html import render_html
from reports.integrity import verify_run
from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME, verify, write_manifest
from reports.renderers import build_renderers
from reports.signing import (
    PRIVATE_KEY_NAME,
    PUBLIC_KEY_NAME,
    generate_keypair,
    load_private_key,
    load_public_key,
    sign_manifest,
    signature_problems,
)
from scripts.cli import main
from scripts.output import write_outputs

REGISTRY = build_registry([detection, rds])
ARTIFACTS = ["safeguard-scan.json", "safeguard-scan.md", "safeguard-report.html"]


def _db(name: str, **props) -> Resource:
    base = {"engine": "postgres", "storage_encrypted": False, "deletion_protection": False}
    return Resource(
        "aws:rds/instance:Instance",
        name,
        {**base, **props},
        urn=f"urn:pulumi:dev::demo::aws:rds/instance:Instance::{name}",
        id=name,
        account="111122223333",
        region="us-east-1",
    )


def _record(profile: str = "default") -> dict:
    inputs = PolicyInputs(profile=load_profile(profile), framework=load_framework())
    evaluation = evaluate(Inventory([_db("db-a"), _db("db-b")]), REGISTRY)
    assessment = assess(
        evaluation, inputs, source={"kind": "state"}, generated_at="2026-11-26T00:00:00Z"
    )
    return build_record(assessment)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, Path]:
    private, public, _ = generate_keypair(tmp_path_factory.mktemp("keys"))
    return private, public


def _write_run(out: Path, record: dict, key_path: Path | None = None) -> Path:
    renderers = build_renderers()
    write_outputs(record, ["json", "md", "html"], renderers, out, True)
    if key_path is not None:
        sign_manifest(out, load_private_key(key_path))
    return out


def _edit_record(out: Path) -> dict:
    """The forger's edit: one failure turned into a pass, counts and gate made to agree."""
    record = json.loads((out / "safeguard-scan.json").read_text())
    failing = next(f for f in record["findings"] if f["status"] == "FAIL")
    failing["status"] = "PASS"
    counts = record["summary"]["findings"]
    counts["FAIL"] -= 1
    counts["PASS"] += 1
    record["gate"]["blocking_failures"] -= 1
    (out / "safeguard-scan.json").write_text(json.dumps(record))
    return record


# -- the manifest ---------------------------------------------------------------------------


def test_a_manifest_listing_no_files_vouches_for_nothing(tmp_path):
    write_manifest(tmp_path, [])
    assert verify(tmp_path) == ["manifest.json lists no files: it vouches for nothing"]
    assert main(["verify", str(tmp_path)]) == 1


def test_an_intact_run_verifies_and_says_authenticity_was_not_checked(tmp_path, capsys):
    out = _write_run(tmp_path / "run", _record())
    result = verify_run(out, None)
    assert result.problems == ()
    assert any("not signed: authenticity was NOT checked" in n for n in result.notes)
    assert main(["verify", str(out)]) == 0
    assert "authenticity was NOT checked" in capsys.readouterr().err


# -- the printed digest ---------------------------------------------------------------------


def test_an_edited_record_with_a_recomputed_manifest_is_caught_by_the_printed_digest(tmp_path):
    """The issue's case: JSON edited, manifest.json recomputed to match."""
    out = _write_run(tmp_path / "run", _record())
    _edit_record(out)
    write_manifest(out, ARTIFACTS)
    assert verify(out) == []  # the manifest alone is fooled
    problems = verify_run(out, None).problems
    assert [p.split(":")[0] for p in problems] == ["safeguard-report.html", "safeguard-scan.md"]
    assert all(": prints the run document's SHA-256 as " in p for p in problems)
    assert main(["verify", str(out)]) == 1


def test_the_default_formats_json_and_md_catch_the_same_edit(tmp_path):
    out = tmp_path / "run"
    write_outputs(_record(), ["json", "md"], build_renderers(), out, True)
    assert verify_run(out, None).problems == ()
    _edit_record(out)
    write_manifest(out, ["safeguard-scan.json", "safeguard-scan.md"])
    (problem,) = verify_run(out, None).problems
    assert problem.startswith("safeguard-scan.md: prints the run document's SHA-256 as ")
    assert main(["verify", str(out)]) == 1


def test_a_summary_without_its_digest_line_is_noted_not_trusted(tmp_path):
    out = tmp_path / "run"
    write_outputs(_record(), ["json", "md"], build_renderers(), out, True)
    md = out / "safeguard-scan.md"
    md.write_text("\n".join(md.read_text().splitlines()[:-1]) + "\n")
    write_manifest(out, ["safeguard-scan.json", "safeguard-scan.md"])
    result = verify_run(out, None)
    assert result.problems == ()
    assert "safeguard-scan.md names no run document digest: it was not cross-checked" in (
        result.notes
    )


def test_a_report_printing_no_digest_or_an_edited_one_is_a_problem(tmp_path):
    out = _write_run(tmp_path / "run", _record())
    html = out / "safeguard-report.html"
    text = html.read_text()
    digest = text.split('name="document-sha256" content="')[1][:64]
    # only the visible cover digest changed, the meta tag left alone
    cover = text.replace(
        f'<code class="hash">{digest}</code>', f'<code class="hash">{"0" * 64}</code>', 1
    )
    html.write_text(cover)
    write_manifest(out, ARTIFACTS)
    assert any("0" * 64 in p for p in verify_run(out, None).problems)
    html.write_text(text.replace(digest, "").replace('name="document-sha256"', 'name="x"'))
    write_manifest(out, ARTIFACTS)
    assert "safeguard-report.html: prints no SHA-256 of the run document" in (
        verify_run(out, None).problems
    )


def test_a_resource_name_that_looks_like_a_digest_does_not_upset_an_honest_run(tmp_path):
    record = _record()
    record["findings"][0]["message"] = "Document SHA-256 " + "ab" * 32
    record["findings"][1]["message"] = "\n<sub>run document SHA-256 `" + "cd" * 32 + "`</sub>\n"
    record["findings"][2]["resource"] = {"type": "t", "name": '<code class="hash">' + "ef" * 32}
    out = _write_run(tmp_path / "run", record)
    html, md = (out / "safeguard-report.html").read_text(), (out / "safeguard-scan.md").read_text()
    assert "ab" * 32 in html and "cd" * 32 in html and "ef" * 32 in html and "ef" * 10 in md
    assert verify_run(out, None).problems == ()


# -- the signature --------------------------------------------------------------------------


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_replaces_one(tmp_path):
    private, public, fingerprint = generate_keypair(tmp_path / "k")
    assert (private.name, public.name) == (PRIVATE_KEY_NAME, PUBLIC_KEY_NAME)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert fingerprint.startswith("SHA256:") and len(fingerprint) == 7 + 64
    before = private.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        generate_keypair(tmp_path / "k")
    assert private.read_bytes() == before


def test_a_signed_run_verifies_with_the_signers_key(tmp_path, keys):
    private, public = keys
    out = _write_run(tmp_path / "run", _record(), private)
    sig = json.loads((out / SIGNATURE_NAME).read_text())
    assert sig["algorithm"] == "ed25519" and sig["signed_file"] == MANIFEST_NAME
    assert verify_run(out, load_public_key(public)).problems == ()
    assert main(["verify", str(out), "--public-key", str(public)]) == 0


def test_a_consistent_rewrite_is_caught_only_by_the_signature(tmp_path, keys, capsys):
    """Every file rewritten consistently (reports re-rendered from the edited record, manifest
    recomputed): nothing but the signature can tell, and it does."""
    private, public = keys
    out = _write_run(tmp_path / "run", _record(), private)
    forged = _edit_record(out)
    (out / "safeguard-report.html").write_text(render_html(forged))
    (out / "safeguard-scan.md").unlink()
    write_manifest(out, ARTIFACTS[:1] + ARTIFACTS[2:])
    # Without the key, verify finds the files consistent, and says what it did not check.
    without = verify_run(out, None)
    assert without.problems == ()
    assert any("authenticity was NOT checked" in n for n in without.notes)
    (problem,) = signature_problems(out, load_public_key(public))
    assert "does not match manifest.json" in problem
    assert main(["verify", str(out), "--public-key", str(public)]) == 1
    assert "the manifest was changed after it was signed" in capsys.readouterr().err


def test_a_forger_signing_with_their_own_key_or_dropping_the_signature_is_caught(tmp_path, keys):
    _, public = keys
    out = _write_run(tmp_path / "run", _record())
    forger_key, _, forger_fp = generate_keypair(tmp_path / "forger")
    sign_manifest(out, load_private_key(forger_key))
    (problem,) = signature_problems(out, load_public_key(public))
    assert forger_fp in problem and "not by the key given" in problem
    (out / SIGNATURE_NAME).unlink()
    (problem,) = signature_problems(out, load_public_key(public))
    assert problem.startswith("not signed")
    assert main(["verify", str(out), "--public-key", str(public)]) == 1


def test_a_mangled_signature_file_is_a_problem_not_a_crash(tmp_path, keys):
    private, public = keys
    out = _write_run(tmp_path / "run", _record(), private)
    sig = out / SIGNATURE_NAME
    document = json.loads(sig.read_text())
    for mangled in (
        "{not json",
        json.dumps({**document, "signature": "!!notbase64"}),
        json.dumps({**document, "algorithm": "rsa"}),
        json.dumps([1, 2]),
    ):
        sig.write_text(mangled)
        assert verify_run(out, load_public_key(public)).problems
        assert main(["verify", str(out), "--public-key", str(public)]) == 1


def _rsa_pem(tmp_path: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = tmp_path / "rsa.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = tmp_path / "rsa.pub"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def test_unusable_keys_are_input_errors_naming_the_file(tmp_path, keys):
    rsa_private, rsa_public = _rsa_pem(tmp_path)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"\xff\xfe not a key")
    private, _ = keys
    cases = [
        (load_public_key, tmp_path / "missing.pub", "no such key file"),
        (load_public_key, garbage, "not a PEM public key"),
        (load_public_key, rsa_public, "not an Ed25519 public key"),
        (load_public_key, private, "not a PEM public key"),
        (load_private_key, garbage, "not a PEM private key"),
        (load_private_key, rsa_private, "not an Ed25519 private key"),
    ]
    for loader, path, message in cases:
        with pytest.raises(InputError) as err:
            loader(path)
        assert str(err.value).startswith(f"{path}: ") and message in str(err.value)
    out = _write_run(tmp_path / "run", _record())
    assert main(["verify", str(out), "--public-key", str(rsa_public)]) == 2


def test_a_shortened_summary_still_names_its_record(tmp_path, monkeypatch):
    import reports.markdown

    monkeypatch.setattr(reports.markdown, "MAX_CHARS", 1500)
    out = tmp_path / "run"
    write_outputs(_record(), ["json", "md"], build_renderers(), out, True)
    text = (out / "safeguard-scan.md").read_text()
    assert "more failure(s): see the JSON report" in text
    assert text.splitlines()[-1].startswith("<sub>run document SHA-256 `")
    assert verify_run(out, None).problems == ()
    _edit_record(out)
    write_manifest(out, ["safeguard-scan.json", "safeguard-scan.md"])
    assert verify_run(out, None).problems
