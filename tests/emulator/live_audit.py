"""Running collectors against the emulator and reading the verdicts, for the collector tests.

`audit(aws, COLLECTORS)` collects with the live source (real boto3 over HTTP) and evaluates the
whole check library on what it found; `verdicts(evaluation, check)` maps each judged resource's
id to its status. `deny(monkeypatch, "ec2", "DescribeSecurityGroups")` makes that call answer
AccessDenied, as a role without the permission would. `shape_differences(program, live)` says
where a collected resource's props differ in shape from those a Pulumi program gives the same
type (`program_resources()`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import botocore.exceptions

from checks.evaluate import Evaluation, Finding, evaluate
from checks.library import build_registry
from checks.model import Inventory, MadeUp, Resource, Secret
from checks.registry import Registry, Status
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.emulator import EMULATED_ACCOUNT as ACCOUNT
from checks.sources.aws.session import Account, AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.base import Collected
from checks.sources.program import scan_program
from checks.sources.registry import SourceRequest


def collect(aws: Any, collectors: Iterable[Collector]) -> Collected:
    request = SourceRequest(extra={"aws": AwsOptions(endpoint_url=aws.endpoint)})
    return AwsSource(collectors).collect(request)


def audit(
    aws: Any,
    collectors: Iterable[Collector],
    also: Iterable[Resource] = (),
    registry: Registry | None = None,
) -> Evaluation:
    """The check library (or `registry`) on what the collectors found (and `also`, hand-made
    resources of services not collected here)."""
    collected = collect(aws, collectors)
    inventory = Inventory([*collected.resources, *also], gaps=collected.gaps)
    return evaluate(inventory, registry or build_registry())


def findings(evaluation: Evaluation, check_id: str) -> list[Finding]:
    return [f for f in evaluation.findings if f.check.id == check_id]


def verdicts(evaluation: Evaluation, check_id: str) -> dict[str, Status]:
    """Each resource the check judged, by id (or name), with its status."""
    return {
        (f.resource.id or f.resource.name) if f.resource else "(account)": f.status
        for f in findings(evaluation, check_id)
    }


def by_id(collected: Collected, ident: str) -> Resource:
    (found,) = [r for r in collected.resources if r.id == ident]
    return found


def deny(monkeypatch: Any, service: str, operation: str) -> None:
    """Every `operation` of `service` answers AccessDenied from now on in this test."""
    original = Account.client

    def refuse(model: Any, **_: Any) -> None:
        error = {"Code": "AccessDenied", "Message": f"not authorized to perform {operation}"}
        raise botocore.exceptions.ClientError(
            {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}, model.name
        )

    def client(self: Account, name: str, region: str) -> Any:
        made = original(self, name, region)
        if name == service:
            event = f"before-call.{made.meta.service_model.service_id.hyphenize()}.{operation}"
            made.meta.events.register(event, refuse, unique_id=f"deny-{service}-{operation}")
        return made

    monkeypatch.setattr(Account, "client", client)


# Values compared by kind only: their contents are the configuration's own.
_OPAQUE = frozenset({"tags", "tags_all", "policy"})


def _merged(blocks: list[Any]) -> dict[str, Any]:
    """The blocks of a list as one: every key any of them sets, with its first value."""
    merged: dict[str, Any] = {}
    for block in blocks:
        for key, value in block.items():
            merged.setdefault(key, value)
    return merged


def shape_differences(
    program: Mapping[str, Any], live: Mapping[str, Any], path: str = ""
) -> list[str]:
    """Where the live props lack a key the program's props set, or hold another kind of value
    there (nested blocks compared key by key). Values the program does not declare (made up by
    the mocks, secret) are compared by presence only."""
    found: list[str] = []
    for key, declared in program.items():
        where = f"{path}{key}"
        if key not in live:
            found.append(f"{where}: missing")
            continue
        seen = live[key]
        if isinstance(declared, (MadeUp, Secret)) or declared is None:
            continue
        if isinstance(declared, Mapping) and isinstance(seen, Mapping):
            if key not in _OPAQUE:
                found += shape_differences(declared, seen, where + ".")
        elif isinstance(declared, list) and isinstance(seen, list):
            if declared and seen and all(isinstance(b, Mapping) for b in (*declared, *seen)):
                found += shape_differences(_merged(declared), _merged(seen), where + "[].")
            elif declared and seen and type(declared[0]) is not type(seen[0]):
                found.append(f"{where}[]: {type(declared[0]).__name__} != {type(seen[0]).__name__}")
        elif type(declared) is not type(seen):
            found.append(f"{where}: {type(declared).__name__} != {type(seen).__name__}")
    return found


def program_resources(stack: str | None = None) -> list[Resource]:
    """The billing program's resources for `stack`, or the guarantee program's (None)."""
    if stack is None:
        return list(scan_program(Path("tests/guarantee_program")).resources)
    return list(scan_program(Path("."), stack).resources)


class _OneClient:
    """An account whose every client is one given client (a botocore `Stubber`'s, say)."""

    account_id = ACCOUNT

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, region: str) -> Any:
        return self._client


def run_with(collector: Collector, client: Any, region: str = "us-east-1") -> list[Resource]:
    """The resources `collector` makes from what `client` answers, in one region."""
    ctx = Context(_OneClient(client), region, collector.service)  # type: ignore[arg-type]
    return list(collector.collect(ctx))


def record_calls(monkeypatch: Any) -> list[str]:
    """Every API call the collectors make from now on in this test, as `service:Operation`."""
    calls: list[str] = []
    original = Account.client

    def client(self: Account, name: str, region: str) -> Any:
        made = original(self, name, region)

        def note(model: Any, **_: Any) -> None:
            calls.append(f"{name}:{model.name}")

        made.meta.events.register("before-call", note, unique_id="record-calls")
        return made

    monkeypatch.setattr(Account, "client", client)
    return calls
