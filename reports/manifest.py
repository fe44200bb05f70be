"""The manifest of a run's artifacts: SHA-256 and size of every file, to show nothing changed.

HIPAA 164.316(b) asks that assessment records be retained for six years; a record is only
evidence if it can be shown unaltered. `write_manifest` records the digest of each artifact in
`manifest.json` beside them; `verify` recomputes them and lists every difference: a missing
file, a changed one, an artifact added after the run that the manifest does not list, or a
manifest that lists nothing. A manifest alone proves consistency, not authorship: whoever edits
an artifact can rewrite it. `reports.signing` signs it (manifest.sig), and
`reports.integrity` adds the cross-checks a whole run folder allows.

    {"algorithm": "sha256", "files": [{"path": "safeguard-scan.json", "sha256": "…",
     "size": 1234}, …], "manifest_version": 1}

Paths are relative, with '/' separators, sorted; the manifest holds no time, so the same
artifacts give the same manifest bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MANIFEST_NAME = "manifest.json"
# The signature over the manifest (reports.signing): written after it, so never listed in it.
SIGNATURE_NAME = "manifest.sig"
_OWN_FILES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})
MANIFEST_VERSION = 1
_CHUNK = 1 << 20


class ManifestMissing(FileNotFoundError):
    """The folder has no manifest.json: there is nothing to verify against."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(directory: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def _relative(directory: Path, file: str | Path) -> str:
    path = Path(file)
    path = Path(os.path.normpath((path if path.is_absolute() else directory / path).absolute()))
    if not _inside(directory, path):
        raise ValueError(f"{file}: not inside {directory}")
    relative = path.relative_to(directory.absolute()).as_posix()
    if relative in _OWN_FILES:
        raise ValueError(f"{file}: the manifest cannot list itself or its signature")
    return relative


def write_manifest(directory: str | Path, files: Iterable[str | Path]) -> Path:
    """Write `manifest.json` in `directory` for `files` (paths inside it); return its path."""
    directory = Path(directory)
    entries = []
    for relative in sorted({_relative(directory, f) for f in files}):
        path = directory / relative
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such artifact to list in the manifest")
        entries.append({"path": relative, "sha256": sha256_file(path), "size": path.stat().st_size})
    manifest = {"algorithm": "sha256", "files": entries, "manifest_version": MANIFEST_VERSION}
    target = directory / MANIFEST_NAME
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _safe_entry_path(raw: object) -> str | None:
    if not isinstance(raw, str) or not raw or "\\" in raw:
        return None
    path = PurePosixPath(raw)
    if path.is_absolute() or ".." in path.parts or raw in _OWN_FILES:
        return None
    return path.as_posix()


def _listed(directory: Path) -> list[dict]:
    manifest = directory / MANIFEST_NAME
    if not manifest.is_file():
        raise ManifestMissing(f"{directory}: no {MANIFEST_NAME} to verify against")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("algorithm") != "sha256":
        raise ValueError("not a sha256 manifest")
    files = data.get("files")
    if not isinstance(files, list) or not all(isinstance(e, dict) for e in files):
        raise ValueError("'files' is not a list of entries")
    return files


def verify(directory: str | Path) -> list[str]:
    """Every way the folder differs from its manifest, as sorted one-line problems; [] if none.

    Raises ManifestMissing when there is no manifest at all.
    """
    directory = Path(directory)
    try:
        entries = _listed(directory)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return [f"{MANIFEST_NAME}: unreadable ({exc})"]
    if not entries:
        return [f"{MANIFEST_NAME} lists no files: it vouches for nothing"]
    problems = []
    listed = set()
    for entry in entries:
        relative = _safe_entry_path(entry.get("path"))
        if relative is None:
            problems.append(f"{MANIFEST_NAME}: unsafe or invalid path {entry.get('path')!r}")
            continue
        listed.add(relative)
        path = directory / relative
        if not path.is_file() or not _inside(directory, path):
            problems.append(f"missing: {relative}")
        elif path.stat().st_size != entry.get("size") or sha256_file(path) != entry.get("sha256"):
            problems.append(f"changed: {relative}")
    for path in directory.rglob("*"):
        relative = path.relative_to(directory).as_posix()
        if path.is_file() and relative not in _OWN_FILES and relative not in listed:
            problems.append(f"unlisted: {relative}")
    return sorted(problems)
