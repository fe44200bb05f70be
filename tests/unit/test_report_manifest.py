"""The artifact manifest: SHA-256 and size of every file, and verification that finds tampering."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reports.manifest import MANIFEST_NAME, ManifestMissing, verify, write_manifest


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "safeguard-scan.json").write_text('{"findings": []}\n')
    (tmp_path / "safeguard-scan.md").write_text("# report\n")
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "preview.json").write_bytes(b"\x00\x01binary")
    return tmp_path


FILES = ["safeguard-scan.md", "safeguard-scan.json", "evidence/preview.json"]


def test_manifest_lists_sorted_digests_and_sizes(run_dir):
    path = write_manifest(run_dir, FILES)
    assert path == run_dir / MANIFEST_NAME
    data = json.loads(path.read_text())
    assert data["algorithm"] == "sha256"
    assert [e["path"] for e in data["files"]] == sorted(FILES)
    preview = data["files"][0]
    assert preview == {
        "path": "evidence/preview.json",
        "sha256": hashlib.sha256(b"\x00\x01binary").hexdigest(),
        "size": 8,
    }


def test_same_artifacts_same_manifest_bytes(run_dir):
    first = write_manifest(run_dir, FILES).read_bytes()
    assert write_manifest(run_dir, reversed(FILES)).read_bytes() == first
    absolute = [run_dir / f for f in FILES]
    assert write_manifest(run_dir, absolute).read_bytes() == first


def test_untouched_artifacts_verify_clean(run_dir):
    write_manifest(run_dir, FILES)
    assert verify(run_dir) == []


def test_one_changed_byte_is_detected(run_dir):
    write_manifest(run_dir, FILES)
    target = run_dir / "safeguard-scan.json"
    data = bytearray(target.read_bytes())
    data[2] ^= 0x01
    target.write_bytes(bytes(data))
    assert verify(run_dir) == ["changed: safeguard-scan.json"]


def test_missing_and_unlisted_artifacts_are_reported(run_dir):
    write_manifest(run_dir, FILES)
    (run_dir / "safeguard-scan.md").unlink()
    (run_dir / "evidence" / "forged.json").write_text("{}")
    assert verify(run_dir) == ["missing: safeguard-scan.md", "unlisted: evidence/forged.json"]


def test_no_manifest_is_its_own_error(run_dir):
    with pytest.raises(ManifestMissing, match="no manifest.json"):
        verify(run_dir)


def test_a_corrupt_manifest_is_a_problem_not_a_crash(run_dir):
    (run_dir / MANIFEST_NAME).write_text("{not json")
    (problem,) = verify(run_dir)
    assert problem.startswith("manifest.json: unreadable")


def test_a_manifest_pointing_outside_the_folder_is_refused(run_dir, tmp_path):
    write_manifest(run_dir, FILES)
    data = json.loads((run_dir / MANIFEST_NAME).read_text())
    data["files"].append({"path": "../secrets.txt", "sha256": "0" * 64, "size": 1})
    (run_dir / MANIFEST_NAME).write_text(json.dumps(data))
    assert verify(run_dir) == ["manifest.json: unsafe or invalid path '../secrets.txt'"]


def test_only_files_inside_the_folder_can_be_listed(run_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "x.json"
    outside.write_text("{}")
    with pytest.raises(ValueError, match="not inside"):
        write_manifest(run_dir, [outside])
    with pytest.raises(ValueError, match="cannot list itself"):
        write_manifest(run_dir, [MANIFEST_NAME])
    with pytest.raises(FileNotFoundError):
        write_manifest(run_dir, ["absent.json"])
