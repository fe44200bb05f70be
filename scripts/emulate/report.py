"""What an emulated deploy did: every resource created (with its real id and ARN), every
resource not emulated (with the reason), and every declared input no creator mapped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CreatedResource:
    type: str
    name: str
    id: str
    arn: str | None
    urn: str
    region: str


@dataclass(frozen=True)
class NotEmulatedResource:
    type: str
    name: str
    reason: str
    urn: str


@dataclass(frozen=True)
class UnmappedInputs:
    """Declared inputs of one created resource that did not reach the emulator, each with why."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, str]


@dataclass(frozen=True)
class DeployReport:
    project: str
    stack: str
    endpoint: str
    region: str
    account: str
    created: tuple[CreatedResource, ...]
    not_emulated: tuple[NotEmulatedResource, ...]
    unmapped: tuple[UnmappedInputs, ...]
    # Data sources the emulator could not answer: their answers were made up.
    made_up_data_sources: tuple[str, ...] = ()
    # Resources emulated only in part (a certificate requested but never validated, ...).
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    failure: Mapping[str, str] | None = field(default=None)
    # URN → {"inputs", "outputs"} of each created resource, engine-named, secrets as ciphertext
    # objects: what `scripts.emulate.export` writes as a stack export.
    states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)

    def find(self, token: str, name: str | None = None) -> list[CreatedResource]:
        """The created resources of a type (and logical name)."""
        return [r for r in self.created if r.type == token and name in (None, r.name)]

    def summary(self) -> str:
        return (
            f"{self.project}/{self.stack}: {len(self.created)} resources created in the "
            f"emulator, {len(self.not_emulated)} not emulated, "
            f"{sum(len(u.inputs) for u in self.unmapped)} declared inputs not mapped "
            f"({self.seconds:.1f} s)"
        )


def from_result(
    result: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    endpoint: str,
    region: str,
    seconds: float,
) -> DeployReport:
    return DeployReport(
        project=project,
        stack=stack,
        endpoint=endpoint,
        region=region,
        account=result.get("account", ""),
        created=tuple(
            CreatedResource(r["type"], r["name"], r["id"], r.get("arn"), r["urn"], r["region"])
            for r in result.get("created", [])
        ),
        not_emulated=tuple(
            NotEmulatedResource(r["type"], r["name"], r["reason"], r["urn"])
            for r in result.get("not_emulated", [])
        ),
        unmapped=tuple(
            UnmappedInputs(r["type"], r["name"], r["urn"], dict(r["inputs"]))
            for r in result.get("unmapped", [])
        ),
        made_up_data_sources=tuple(result.get("made_up", [])),
        notes=tuple(result.get("notes", [])),
        seconds=seconds,
        failure=result.get("failure"),
        states=dict(result.get("states") or {}),
    )
