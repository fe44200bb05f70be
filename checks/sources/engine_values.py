"""Values as the Pulumi engine writes them: JSON files, property maps, URNs, provider references.

`pulumi preview --json` and `pulumi stack export` write resource properties as engine property
maps (camelCase names, special objects for secrets, assets and references, a sentinel string for
values not known yet). This module turns them into model values — `UNKNOWN`, `SECRET`, plain
data — and then into the snake_case props a `Resource` carries, using the pulumi_aws names
(the table `checks.sources.property_names` ships, so reading a file never imports the SDK).

A secret becomes a `Secret`: opaque when only its ciphertext is there, carrying its plaintext
(for checks, never for reports) when the file holds one (`--show-secrets`).
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.inputfiles import load_json
from checks.model import (
    HIDDEN_REGION,
    SECRET,
    UNKNOWN,
    Secret,
    canonical_type,
    contains_unknown,
)
from checks.sources.property_names import input_names, resource_to_python

# The engine's stand-in for a value that is computed during the update.
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# `preview --json` replaces every secret by this text.
PREVIEW_SECRET = "[secret]"

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"  # gRPC only; accepted defensively
FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c"
BYTES_SIG = "803fd3297a5875dc03ca845dda5d2a98"

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Decoding:
    """How one kind of document spells what cannot be seen."""

    unknowns: frozenset[str] = frozenset({UNKNOWN_SENTINEL})
    secret_text: str | None = None  # a plain string that stands for a secret, if any


STATE = Decoding()
PREVIEW = Decoding(secret_text=PREVIEW_SECRET)


# -- files -----------------------------------------------------------------------------------


def read_json(path: Path, *, what: str, skip_leading_text: bool = False) -> tuple[Any, int]:
    """The JSON document in `path` and how many lines of other text preceded it, read by the
    one loader (`checks.inputfiles`: size, encoding and nesting limits).

    With `skip_leading_text`, reading starts at the first line beginning with '{' (the CLI
    sometimes prints other text before its JSON) and text after the document is ignored.
    """
    return load_json(path, what=f"the output of {what}", skip_leading_text=skip_leading_text)


# -- property values -------------------------------------------------------------------------


def _special(obj: Mapping[str, Any], how: Decoding) -> Any:
    sig = obj.get(SIG_KEY)
    if sig == SECRET_SIG:
        # A ciphertext only the stack's key opens stays opaque. The plaintext of a
        # `--show-secrets` export (or the wire form's value) decides checks, never reaches a
        # report. "null" is what the CLI writes when the passphrase was wrong: opaque too.
        if "plaintext" in obj and isinstance(obj["plaintext"], str):
            try:
                inner = json.loads(obj["plaintext"])
            except (ValueError, RecursionError):  # not JSON, or a number too long to read
                return SECRET
            return SECRET if inner is None else Secret(decode(inner, how))
        if "value" in obj and obj["value"] is not None:
            return Secret(decode(obj["value"], how))
        return SECRET
    if sig in (ASSET_SIG, ARCHIVE_SIG):
        kind = "asset" if sig == ASSET_SIG else "archive"
        # Only where it comes from: inline text or archive members are not configuration.
        return {kind: {k: obj[k] for k in ("path", "uri", "hash") if isinstance(obj.get(k), str)}}
    if sig == RESOURCE_REF_SIG:
        # What a program sees for a reference: the id of a custom resource, else its URN.
        ident = obj.get("id")
        if isinstance(ident, str) and ident in how.unknowns:
            return UNKNOWN
        if isinstance(ident, str) and ident:
            return ident
        urn = obj.get("urn")
        return urn if isinstance(urn, str) else UNKNOWN
    if sig == FLOAT_SIG:
        try:
            return struct.unpack(">d", bytes.fromhex(str(obj.get("value"))))[0]
        except (ValueError, struct.error):
            return UNKNOWN
    if sig == BYTES_SIG:
        try:
            return base64.b64decode(str(obj.get("value")), validate=True).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            return UNKNOWN
    if sig == OUTPUT_SIG:
        if obj.get("secret") is True:
            return SECRET
        return decode(obj["value"], how) if "value" in obj else UNKNOWN
    # A signature this reader does not know: the value cannot be interpreted, so it is unknown.
    return UNKNOWN


def decode(value: Any, how: Decoding = STATE) -> Any:
    """One engine value as a model value; `__`-prefixed bookkeeping keys are dropped."""
    if isinstance(value, str):
        if value in how.unknowns:
            return UNKNOWN
        if how.secret_text is not None and value == how.secret_text:
            return SECRET
        return value
    if isinstance(value, list):
        return [decode(item, how) for item in value]
    if isinstance(value, dict):
        if SIG_KEY in value:
            return _special(value, how)
        return {str(k): decode(v, how) for k, v in value.items() if not str(k).startswith("__")}
    return value


def decode_map(value: Any, how: Decoding = STATE) -> dict[str, Any]:
    """A property map (inputs or outputs); anything else (absent, unknown) is empty."""
    decoded = decode(value, how) if isinstance(value, dict) else None
    return decoded if isinstance(decoded, dict) else {}


def _outputs_to_add(token: str, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs that describe what a program cannot declare (ARNs, endpoints, ids...).

    Outputs of declarable properties are left out even where the inputs are silent: they hold
    what AWS chose (the AWS-managed key for `kmsKeyId`, the owner's own ACL grant in `grants`),
    and a check reading them would take the provider's default for the program's choice.
    """
    declarable = input_names(token)
    if declarable is None:
        return {}
    return {
        k: v
        for k, v in outputs.items()
        if k not in declarable and v is not None and v != "" and not contains_unknown(v)
    }


def without_unset(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs without the empty strings Terraform-bridged providers write for unset attributes."""
    return {k: v for k, v in outputs.items() if v != "" and v is not None}


def resource_props(
    token: str, inputs: Mapping[str, Any], outputs: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The props of a `Resource`: the declared inputs, plus the known outputs that describe
    what no input can (both already decoded). A resource recorded without inputs is read from
    its outputs: they are all the file says of it."""
    if not inputs and outputs:
        merged = without_unset(outputs)
    else:
        merged = {**_outputs_to_add(token, outputs or {}), **inputs}
    return resource_to_python(canonical_type(token), merged)


def recorded_keys(
    token: str, inputs: Mapping[str, Any], outputs: Mapping[str, Any] | None = None
) -> frozenset[str] | None:
    """Which properties a file speaks for, when its silence on the others means "unknown".

    A resource recorded with its inputs (the program's declared, provider-checked inputs)
    reads like a program: an input left out takes the provider's default (None). Without
    inputs, the file says only what its outputs say (nothing at all, for an entry that carries
    just a URN, a type and an id): any other property is unknown.
    """
    if inputs:
        return None
    return frozenset(resource_to_python(canonical_type(token), {k: None for k in outputs or {}}))


# -- URNs, provider references, ARNs ---------------------------------------------------------


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    name: str

    @property
    def type(self) -> str:
        return self.qualified_type.rsplit("$", 1)[-1]


def parse_urn(urn: Any) -> Urn | None:
    """`urn:pulumi:<stack>::<project>::<qualified type>::<name>`; None when malformed."""
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
        return None
    parts = urn[len("urn:pulumi:") :].split("::", 3)
    if len(parts) != 4 or not all(parts[:3]):
        return None
    return Urn(*parts)


def parse_provider_ref(ref: Any) -> tuple[str, Any] | None:
    """(provider URN, provider id or UNKNOWN) of a `<urn>::<id>` reference; None when malformed."""
    if not isinstance(ref, str) or "::" not in ref:
        return None
    urn, ident = ref.rsplit("::", 1)
    if parse_urn(urn) is None:
        return None
    return urn, UNKNOWN if ident == UNKNOWN_SENTINEL else ident


def is_default_provider(urn: str) -> bool:
    """Default providers are named `default` or `default_<version>` by the engine."""
    parsed = parse_urn(urn)
    return parsed is not None and (parsed.name == "default" or parsed.name.startswith("default_"))


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: Any) -> Arn | None:
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or not parts[1] or not parts[2]:
        return None
    return Arn(*parts[1:])


def account_of(arn: Arn | None) -> str | None:
    """The 12-digit account an ARN names (S3 bucket ARNs name none)."""
    if arn is None or not (arn.account.isdigit() and len(arn.account) == 12):
        return None
    return arn.account


# -- small readers shared by the file sources ------------------------------------------------


def text(value: Any) -> str | None:
    """A non-empty string, else None (unknowns and secrets are not strings)."""
    return value if isinstance(value, str) and value else None


def region_text(value: Any) -> str | None:
    """A region as a source records it: the name; HIDDEN_REGION when one is given but is a
    secret or unknown (so no check takes it for the default region); None when none is given."""
    if value is None or value == "":
        return None
    return text(value) or HIDDEN_REGION


def kind_of(value: Any) -> str:
    """What a JSON value is, for a message: 'an object', 'a list', 'a string', 'a value'."""
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), "a value")


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it, cut to `limit` characters."""
    quoted = repr(value)
    return quoted if len(quoted) <= limit else quoted[: limit - 3] + "..."
