"""Ed25519 signatures over a run's manifest: who wrote the run, not only that it is unchanged.

The manifest (`reports.manifest`) shows the artifacts match their digests, but anyone who edits
an artifact can write a new manifest. A signature over the manifest's exact bytes, made with a
private key the forger does not hold, closes that gap:

    safeguard keygen --out KEYDIR            # safeguard-signing.key (0600) and .pub, PEM
    safeguard scan ... --sign-key KEYDIR/safeguard-signing.key     # writes manifest.sig
    safeguard verify RUN_DIR --public-key KEYDIR/safeguard-signing.pub

`manifest.sig` is JSON: the algorithm, the signed file, the SHA-256 of its bytes, the signer's
public key (raw, base64) and its fingerprint, and the signature (base64). Verification uses the
public key the verifier brings, never the one the file names: the file's key only says which
key signed, so a wrong key is reported as such.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checks.errors import InputError
from reports.manifest import MANIFEST_NAME, SIGNATURE_NAME

# cryptography is imported where a key is used: a run without a signing key only removes a
# stale signature, and should not pay for loading the library.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ALGORITHM = "ed25519"
SIGNATURE_VERSION = 1
PRIVATE_KEY_NAME = "safeguard-signing.key"
PUBLIC_KEY_NAME = "safeguard-signing.pub"
_MAX_KEY_BYTES = 64 * 1024


def fingerprint(key: Ed25519PublicKey) -> str:
    """`SHA256:` and the hex digest of the raw 32-byte public key."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode` from the start (never a moment world-readable); refuse to
    overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def generate_keypair(directory: Path) -> tuple[Path, Path, str]:
    """Write a new private key (PKCS#8 PEM, mode 0600) and its public key (PEM) into
    `directory`; return both paths and the fingerprint. Existing key files are never replaced."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private, public = directory / PRIVATE_KEY_NAME, directory / PUBLIC_KEY_NAME
    for path in (private, public):
        if path.exists():
            raise InputError(f"{path}: already exists; keygen never replaces a key")
    key = Ed25519PrivateKey.generate()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_new(
            private,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            0o600,
        )
        _write_new(
            public,
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            0o644,
        )
    except OSError as exc:
        raise InputError(f"{directory}: cannot write the keys: {exc.strerror or exc}") from None
    return private, public, fingerprint(key.public_key())


def _read_key_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > _MAX_KEY_BYTES:
            raise InputError(f"{path}: too large to be a key file")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such key file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file (as `safeguard keygen` writes it)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise InputError(f"{path}: the private key is encrypted; give an unencrypted one") from None
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(f"{path}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: not an Ed25519 private key (safeguard keygen writes one)")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (as `safeguard keygen` writes it)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: not an Ed25519 public key (safeguard keygen writes one)")
    return key


def sign_manifest(directory: Path, key: Ed25519PrivateKey) -> Path:
    """Sign `directory`'s manifest.json as it is on disk; write and return manifest.sig."""
    from cryptography.hazmat.primitives import serialization

    manifest = (directory / MANIFEST_NAME).read_bytes()
    public = key.public_key()
    document = {
        "algorithm": ALGORITHM,
        "signed_file": MANIFEST_NAME,
        "signed_sha256": hashlib.sha256(manifest).hexdigest(),
        "public_key": base64.b64encode(
            public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        ).decode(),
        "public_key_fingerprint": fingerprint(public),
        "signature": base64.b64encode(key.sign(manifest)).decode(),
        "signature_version": SIGNATURE_VERSION,
    }
    target = directory / SIGNATURE_NAME
    target.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def sign_run(directory: Path, key: Ed25519PrivateKey | None) -> list[Path]:
    """After a run's manifest is written: sign it when there is a key; without one, remove a
    signature an earlier run left there (it signs another manifest). The files written."""
    try:
        if key is not None:
            return [sign_manifest(directory, key)]
        (directory / SIGNATURE_NAME).unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot sign the run: {exc.strerror or exc}") from None
    return []


def read_signature(directory: Path) -> dict[str, Any] | None:
    """What manifest.sig claims (unverified), or None when the run was not signed.

    Raises ValueError when the file is there but not a signature this tool wrote."""
    path = directory / SIGNATURE_NAME
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{SIGNATURE_NAME}: unreadable ({exc})") from None
    if not isinstance(document, dict) or document.get("algorithm") != ALGORITHM:
        raise ValueError(f"{SIGNATURE_NAME}: not an {ALGORITHM} signature of the manifest")
    if document.get("signed_file") != MANIFEST_NAME:
        raise ValueError(
            f"{SIGNATURE_NAME}: signs {document.get('signed_file')!r}, not the manifest"
        )
    return document


def signature_problems(directory: Path, key: Ed25519PublicKey) -> list[str]:
    """Why the run's manifest is not signed by `key` ([] when it is)."""
    from cryptography.exceptions import InvalidSignature

    try:
        document = read_signature(directory)
    except ValueError as exc:
        return [str(exc)]
    if document is None:
        return [f"not signed: no {SIGNATURE_NAME}, so nothing shows who wrote the run"]
    expected = fingerprint(key)
    if document.get("public_key_fingerprint") != expected:
        return [
            f"{SIGNATURE_NAME}: signed by key {document.get('public_key_fingerprint')!r}, "
            f"not by the key given ({expected})"
        ]
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        key.verify(signature, (directory / MANIFEST_NAME).read_bytes())
    except (binascii.Error, InvalidSignature):
        return [
            f"{SIGNATURE_NAME}: the signature does not match {MANIFEST_NAME}: the manifest was "
            "changed after it was signed"
        ]
    return []
