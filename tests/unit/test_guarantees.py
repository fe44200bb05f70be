"""The guarantee, generated over the whole check library: no value a check cannot see decides it.

For every check and every PASS it gives on the hardened billing stacks (prod and dev) and on
`tests/guarantee_program` (a small service declaring what the stacks do not), all run under
mocks, every property the check read is replaced, one at a time, by a secret whose plaintext
nobody gave, an unknown, a value the mocks made up, and (as a state or preview file leaves it)
nothing at all. The check is run again: it must never pass. Every check of the library must
PASS somewhere in these programs (or, for the facts only the live account shows, in what the
live source collects of a well-kept account), so none goes untried.

"Read" means every property read through the accessor (`Resource.value`, on any resource: the
check's own or one it joined to), and every raw read of the check's own resource's properties:
a check that bypassed the accessor is caught too. Raw reads of other resources, and of the
names a resource is known by (`NAME_KEYS`), are how joins build their indexes; they decide
nothing by themselves. A read that asks only whether a property is set (`Resource.is_set`) is
decided by a secret or an unknown too, so only its absence is tried.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from checks import model
from checks.evaluate import Finding, evaluate, run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource
from checks.registry import Status
from checks.sources.program import scan_program
from checks.support.joins import NAME_KEYS
from checks.support.resource_types import ACCOUNT_SUMMARY, CREDENTIAL_REPORT_ROW

REPO = Path(__file__).resolve().parents[2]
ABSENT = object()
VARIANTS = {
    "secret": lambda value: SECRET,
    "unknown": lambda value: UNKNOWN,
    "made up": lambda value: MadeUp(value),
    "absent": lambda value: ABSENT,
}

_LOG: list[tuple[str, str]] | None = None


class _Watched(dict):
    """Properties that log every key read while a log is open."""

    address = ""

    def _seen(self, key: Any) -> None:
        if _LOG is not None:
            _LOG.append((self.address, str(key)))

    def __getitem__(self, key: Any) -> Any:
        self._seen(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._seen(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._seen(key)
        return super().__contains__(key)

    def _all(self) -> None:
        for key in dict.__iter__(self):  # the plain iteration: ours logs every key
            self._seen(key)

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def __iter__(self) -> Iterator[Any]:
        self._all()
        return super().__iter__()


def _watched(res: Resource) -> Resource:
    props = _Watched(res.props)
    props.address = res.address
    watched = dataclasses.replace(res, props=props)
    global _LOG
    saved, _LOG = _LOG, None
    try:
        _ = watched.has_special  # computed once, before anything is logged
    finally:
        _LOG = saved
    return watched


def _run(check, subject: Resource | None, inventory: Inventory) -> list[Finding]:
    """The check's findings on `subject` (for an account check: its results naming it)."""
    findings = run_check(check, inventory, subject if check.scope == "resource" else None)
    address = subject.address if subject else None
    return [f for f in findings if (f.resource.address if f.resource else None) == address]


# Programs whose PASSes the guarantee is tried on: the billing stacks, and a small service that
# declares what they do not (EC2, EBS, IAM users, Lambda, snapshots, secrets, SQS, SSM).
PROGRAMS = (
    (REPO, "prod"),
    (REPO, "dev"),
    (REPO / "tests" / "guarantee_program", "dev"),
)


def _live_account_facts() -> list[Resource]:
    """What the live source collects of a well-kept account that no program can declare (the
    IAM account summary and a credential report row): the checks of them are tried here."""
    summary = {"account_mfa_enabled": True, "account_access_keys_present": False, "users": 1}
    row = {
        "user": "alice", "arn": "arn:aws:iam::123456789012:user/alice",
        "user_creation_time": "2026-01-01T00:00:00+00:00", "password_enabled": True,
        "password_last_used": "2026-11-30T08:00:00+00:00",
        "password_last_changed": "2026-10-01T00:00:00+00:00", "mfa_active": True,
        "access_key_1_active": True, "access_key_1_last_rotated": "2026-11-01T00:00:00+00:00",
        "access_key_1_last_used_date": "2026-11-30T09:00:00+00:00",
        "access_key_2_active": False, "access_key_2_last_rotated": None,
        "access_key_2_last_used_date": None,
        "generated_time": "2026-12-01T11:59:00+00:00", "audit_time": "2026-12-01T12:00:00+00:00",
    }  # fmt: skip
    return [
        Resource(ACCOUNT_SUMMARY, "account-summary", summary, id="account-summary",
                 region="us-east-1", account="123456789012", source="aws"),
        Resource(CREDENTIAL_REPORT_ROW, "alice", row, id="credential-report/alice",
                 region="us-east-1", account="123456789012", source="aws"),
        *_live_host_facts(),
        *_live_capacity_and_tunnel_facts(),
    ]  # fmt: skip


def _live_host_facts() -> list[Resource]:
    """What the live source collects of a well-kept EC2 host that no program can declare: it
    runs, and Systems Manager manages and has patched it (the checks of EC2-03 and EC2-06)."""
    where = {"region": "us-east-1", "account": "123456789012", "source": "aws"}
    status = {"instance_id": "i-0abc", "instance_state": "running",
              "audit_time": "2026-12-01T12:00:00+00:00"}  # fmt: skip
    patched = {"installed_count": 41, "missing_count": 0, "failed_count": 0,
               "installed_pending_reboot_count": 0, "installed_rejected_count": 0}  # fmt: skip
    node = {"instance_id": "i-0abc", "ping_status": "Online", "association_status": "Success",
            "patch_state": patched}  # fmt: skip
    return [
        Resource("aws:ec2/instanceStatus:InstanceStatus", "i-0abc", status,
                 id="instance-status/i-0abc", **where),
        Resource("aws:ssm/managedInstance:ManagedInstance", "i-0abc", node, id="i-0abc", **where),
    ]  # fmt: skip


def _live_capacity_and_tunnel_facts() -> list[Resource]:
    """What the live source collects that no program can declare: the region's DynamoDB quota
    beside a provisioned table (DDB-04), and a VPN connection whose two tunnels are up (VPN-01)."""
    where = {"region": "us-east-1", "account": "123456789012", "source": "aws"}
    limits = {"account_max_read_capacity_units": 80000, "account_max_write_capacity_units": 80000}
    table = {"name": "claims", "billing_mode": "PROVISIONED", "read_capacity": 100,
             "write_capacity": 50}  # fmt: skip
    tunnels = {"vpn_connection_id": "vpn-0abc", "state": "available", "vgw_telemetries": [
        {"outside_ip_address": "203.0.113.10", "status": "UP"},
        {"outside_ip_address": "203.0.113.11", "status": "UP"}]}  # fmt: skip
    return [
        Resource("aws:dynamodb/accountLimits:AccountLimits", "dynamodb-limits-us-east-1", limits,
                 id="123456789012/us-east-1", **where),
        Resource("aws:dynamodb/table:Table", "claims", table, id="claims", **where),
        Resource("aws:ec2/vpnConnection:VpnConnection", "vpn-0abc", {"type": "ipsec.1"},
                 id="vpn-0abc", **where),
        Resource("aws:ec2/vpnTunnelStatus:VpnTunnelStatus", "vpn-0abc", tunnels,
                 id="vpn-0abc/tunnels", **where),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def stacks() -> list[Inventory]:
    # Each scan waits on its own worker process: run them side by side.
    with ThreadPoolExecutor(len(PROGRAMS)) as pool:
        scans = list(pool.map(lambda program: scan_program(*program), PROGRAMS))
    inventories = [Inventory(_watched(r) for r in scan.resources) for scan in scans]
    return [*inventories, Inventory(_watched(r) for r in _live_account_facts())]


def _library_ids() -> set[str]:
    return {c.id for c in build_registry()}


def _pass_cases(inventory: Inventory) -> Iterator[tuple[Any, Resource | None]]:
    registry = build_registry()
    for finding in evaluate(inventory, registry).findings:
        if finding.status is Status.PASS:
            yield finding.check, finding.resource


def _reads(check, subject: Resource | None, inventory: Inventory) -> list[tuple[str, str, bool]]:
    """(address, key, presence only) of every decisive read of one run of the check."""
    global _LOG
    _LOG = []
    through_accessor: list[tuple[str, str, bool]] = []
    original = model.note_read

    def note(address: str, key: str, presence: bool = False) -> None:
        through_accessor.append((address, key, presence))
        original(address, key, presence)

    model.note_read = note
    try:
        before = _run(check, subject, inventory)
        raw = [
            (a, k, False)
            for a, k in _LOG
            if subject is not None and a == subject.address and k not in NAME_KEYS
        ]
    finally:
        _LOG = None
        model.note_read = original
    assert [f.status for f in before] == [Status.PASS]
    return list(dict.fromkeys([*through_accessor, *raw]))


def _mutated(inventory: Inventory, address: str, key: str, variant: str) -> Inventory:
    resources = []
    for res in inventory:
        if res.address == address:
            props = dict(res.props)
            replacement = VARIANTS[variant](props.get(key))
            recorded = None
            if replacement is ABSENT:
                props.pop(key, None)
                recorded = frozenset(props)  # a file that does not record this property
            else:
                props[key] = replacement
            res = _watched(dataclasses.replace(res, props=props, recorded=recorded))
        resources.append(res)
    return Inventory(resources)


def test_no_pass_survives_a_value_the_check_cannot_see(stacks):
    cases = escaped = 0
    problems: list[str] = []
    covered: set[str] = set()
    for inventory in stacks:
        by_address = {r.address: r for r in inventory}
        for check, subject in _pass_cases(inventory):
            covered.add(check.id)
            for address, key, presence in _reads(check, subject, inventory):
                if address not in by_address or key.startswith(("__", "(")):
                    continue  # bookkeeping, or a join's "(listed)"/"(joined)" note
                # Whether a property is set at all is decided by a secret or an unknown too:
                # only its absence can hide it.
                for variant in ("absent",) if presence else VARIANTS:
                    mutated = _mutated(inventory, address, key, variant)
                    target = (
                        None
                        if subject is None
                        else next(r for r in mutated if r.address == subject.address)
                    )
                    statuses = [f.status for f in _run(check, target, mutated)]
                    cases += 1
                    if Status.PASS in statuses:
                        escaped += 1
                        problems.append(
                            f"{check.id} on {subject and subject.name}: {key} of "
                            f"{by_address[address].name} {variant} -> PASS"
                        )
    assert cases > 1000, cases
    assert problems == [], f"{escaped} of {cases} mutations still passed:\n" + "\n".join(
        problems[:40]
    )
    # Every check must PASS somewhere in these programs, or its guarantee goes untested.
    assert sorted(_library_ids() - covered) == []


def test_the_harness_catches_a_check_that_reads_around_the_accessor(stacks):
    # A check that looks at raw props and treats anything but True as "off" would pass on a
    # secret; the harness must see that read and that pass.
    from checks.registry import Severity, check, passed

    made: list = []

    @check(
        into=made,
        id="raw_reader_for_test",
        control="RDS-08",
        title="t",
        severity=Severity.LOW,
        remediation="r",
        pulumi_fix="f",
        resource_types=("aws:rds/instance:Instance",),
    )
    def raw_reader(res: Resource, inv: Inventory):
        value = res.props.get("deletion_protection")
        return passed("fine") if value is not False else passed("also fine")

    inventory = stacks[0]
    db = inventory.by_type("aws:rds/instance:Instance")[0]
    reads = _reads(made[0], db, inventory)
    assert (db.address, "deletion_protection", False) in reads
    mutated = _mutated(inventory, db.address, "deletion_protection", "secret")
    target = next(r for r in mutated if r.address == db.address)
    assert [f.status for f in _run(made[0], target, mutated)] == [Status.PASS]
