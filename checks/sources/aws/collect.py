"""Collectors and how they run: every list paginated, every failure recorded, never silent.

A `Collector` reads one service's resources of some Pulumi types in one region (or once per
account, for a global service) and declares the IAM actions it calls. It runs with a `Context`
that builds `Resource`s the way the Pulumi sources do (type token, snake_case props) and turns
any AWS error into a `Gap`: the types it hides, where, and why. A gap makes the checks that need
those types NOT_EVALUATED with that reason (`Inventory` raises `Undecidable` for a gapped type).
"""

from __future__ import annotations

import concurrent.futures
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore
import botocore.exceptions
from botocore.parsers import ResponseParserError

from checks.model import Resource
from checks.sources.aws.session import MODELS, Account, strip_userinfo

# Error codes that mean "not configured" for a Get of one setting: the setting is absent.
NOT_CONFIGURED = frozenset(
    {
        "NoSuchBucketPolicy",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchLifecycleConfiguration",
        "ObjectLockConfigurationNotFoundError",
        "OwnershipControlsNotFoundError",
        "ReplicationConfigurationNotFoundError",
        "NoSuchTagSet",
        "NoSuchEntity",
        "ResourceNotFoundException",
        "NoSuchConfigurationRecorderException",
        "RepositoryPolicyNotFoundException",
    }
)
_DENIED = ("AccessDenied", "UnauthorizedOperation", "AuthFailure", "AccessDeniedException")
_NOT_ENABLED = ("OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId")


# What a call may raise that means "this could not be read": AWS's errors, the SDK's, and an
# answer that is not in AWS's format at all (an emulator's error page).
_CALL_ERRORS = (
    botocore.exceptions.ClientError,
    botocore.exceptions.BotoCoreError,
    ResponseParserError,
)

# The actions the framework itself calls, whatever collectors run: the enabled regions for
# `--regions all`, and the assumed roles of `--role-arn` (granted on the caller's side).
FRAMEWORK_ACTIONS = ("ec2:DescribeRegions",)

# Pages of one list call before it counts as endless (AWS pages hold 50 to 1,000 items).
MAX_PAGES = 2000

# Why the other resources of a type read narrowly are missing (`Context.narrowed`): the
# change-triggered audit reads only the resource a call changed. A gap like any other, so a
# check that needs every resource of the type cannot decide on what was read.
NARROWED = "not read: only the changed resource was read"

# Error codes of a Get or Describe of one named resource that mean "there is no such resource".
NOT_FOUND = frozenset(
    {
        "NoSuchBucket",
        "NoSuchEntity",
        "NotFoundException",
        "DBInstanceNotFound",
        "DBInstanceNotFoundFault",
        "InvalidGroup.NotFound",
        "InvalidGroupId.Malformed",
        "TrailNotFoundException",
    }
)

# A narrowed read: per key type, the resources wanted, each by its identifiers (id, ARN, name).
Only = Mapping[str, tuple[tuple[str, ...], ...]]


class CollectionError(Exception):
    """A call whose failure hides what the collector was reading."""


@dataclass(frozen=True)
class Gap:
    """What could not be seen, where, and why."""

    account: str
    region: str
    types: tuple[str, ...]
    reason: str

    def as_record(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "types": list(self.types),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Collector:
    service: str  # the boto3 client it reads
    types: tuple[str, ...]  # the Pulumi type tokens it produces: a failure hides them all
    actions: tuple[str, ...]  # the IAM actions it calls
    collect: Callable[[Context], Iterable[Resource]]
    regional: bool = True  # False: a global service, read once per account


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def reason_of(exc: Exception, operation: str) -> str:
    """Why a call failed, in words a reader of the coverage section can act on (never with a
    password an endpoint URL carried)."""
    return strip_userinfo(_reason_of(exc, operation))


def _reason_of(exc: Exception, operation: str) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code.startswith(_DENIED) or code in _DENIED:
            return f"access denied to {operation} ({code})"
        # A 403 whose error the SDK could not read (a HEAD has no body; some endpoints answer
        # a JSON service in XML) is a refusal all the same: say so, not the raw body.
        if status == 403 and code in ("", "403"):
            return f"access denied to {operation} (HTTP 403)"
        if code in _NOT_ENABLED:
            return f"{operation} refused: the region is not enabled for these credentials ({code})"
        if "Throttl" in code or code == "RequestLimitExceeded":
            return f"{operation} was throttled beyond every retry ({code})"
        # An endpoint that does not know the operation's route answers a bare 404 (the
        # emulator does); AWS itself always names the error.
        if status in (500, 501) or "NotImplemented" in code or code == "404":
            return f"the endpoint does not implement {operation} ({code or status})"
        return f"{operation} failed: {code}: {error.get('Message', '')}".rstrip(": ")
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"{operation}: the endpoint cannot be reached"
    if isinstance(exc, ResponseParserError):
        return f"the endpoint does not implement {operation} (its answer is not AWS's format)"
    return (
        f"{operation} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    )


def _code(exc: botocore.exceptions.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass
class Context:
    """One collector's run in one account and region."""

    account: Account
    region: str
    service: str
    hidden: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    calls: int = 0
    only: Only = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    def client(self, service: str | None = None) -> Any:
        return self.account.client(service or self.service, self.region)

    def call(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One API call; any failure is a CollectionError saying why."""
        self.calls += 1
        try:
            return getattr(client, _snake(operation))(**kwargs)
        except _CALL_ERRORS as exc:
            raise CollectionError(reason_of(exc, operation)) from None

    def setting(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """A Get of one setting: None when AWS says it is not configured."""
        self.calls += 1
        try:
            return getattr(client, _snake(operation))(**kwargs)
        except botocore.exceptions.ClientError as exc:
            if _code(exc) in NOT_CONFIGURED:
                return None
            raise CollectionError(reason_of(exc, operation)) from None
        except (botocore.exceptions.BotoCoreError, ResponseParserError) as exc:
            raise CollectionError(reason_of(exc, operation)) from None

    def lookup(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """A Describe or Get of one named resource: None when AWS says there is no such one."""
        self.calls += 1
        try:
            return getattr(client, _snake(operation))(**kwargs)
        except botocore.exceptions.ClientError as exc:
            if _code(exc) in NOT_FOUND:
                return None
            raise CollectionError(reason_of(exc, operation)) from None
        except (botocore.exceptions.BotoCoreError, ResponseParserError) as exc:
            raise CollectionError(reason_of(exc, operation)) from None

    def narrowed(self, key: str, hides: Iterable[str]) -> tuple[tuple[str, ...], ...] | None:
        """The resources of type `key` this read is limited to, each by its identifiers, or
        None: read every one. A narrowed read records `hides` (the types it leaves partly
        unread) as a gap, so nothing reads the absence of the others as "there are none"."""
        wanted = self.only.get(key)
        if wanted is None:
            return None
        named = ", ".join(sorted(ids[0] for ids in wanted if ids))
        self.hide(tuple(hides), f"{NARROWED} ({named})")
        return wanted

    def pages(self, client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        """Every item under `key` of every page of a list operation (an endpoint that never
        stops handing out next-page tokens is a gap after `MAX_PAGES`, not an endless audit)."""
        method = _snake(operation)
        try:
            if client.can_paginate(method):
                for number, page in enumerate(client.get_paginator(method).paginate(**kwargs)):
                    if number >= MAX_PAGES:
                        raise CollectionError(
                            f"{operation} was still handing out pages after {MAX_PAGES}: "
                            "stopped (an endpoint that never ends its list)"
                        )
                    self.calls += 1
                    yield from page.get(key) or ()
            else:
                self.calls += 1
                yield from getattr(client, method)(**kwargs).get(key) or ()
        except _CALL_ERRORS as exc:
            raise CollectionError(reason_of(exc, operation)) from None

    def hide(self, types: Iterable[str], reason: str) -> None:
        """Record that some of this collector's types were only partly seen (one setting of one
        resource could not be read): the checks that need them cannot decide."""
        self.hidden.append((tuple(types), reason))

    def resource(
        self,
        type_: str,
        name: str,
        props: Mapping[str, Any],
        *,
        id: str | None = None,
        arn: str | None = None,
        region: str | None = None,
    ) -> Resource:
        """A live resource, named as the Pulumi sources name theirs."""
        return Resource(
            type=type_,
            name=name,
            props=dict(props),
            id=id,
            arn=arn,
            region=region or self.region,
            account=self.account_id,
            source="aws",
        )


def _snake(operation: str) -> str:
    # boto3's own method names: a hand-made split reads `ListWebACLs` as `list_web_ac_ls`.
    return botocore.xform_name(operation)


def _trim() -> Callable[[], Any] | None:
    """glibc's malloc_trim, which hands freed heap pages back to the system; None elsewhere."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None  # no C library to load: nothing to hand back, memory is only not returned
    trim = getattr(libc, "malloc_trim", None)
    return (lambda: trim(0)) if trim is not None else None


_TRIM = _trim()


def give_back_memory() -> None:
    """Once a service's models and clients are let go: collect them now (botocore's models
    hold reference cycles, which otherwise wait for a full collection while the next service
    loads beside them) and return the freed pages, so the peak is one or two services' models,
    not the sum of many (measured on the emulated billing account: 160 MiB without, 110 with)."""
    gc.collect()
    if _TRIM is not None:
        _TRIM()


@dataclass
class Harvest:
    resources: list[Resource] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def run(
    accounts: list[Account],
    regions: Mapping[str, list[str]],
    collectors: Iterable[Collector],
    progress: Callable[[str], None],
    *,
    workers: int = 16,
    services_at_once: int = 2,
    only: Only | None = None,
) -> Harvest:
    """Every collector in every account and region (global ones once per account), concurrently.

    `regions` maps an account id to the regions read in it; its first is where global services
    are read. Up to `workers` calls run at once, over at most `services_at_once` services:
    botocore's model of a service is most of an audit's memory, and each is let go once every
    account and region is done with it (many accounts and regions share one service's model).
    `only` narrows the collectors that can read single resources to those (`Context.narrowed`)."""
    harvest = Harvest()
    tasks: list[tuple[Account, str, Collector]] = []
    for account in accounts:
        where = regions[account.account_id]
        for collector in collectors:
            for region in where if collector.regional else where[:1]:
                tasks.append((account, region, collector))

    # Progress: one line when the last collector of a service in an account and region ends.
    left: dict[tuple[str, str, str], int] = {}
    for account, region, collector in tasks:
        key = (account.account_id, region, collector.service)
        left[key] = left.get(key, 0) + 1
    tally: dict[tuple[str, str, str], list[int]] = {key: [0, 0, 0] for key in left}
    done: list[int] = [0]

    def one(account: Account, region: str, collector: Collector) -> None:
        ctx = Context(account, region, collector.service, only=only or {})
        found: list[Resource] = []
        failed: list[Gap] = []
        try:
            found = list(collector.collect(ctx))
        except CollectionError as exc:
            failed.append(Gap(account.account_id, region, collector.types, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a collector's own bug hides its types: say so
            reason = f"the {collector.service} collector failed: {type(exc).__name__}: {exc}"
            failed.append(Gap(account.account_id, region, collector.types, reason))
        failed += [Gap(account.account_id, region, types, why) for types, why in ctx.hidden]
        key = (account.account_id, region, collector.service)
        with harvest.lock:  # one line at a time, whichever thread ends
            harvest.resources.extend(found)
            harvest.calls += ctx.calls
            harvest.gaps.extend(failed)
            counts = tally[key]
            counts[0], counts[1], counts[2] = (
                counts[0] + len(found),
                counts[1] + ctx.calls,
                counts[2] + len(failed),
            )
            left[key] -= 1
            if not any(n for k, n in left.items() if k[2] == collector.service):
                release(collector.service)
            if left[key] == 0:
                done[0] += 1
                unread = f", {counts[2]} could not be read" if counts[2] else ""
                progress(
                    f"[{done[0]}/{len(left)}] {key[0]} {region} {collector.service}: "
                    f"{counts[0]} resources, {counts[1]} calls{unread}"
                )

    def release(service: str) -> None:
        """Every account and region is done with `service`: let its clients and models go."""
        for account in accounts:
            account.release(service)
        MODELS.release(service)
        give_back_memory()

    by_service: dict[str, list[tuple[Account, str, Collector]]] = {}
    for task in tasks:
        by_service.setdefault(task[2].service, []).append(task)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:

        def service(batch: list[tuple[Account, str, Collector]]) -> None:
            for future in [pool.submit(one, *task) for task in batch]:
                future.result()

        # What lives before the collection (imported modules, the check library) is set aside
        # from the collections that free each service's models, which then cost milliseconds.
        gc.freeze()
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=services_at_once) as services:
                for future in [services.submit(service, batch) for batch in by_service.values()]:
                    future.result()
        finally:
            gc.unfreeze()
    return harvest
