"""How each source kind says "this value cannot be seen", for the NOT_EVALUATED table.

A table row (`Row`) is a small passing stack: resources written as the Pulumi engine writes their
inputs (camelCase property maps), and the one property that decides the check. Each source kind
turns the row into its own inventory through that source's real reader, with the property hidden
the way the source hides it:

- program: the worker's value pipeline (`seal`, the made-up marker, `object_to_python`, `redact`)
  and the program source's decoding of the worker's records: an output not known under the mocks
  (`UNKNOWN`), or a string the mocks made up (`MadeUp`);
- preview: a `pulumi preview --json` document, read by `load_preview`, whose step holds the
  engine's unknown sentinel;
- state: a `pulumi stack export` document, read by `load_state`, whose value is a secret only the
  stack's key opens;
- live: the collectors' runner (`checks.sources.aws.collect.run`) with collectors whose read of
  the resource (or of the joined type) fails, recorded by `Misses` as a gap of its type.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from checks.evaluate import Finding, evaluate
from checks.model import Inventory, Resource
from checks.registry import Registry, Status
from checks.sources import program as program_source
from checks.sources.aws.collect import CollectionError, Collector, Context, run
from checks.sources.aws.partial import Misses
from checks.sources.aws.source import merged_gaps
from checks.sources.preview import load_preview
from checks.sources.program_made_up import MadeUp as MadeUpStrings
from checks.sources.program_values import redact, seal
from checks.sources.pulumi_project import Project, StackConfig
from checks.sources.pulumi_schema import object_to_python, resource_class
from checks.sources.state import load_state

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK_URN = "urn:pulumi:dev::neval::pulumi:pulumi:Stack::neval-dev"
GAP_REASON = "access denied to Describe (AccessDenied)"
# How the Pulumi engine spells what it cannot show, as its files carry it (spelt out here, not
# imported from the readers under test): a value computed during the update, and a secret.
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_OBJECT = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    "ciphertext": "v1:kX2fR8bQ9mLzT4wC:8yJ3nV6qP1sD5gH0kL2mN4bV7cX9zA1sD3fG5hJ7kL9q",
}

PROGRAM, PREVIEW, STATE, LIVE = "program", "preview", "state", "live"
KINDS = (PROGRAM, PREVIEW, STATE, LIVE)
# How each kind hides the deciding value ("made up" only where it is a string the mocks could
# have invented: they make up strings, never flags or numbers).
VARIANTS = {
    PROGRAM: ("unknown", "made up"),
    PREVIEW: ("unknown",),
    STATE: ("secret",),
    LIVE: ("gap",),
}


@dataclass(frozen=True)
class Res:
    """One resource of a row: its type, logical name, engine inputs, cloud id and ARN."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    id: str | None = None
    arn: str | None = None

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::neval::{self.type}::{self.name}"

    @property
    def ident(self) -> str:
        return self.id or f"{self.name}-id"


@dataclass(frozen=True)
class Row:
    """A check, a passing stack for it, and the property (resource name, key path) that decides.

    `kinds`: the source kinds that can hold the data (live-only account facts: live). `gap`: the
    types the live source fails to read (default: the type of the resource holding the property).
    `expect`: a kind whose hidden value decides by design (a secret in a Lambda environment is a
    plaintext secret, whatever it holds), with the literal status it must give instead.
    `bugs`: variants on which the check is known to pass on a hidden value, with the report;
    they are strict expected failures, so a fix turns them red until the entry goes.
    """

    check: str
    resources: tuple[Res, ...]
    prop: tuple[str, ...]
    kinds: tuple[str, ...] = KINDS
    gap: tuple[str, ...] = ()
    expect: Mapping[str, Status] = field(default_factory=dict)
    note: str = ""
    bugs: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.check}[{'.'.join(self.prop)}]"

    @property
    def holder(self) -> Res:
        return next(r for r in self.resources if r.name == self.prop[0])

    @property
    def value(self) -> Any:
        value: Any = self.holder.inputs
        for key in self.prop[1:]:
            value = value[key]
        return value

    @property
    def gapped(self) -> tuple[str, ...]:
        return self.gap or (self.holder.type,)

    def variants(self, kind: str) -> tuple[str, ...]:
        if kind not in self.kinds:
            return ()
        found = VARIANTS[kind]
        made_up_ok = isinstance(self.value, str) and len(self.value) >= MadeUpStrings.TRACEABLE
        return tuple(v for v in found if v != "made up" or made_up_ok)


def _replaced(inputs: Mapping[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(dict(inputs))
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _inputs(row: Row, res: Res, hidden: Any) -> Mapping[str, Any]:
    """The resource's inputs, with the deciding property replaced by `hidden` (None: as is)."""
    if hidden is None or res.name != row.prop[0]:
        return res.inputs
    return _replaced(res.inputs, row.prop[1:], hidden)


# -- program ---------------------------------------------------------------------------------


def program_resources(row: Row, variant: str | None) -> tuple[Resource, ...]:
    made = MadeUpStrings()
    if variant == "made up":
        made.add({"value": row.value}, {}, trace=False, origin="the table's data source")
        made.freeze(set())
    hidden = rpc.UNKNOWN if variant == "unknown" else None
    records = []
    for res in row.resources:
        sealed = made.mark(seal(_inputs(row, res, hidden)))
        props = object_to_python(sealed, resource_class(res.type))
        records.append(
            {
                "type": res.type, "name": res.name, "urn": res.urn, "id": res.ident,
                "arn": res.arn, "region": REGION, "account": ACCOUNT, "custom": True,
                "props": redact(props, ()),
            }
        )  # fmt: skip
    records = json.loads(json.dumps(records))  # the worker hands its records over as JSON
    project = Project(Path("/neval"), Path("/neval/Pulumi.yaml"), "neval", Path("/neval"))
    scan = program_source._to_scan(project, "dev", StackConfig(), REGION, records)
    return scan.resources


# -- preview and state -----------------------------------------------------------------------


def _outputs(res: Res, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {**inputs, "id": res.ident, **({"arn": res.arn} if res.arn else {})}


def preview_document(row: Row, variant: str | None) -> dict[str, Any]:
    """An update of every resource of the row (ids and ARNs kept from the old state)."""
    stack = {"type": "pulumi:pulumi:Stack", "urn": STACK_URN, "custom": False}
    steps: list[dict[str, Any]] = [{"op": "same", "urn": STACK_URN, "newState": stack}]
    hidden = UNKNOWN_SENTINEL if variant == "unknown" else None
    for res in row.resources:
        base = {"type": res.type, "urn": res.urn, "custom": True, "parent": STACK_URN}
        old = {**base, "id": res.ident, "inputs": res.inputs, "outputs": _outputs(res, res.inputs)}
        new = {**base, "inputs": _inputs(row, res, hidden)}
        steps.append({"op": "update", "urn": res.urn, "oldState": old, "newState": new})
    return {
        "config": {"aws:region": REGION},
        "steps": steps,
        "changeSummary": {"same": 1, "update": len(row.resources)},
    }


def state_document(row: Row, variant: str | None) -> dict[str, Any]:
    hidden = SECRET_OBJECT if variant == "secret" else None
    resources: list[dict[str, Any]] = [
        {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack"}
    ]
    for res in row.resources:
        inputs = _inputs(row, res, hidden)
        resources.append(
            {
                "urn": res.urn, "custom": True, "type": res.type, "id": res.ident,
                "inputs": inputs, "outputs": _outputs(res, inputs), "parent": STACK_URN,
            }
        )  # fmt: skip
    manifest = {"time": "2026-11-20T17:42:13Z", "magic": "", "version": "v3.209.0"}
    return {"version": 3, "deployment": {"manifest": manifest, "resources": resources}}


def _read(tmp: Path, name: str, doc: Mapping[str, Any], load: Any) -> tuple[Resource, ...]:
    path = tmp / name
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return load(path).resources


# -- live ------------------------------------------------------------------------------------


class _Account:
    """The account the collectors' runner reads (no session: these collectors call nothing)."""

    account_id = ACCOUNT

    def release(self, service: str) -> None:
        """Nothing to let go: no client was made."""


def _collector(row: Row, token: str, found: list[Res], gapped: bool) -> Collector:
    def collect(ctx: Context) -> Iterator[Resource]:
        if gapped and not found:
            raise CollectionError(GAP_REASON)  # the list call itself failed
        with Misses(ctx, [token], token.rsplit(":", 1)[-1]) as missed:
            for res in found:
                with missed.of(res.name):
                    if gapped and (res.name == row.prop[0] or token != row.holder.type):
                        raise CollectionError(GAP_REASON)
                    props = object_to_python(dict(res.inputs), resource_class(res.type))
                    yield ctx.resource(token, res.name, props, id=res.ident, arn=res.arn)

    return Collector(service=f"svc-{token}", types=(token,), actions=(), collect=collect)


def live_inventory(row: Row, variant: str | None) -> Inventory:
    tokens = list(dict.fromkeys([*(r.type for r in row.resources), *row.gapped]))
    collectors = [
        _collector(
            row,
            token,
            [r for r in row.resources if r.type == token],
            variant == "gap" and token in row.gapped,
        )
        for token in tokens
    ]
    harvest = run([_Account()], {ACCOUNT: [REGION]}, collectors, lambda _: None)  # type: ignore[list-item]
    return Inventory(harvest.resources, gaps=merged_gaps(harvest.gaps))


# -- evaluation ------------------------------------------------------------------------------


def inventory(row: Row, kind: str, variant: str | None, tmp: Path) -> Inventory:
    if kind == PROGRAM:
        return Inventory(program_resources(row, variant))
    if kind == PREVIEW:
        return Inventory(_read(tmp, "preview.json", preview_document(row, variant), load_preview))
    if kind == STATE:
        return Inventory(_read(tmp, "state.json", state_document(row, variant), load_state))
    return live_inventory(row, variant)


def findings(row: Row, kind: str, variant: str | None, tmp: Path, registry: Registry):
    """The row's check's findings on the row's first resource (for an account check: all of
    them), and those saying resources of its types could not be collected."""
    check = registry.get(row.check)
    assert check is not None, f"{row.check} is not a registered check"
    found: list[Finding] = []
    for f in evaluate(inventory(row, kind, variant, tmp), registry).findings:
        if f.check.id != row.check:
            continue
        on_subject = f.resource is not None and f.resource.name == row.resources[0].name
        if check.scope == "account" or f.resource is None or on_subject:
            found.append(f)
    return found


def cases(rows: tuple[Row, ...]) -> Iterator[tuple[Row, str, str]]:
    for row in rows:
        for kind in KINDS:
            for variant in row.variants(kind):
                yield row, kind, variant
