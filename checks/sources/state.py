"""The `state` source: a stack's deployed state, as `pulumi stack export` writes it.

Reads deployment versions 3 and 4 (4 adds `features`; the body is the same), and the
DIY-backend checkpoint file that wraps the deployment in `checkpoint.latest`. Secrets are
recorded as present (`SECRET`) and never decrypted or read, whether the export holds
ciphertext or, with `--show-secrets`, plaintext.

Old copies waiting for deletion (`delete: true`), resources deleted but not yet recreated
(`pendingReplacement: true`), read-only references (`external: true`) and interrupted creates
(`pending_operations`) are set aside as `Excluded`, each with its reason.

The assembly of resource objects (`Entry` → `Resource`) is shared with the preview source,
whose step states are the same `ResourceV3` objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.errors import InputError
from checks.model import Resource, canonical_type, withhold_ephi
from checks.sources.base import Collected, Excluded
from checks.sources.engine_values import (
    PROVIDER_TYPE_PREFIX,
    ROOT_STACK_TYPE,
    STATE,
    Decoding,
    account_of,
    decode_map,
    is_default_provider,
    kind_of,
    parse_arn,
    parse_provider_ref,
    parse_urn,
    read_json,
    recorded_keys,
    region_text,
    resource_props,
    shown,
    text,
)
from checks.sources.property_names import object_to_python

SUPPORTED_VERSIONS = (3, 4)
WHAT = "`pulumi stack export`"

DELETE_REASON = (
    "an old copy waiting to be deleted after its replacement was created (delete: true); "
    "not the desired state"
)
PENDING_REPLACEMENT_REASON = (
    "deleted in the cloud and not yet recreated (pendingReplacement: true); its recorded "
    "settings describe the deleted object"
)
EXTERNAL_REASON = "read with get()/read, not managed by this stack (external: true)"
INTERRUPTED = {
    "creating": "a create",
    "importing": "an import",
    "updating": "an update",
    "deleting": "a delete",
    "reading": "a read",
}


@dataclass(frozen=True)
class Entry:
    """One resource object of a document, decoded, with the id, ARN and outputs to trust."""

    urn: str
    type: str
    custom: bool
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any] | None = None  # merged into props where the inputs are silent
    id: str | None = None
    arn: str | None = None
    parent: str | None = None
    provider: str | None = None
    external: bool = False
    created: str | None = None  # when the engine created the object (state and old preview steps)

    @property
    def name(self) -> str:
        parsed = parse_urn(self.urn)
        return parsed.name if parsed else self.urn


@dataclass(frozen=True)
class Graph:
    resources: tuple[Resource, ...]
    components: tuple[Resource, ...]
    providers: tuple[Resource, ...]
    excluded: tuple[Excluded, ...]


def is_cloud_entry(type_: str, custom: bool) -> bool:
    """A resource a check could apply to: custom, and neither a provider nor the stack."""
    return custom and not type_.startswith(PROVIDER_TYPE_PREFIX) and type_ != ROOT_STACK_TYPE


def _allowed_account(inputs: Mapping[str, Any]) -> str | None:
    """The one account a provider is pinned to by `allowedAccountIds`, if exactly one."""
    value = inputs.get("allowedAccountIds")
    if isinstance(value, str):  # provider config arrives as JSON text
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0] if value[0].isdigit() and len(value[0]) == 12 else None
    return None


def _provider_fields(e: Entry, source: str, fallback_region: str | None) -> dict[str, Any]:
    region = region_text(e.inputs.get("region"))
    if region is None and is_default_provider(e.urn):
        region = fallback_region
    return {
        "type": e.type,
        "name": e.name,
        "props": object_to_python(dict(e.inputs), None),
        "urn": e.urn,
        "id": e.id,
        "region": region,
        "account": _allowed_account(e.inputs),
        "source": source,
        "parent": e.parent,
    }


def _resource_fields(e: Entry, provider_region: str | None, source: str) -> dict[str, Any]:
    arn = parse_arn(e.arn)
    region = (
        region_text(e.inputs.get("region"))
        or region_text((e.outputs or {}).get("region"))
        or (text(arn.region) if arn else None)
        or provider_region
    )
    return {
        "type": canonical_type(e.type),
        "name": e.name,
        "props": resource_props(e.type, e.inputs, e.outputs),
        "recorded": recorded_keys(e.type, e.inputs, e.outputs),
        "urn": e.urn,
        "id": e.id,
        "arn": e.arn if arn else None,
        "region": region,
        "account": account_of(arn),
        "source": source,
        "parent": e.parent,
        "created": e.created,
    }


def _share_accounts(
    placed: list[tuple[str | None, dict[str, Any]]], providers: dict[str, dict[str, Any]]
) -> None:
    """Resources of one provider live in one account: give the one seen on its resources' ARNs
    (else the provider's pinned account) to those whose ARN names none."""
    seen: dict[str | None, set[str]] = {}
    for provider_urn, fields in placed:
        if fields["account"]:
            seen.setdefault(provider_urn, set()).add(fields["account"])
    for provider_urn, accounts in seen.items():
        if len(accounts) == 1 and provider_urn in providers:
            providers[provider_urn]["account"] = next(iter(accounts))
    for provider_urn, fields in placed:
        if fields["account"] is None and provider_urn in providers:
            fields["account"] = providers[provider_urn]["account"]
        elif fields["account"] is None and len(seen.get(provider_urn, ())) == 1:
            fields["account"] = next(iter(seen[provider_urn]))


def assemble(entries: Iterable[Entry], *, source: str, fallback_region: str | None = None) -> Graph:
    """Split entries into cloud resources, components and providers, and place each resource.

    Region: the resource's own `region` (pulumi_aws v7), else its ARN's region, else its
    provider's `region`, else (default providers only) `fallback_region` — the stack's
    `aws:region`, which explicit providers do not read. Account: the resource's ARN, else the
    one account seen on the ARNs of resources sharing its provider, else the provider's
    `allowedAccountIds` when it names exactly one.
    """
    entries = list(entries)
    providers = {
        e.urn: _provider_fields(e, source, fallback_region)
        for e in entries
        if e.type.startswith(PROVIDER_TYPE_PREFIX)
    }
    components: list[Resource] = []
    excluded: list[Excluded] = []
    placed: list[tuple[str | None, dict[str, Any]]] = []
    for e in entries:
        if e.type == ROOT_STACK_TYPE or e.urn in providers:
            continue
        if not e.custom:
            inputs = object_to_python(dict(e.inputs), None)
            component = Resource(e.type, e.name, inputs, e.urn, source=source, parent=e.parent)
            components.append(component)
        elif e.external:
            excluded.append(Excluded(e.urn, canonical_type(e.type), EXTERNAL_REASON))
        else:
            ref = parse_provider_ref(e.provider)
            provider_urn = ref[0] if ref else None
            if provider_urn in providers:
                provider_region = providers[provider_urn]["region"]
            elif provider_urn is None or is_default_provider(provider_urn):
                provider_region = fallback_region
            else:
                provider_region = None
            placed.append((provider_urn, _resource_fields(e, provider_region, source)))
    _share_accounts(placed, providers)
    return Graph(
        tuple(withhold_ephi(Resource(**fields)) for _, fields in placed),
        tuple(components),
        tuple(Resource(**p) for p in providers.values()),
        tuple(excluded),
    )


# -- reading an export -----------------------------------------------------------------------


@dataclass
class _Reader:
    path: Path
    how: Decoding = STATE
    notes: list[str] = field(default_factory=list)

    def fail(self, where: str, problem: str) -> InputError:
        return InputError(f"{self.path}: {where}: {problem}")

    def check_version(self, doc: Mapping[str, Any]) -> None:
        version = doc.get("version")
        if type(version) is not int or version not in SUPPORTED_VERSIONS:
            found = "missing" if version is None else shown(version)
            raise InputError(
                f"{self.path}: unsupported deployment version {found} "
                f"(supported: {', '.join(map(str, SUPPORTED_VERSIONS))})"
            )

    def deployment(self, doc: Any) -> tuple[Mapping[str, Any], str | None]:
        """The deployment object and the checkpoint's `aws:region`, if it carries config."""
        if not isinstance(doc, dict):
            raise InputError(
                f"{self.path}: not a Pulumi deployment: the document is {kind_of(doc)}, not the "
                f"object {WHAT} writes"
            )
        if "steps" in doc or "changeSummary" in doc:
            raise InputError(
                f"{self.path}: this is `pulumi preview --json` output, not a state export; "
                "scan it with --preview"
            )
        if isinstance(doc.get("checkpoint"), dict):
            self.check_version(doc)
            checkpoint = doc["checkpoint"]
            config = checkpoint.get("config")
            region = config.get("aws:region") if isinstance(config, dict) else None
            latest = checkpoint.get("latest")
            if latest is None:
                self.notes.append("the checkpoint holds no deployment yet (never updated)")
                return {}, text(region)
            if not isinstance(latest, dict):
                raise self.fail("checkpoint.latest", f"expected an object, found {kind_of(latest)}")
            return latest, text(region)
        if "deployment" not in doc:
            raise InputError(
                f"{self.path}: not a Pulumi deployment: no 'deployment' (expected the output "
                f"of {WHAT}, or a DIY backend checkpoint file)"
            )
        self.check_version(doc)
        deployment = doc["deployment"]
        if not isinstance(deployment, dict):
            raise self.fail("deployment", f"expected an object, found {kind_of(deployment)}")
        return deployment, None

    def items(self, container: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = container.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, found {kind_of(value)}")
        return value

    def entry(self, raw: Any, where: str) -> Entry:
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected a resource object, found {kind_of(raw)}")
        urn = raw.get("urn")
        parsed = parse_urn(urn)
        if parsed is None:
            raise self.fail(where, f"'urn' {shown(urn)} is not a Pulumi URN")
        type_ = raw.get("type") if isinstance(raw.get("type"), str) else parsed.type
        outputs = decode_map(raw.get("outputs"), self.how)
        ident = text(raw.get("id")) or text(outputs.get("id"))
        return Entry(
            urn=urn,
            type=type_,
            custom=raw.get("custom") is True,
            inputs=decode_map(raw.get("inputs"), self.how),
            outputs=outputs,
            id=ident,
            arn=text(outputs.get("arn")),
            parent=text(raw.get("parent")),
            provider=text(raw.get("provider")),
            external=raw.get("external") is True,
            created=text(raw.get("created")),
        )


def load_state(path: Path) -> Collected:
    """The deployed resources of one stack, from a `pulumi stack export` file."""
    try:
        return _load_state(path)
    except RecursionError:
        raise InputError(f"{path}: values nested too deeply to read") from None


def _load_state(path: Path) -> Collected:
    reader = _Reader(path)
    doc, _ = read_json(path, what=WHAT)
    deployment, fallback_region = reader.deployment(doc)
    entries: list[Entry] = []
    excluded: list[Excluded] = []
    live: set[str] = set()
    for i, raw in enumerate(reader.items(deployment, "resources", "deployment.resources")):
        entry = reader.entry(raw, f"deployment.resources[{i}]")
        cloud = is_cloud_entry(entry.type, entry.custom)
        if raw.get("delete") is True or raw.get("pendingReplacement") is True:
            if cloud:
                reason = DELETE_REASON if raw.get("delete") is True else PENDING_REPLACEMENT_REASON
                excluded.append(Excluded(entry.urn, canonical_type(entry.type), reason))
            continue
        if entry.urn in live:
            reader.notes.append(f"{entry.urn} is listed twice; the first copy is used")
            continue
        live.add(entry.urn)
        entries.append(entry)

    where = "deployment.pending_operations"
    for i, op in enumerate(reader.items(deployment, "pending_operations", where)):
        if not isinstance(op, dict):
            raise reader.fail(f"{where}[{i}]", f"expected an object, found {kind_of(op)}")
        entry = reader.entry(op.get("resource"), f"{where}[{i}].resource")
        kind = op.get("type") if isinstance(op.get("type"), str) else "unknown"
        what = INTERRUPTED.get(kind, f"an operation ({kind})")
        reader.notes.append(
            f"{what} of {entry.urn} was interrupted (pending operation '{kind}'): the state may "
            "not match the cloud; run `pulumi refresh`"
        )
        if kind in ("creating", "importing") and is_cloud_entry(entry.type, entry.custom):
            excluded.append(
                Excluded(
                    entry.urn,
                    canonical_type(entry.type),
                    f"{what} was interrupted (pending operation '{kind}'): it may exist in the "
                    "cloud but is not in the state",
                )
            )

    graph = assemble(entries, source="state", fallback_region=fallback_region)
    project, stack = _project_and_stack(entries)
    return Collected(
        kind="state",
        resources=graph.resources,
        project=project,
        stack=stack,
        components=graph.components,
        providers=graph.providers,
        excluded=(*excluded, *graph.excluded),
        notes=tuple(reader.notes),
    )


def _project_and_stack(entries: Iterable[Entry]) -> tuple[str | None, str | None]:
    for e in entries:
        parsed = parse_urn(e.urn)
        if parsed is not None:
            return parsed.project, parsed.stack
    return None, None
