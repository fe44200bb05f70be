"""The mocks that deploy: each resource a program registers is created in the emulator.

Runs inside the deploy worker (`scripts.emulate.worker`). Pulumi registers a resource when its
inputs resolve, from several threads at once; a resource whose target AWS does not know yet
(a name the program wrote as plain text, not as a reference) waits for the next creation to
finish and tries again, until nothing else is left to wait for. The provider's own behaviours
are redone here or in the creators: the provider's default tags, a resource's region, and
what a creator documents.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions
from pulumi.runtime import rpc

from checks.sources.program_values import engine_urn
from checks.sources.pulumi_schema import object_to_python, properties, resource_class
from checks.sources.pulumi_transforms import transformed
from scripts.emulate.creators.base import NotEmulated, Target, error_code
from scripts.emulate.export import export_states
from scripts.emulate.inputs import Inputs, Usage, unmapped
from scripts.emulate.invokes import Invokes
from scripts.emulate.registry import Registry
from scripts.emulate.values import redact, strings, to_engine, unknown_outputs, unwrap_secrets

# How long a resource waits for another creation to finish before its error stands, and how
# often it tries again: a missing target that nothing in flight will create is a real failure.
QUIET_SECONDS = 4.0
MAX_ATTEMPTS = 30
# Error codes that say a resource's target does not exist (yet).
_MISSING_SUFFIXES = ("NotFound", "NotFoundFault", "NotFoundException", "DoesNotExistException")
_MISSING_CODES = frozenset(
    {"NoSuchBucket", "NoSuchEntity", "NoSuchConfigurationRecorderException",
     "NoAvailableConfigurationRecorderException", "NoAvailableDeliveryChannelException",
     "WAFNonexistentItemException"}
)  # fmt: skip


class DeployAborted(Exception):
    """A creator failed: the deploy stops, and says which resource and why."""


def missing_target(exc: BaseException) -> bool:
    code = error_code(exc)
    return code in _MISSING_CODES or code.endswith(_MISSING_SUFFIXES)


@dataclass
class Provider:
    region: str
    default_tags: dict[str, str] = field(default_factory=dict)


def default_tags(value: Any) -> dict[str, str]:
    """`aws:defaultTags` (config text or a provider input): `{"tags": {...}}`."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    tags = value.get("tags") if isinstance(value, Mapping) else None
    return {str(k): str(v) for k, v in (tags or {}).items()}


class Deployer:
    """Pulumi mocks whose `new_resource` creates the resource in the emulator."""

    def __init__(self, request: Mapping[str, Any], clients, registry: Registry, progress) -> None:
        self.clients = clients
        self.registry = registry
        self.progress = progress
        self.account: str = request["account"]
        self.partition = "aws-us-gov" if request["region"].startswith("us-gov-") else "aws"
        config = request["config"]
        self.default = Provider(request["region"], default_tags(config.get("aws:defaultTags")))
        self.providers: dict[str, Provider] = {}
        self.secrets: set[str] = set(request.get("secret_plaintexts", ()))
        self.invokes = Invokes(clients, self.account, self.partition, request["region"])
        self.stack_transforms: list = []
        self.local = threading.local()
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.generation = 0  # creations finished so far: what a waiting resource watches
        self.created: list[dict[str, Any]] = []
        self.not_emulated: list[dict[str, Any]] = []
        self.skipped: dict[str, str] = {}  # URN of a resource not emulated → its description
        self.unmapped: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.failure: dict[str, Any] | None = None
        # URN → the engine-named inputs and state of each created resource: a stack export's body.
        self.states: dict[str, dict[str, Any]] = {}

    # -- the mocks' entry points ----------------------------------------------------------

    def new_resource(self, args) -> tuple[str, dict[str, Any]]:
        token, urn = args.typ, getattr(self.local, "urn", "") or ""
        if self.failure is not None:
            raise DeployAborted("the deploy stopped at an earlier failure")
        if token.startswith("pulumi:providers:"):
            return self._provider(args, urn)
        if args.custom is False:
            return "", {}  # a component: nothing to create
        inputs = transformed(args, self.stack_transforms)
        provider = self._provider_of(args.provider)
        own_region = inputs.get("region")
        region = own_region if isinstance(own_region, str) else provider.region
        cls = resource_class(token)
        if args.custom is None or args.resource_id:
            how = "reads" if args.custom is None else "imports"
            return self._skip(args, urn, cls, inputs, f"the program {how} an existing resource")
        reason = self.registry.not_emulated.get(token) or self._unresolved(inputs)
        creator = self.registry.creators.get(token)
        if reason is None and creator is None:
            reason = "no creator for this type yet"
        if reason is not None:
            return self._skip(args, urn, cls, inputs, reason)
        tags = provider.default_tags if cls is not None and "tags" in properties(cls) else {}
        target = Target(token, args.name, urn, region, self.account, self.partition, tags)
        data = object_to_python(
            unwrap_secrets(
                {k: v for k, v in inputs.items() if not k.startswith("__")}, self.secrets
            ),
            cls,
        )
        data.pop("region", None)  # applied: it chose the target's region
        try:
            (ident, outputs), usage = self._create(creator, data, target)
        except NotEmulated as exc:
            return self._skip(args, urn, cls, inputs, str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure of a creator stops the deploy
            raise self._failure(target, exc) from None
        return self._done(target, cls, inputs, data, ident, outputs, usage)

    def call(self, args) -> tuple[dict[str, Any], list]:
        provider = self._provider_of(args.provider)
        own_region = args.args.get("region")
        return self.invokes.answer(
            args.token, args.args, own_region if isinstance(own_region, str) else provider.region
        ), []

    # -- creation ---------------------------------------------------------------------------

    def _create(self, creator, data: dict[str, Any], target: Target):
        def clients(service: str, region: str | None = None):
            # The resource's own region (its provider's, or its `region` input) by default.
            return self.clients(service, region or target.region)

        for attempt in range(1, MAX_ATTEMPTS + 1):
            usage = Usage()
            seen = self.generation
            target.notes.clear()
            try:
                return creator(Inputs(data, usage), target, clients), usage
            except botocore.exceptions.ClientError as exc:
                if attempt == MAX_ATTEMPTS or not missing_target(exc):
                    raise
                self.progress(self.scrub(f"waiting: {target.token} {target.name}: {exc}"))
                if not self._wait(seen):
                    raise
        raise AssertionError("unreachable")

    def _wait(self, seen: int) -> bool:
        """Wait until another creation finishes after `seen`; False when none does."""
        deadline = time.monotonic() + QUIET_SECONDS
        with self.changed:
            while self.generation == seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(remaining)
        return True

    def _done(self, target, cls, inputs, data, ident, outputs, usage) -> tuple[str, dict]:
        state = {**inputs, **to_engine(outputs, cls)}
        if cls is not None and "tagsAll" in properties(cls):
            state["tagsAll"] = {**target.default_tags, **(data.get("tags") or {})}
        record = {
            "type": target.token,
            "name": target.name,
            "urn": engine_urn(target.urn),
            "id": ident,
            "arn": outputs.get("arn"),
            "region": target.region,
        }
        missed = unmapped(data, usage)
        with self.changed:
            self.created.append(record)
            self.states[record["urn"]] = {"inputs": dict(inputs), "outputs": state}
            if missed:
                self.unmapped.append({**record, "inputs": missed})
            self.notes.extend(target.notes)
            self.generation += 1
            self.changed.notify_all()
        self.progress(self.scrub(f"created {target.token} {target.name}: {ident}"))
        return ident, state

    def _skip(self, args, urn: str, cls, inputs, reason: str) -> tuple[str, dict]:
        record = {"type": args.typ, "name": args.name, "urn": engine_urn(urn), "reason": reason}
        with self.changed:
            self.not_emulated.append(record)
            self.skipped[urn] = f"{args.typ} {args.name}"
            self.generation += 1
            self.changed.notify_all()
        self.progress(self.scrub(f"NOT EMULATED {args.typ} {args.name}: {reason}"))
        return args.resource_id or "", {**inputs, **unknown_outputs(cls, inputs)}

    def _failure(self, target: Target, exc: BaseException) -> DeployAborted:
        message = self.scrub(f"{type(exc).__name__}: {exc}")
        with self.changed:
            if self.failure is None:
                urn = engine_urn(target.urn)
                self.failure = {"type": target.token, "name": target.name, "urn": urn,
                                "error": message}  # fmt: skip
            self.changed.notify_all()
        return DeployAborted(
            f"{target.token} {target.name} could not be created in the emulator: {message}"
        )

    def _unresolved(self, inputs: Mapping[str, Any]) -> str | None:
        """Why a resource cannot be made when an input it needs comes from one not emulated."""
        request = getattr(self.local, "request", None)
        deps = getattr(request, "propertyDependencies", None) or {}
        for prop, dependency in deps.items():
            gone = [self.skipped[u] for u in dependency.urns if u in self.skipped]
            if gone and prop not in inputs:
                return f"its input {prop!r} comes from {gone[0]}, which was not emulated"
        for prop, value in inputs.items():
            if rpc.UNKNOWN in strings(value):
                return f"its input {prop!r} is unknown (it comes from a resource not emulated)"
        return None

    # -- providers --------------------------------------------------------------------------

    def _provider(self, args, urn: str) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        region = inputs.get("region")
        tags = inputs.get("defaultTags")
        with self.lock:
            self.providers[urn] = Provider(
                region if isinstance(region, str) and region else self.default.region,
                default_tags(tags) if tags else dict(self.default.default_tags),
            )
        return f"{args.name}-provider", inputs

    def _provider_of(self, reference: str | None) -> Provider:
        urn = reference.rsplit("::", 1)[0] if reference else ""
        return self.providers.get(urn, self.default)

    def scrub(self, value: Any) -> Any:
        return redact(value, self.secrets)

    def result(self) -> dict[str, Any]:
        return self.scrub(
            {
                "account": self.account,
                "created": self.created,
                "not_emulated": self.not_emulated,
                "unmapped": self.unmapped,
                "made_up": sorted(self.invokes.made_up),
                "notes": self.notes,
                "failure": self.failure,
                "states": export_states(self.states),
            }
        )
