"""The technology asset inventory and the ePHI network map, as the run record carries them.

Every data-holding resource (`checks.support.data_assets`) gets one row: its classification
(the data-classification tag), encryption at rest, backup and exposure. Each value is read
from what the checks found (their verdict and evidence) or from the inventory itself (backup
selections, the network map); a value nothing shows is "unknown", never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.evaluate import Finding
from checks.model import Inventory, Resource, Undecidable, data_classification
from checks.registry import Status
from checks.splits import reference
from checks.support.backup_selections import backup_selections
from policies.asset_kinds import NO_BACKUP_EXPECTED, data_kinds
from policies.asset_network import INTERNET, network_map

UNKNOWN = "unknown"
CMK = "customer-managed key"
AWS_MANAGED = "AWS-managed key"
AWS_OWNED = "AWS-owned key"
KMS_KEY = "KMS key (not in this inventory)"
ENCRYPTED = "encrypted (key not shown)"
PLAINTEXT = "not encrypted"
KMS_KEY_TYPE = "aws:kms/key:Key"
KMS_ALIAS_TYPE = "aws:kms/alias:Alias"


@dataclass(frozen=True)
class AtRest:
    """How one check's verdict tells a store's encryption at rest: the evidence key holding
    the key it uses, the evidence flag that is false when nothing is encrypted, and what a
    pass or a failure means when the evidence names no key."""

    key: str | None
    on: str | None
    passed: str
    failed: str


AT_REST: Mapping[str, AtRest] = {
    "rds_storage_encrypted_cmk": AtRest("kms_key_id", "storage_encrypted", CMK, AWS_MANAGED),
    "s3_bucket_sse_kms": AtRest("kms_master_key_id", None, AWS_MANAGED, f"{AWS_MANAGED} (SSE-S3)"),
    "dynamodb_encrypted_cmk": AtRest("kms_key_arn", None, CMK, AWS_OWNED),
    "efs_encrypted": AtRest("kms_key_id", "encrypted", AWS_MANAGED, PLAINTEXT),
    "ebs_volume_encrypted": AtRest(None, "encrypted", ENCRYPTED, PLAINTEXT),
    "log_group_kms_encrypted": AtRest("kms_key_id", None, ENCRYPTED, AWS_OWNED),
    "sns_topic_encrypted": AtRest("kms_master_key_id", None, ENCRYPTED, PLAINTEXT),
    "sqs_queue_encrypted": AtRest("kms_master_key_id", None, f"{AWS_OWNED} (SSE-SQS)", PLAINTEXT),
    "kinesis_stream_encrypted": AtRest("key", None, ENCRYPTED, PLAINTEXT),
    "firehose_delivery_stream_encrypted": AtRest(None, "enabled", AWS_OWNED, PLAINTEXT),
    "backup_vault_cmk": AtRest("kms_key_arn", None, CMK, AWS_MANAGED),
    "opensearch_encrypted_at_rest": AtRest("kms_key_id", "encrypt_at_rest", AWS_MANAGED, PLAINTEXT),
    "elasticsearch_encrypted_at_rest": AtRest(
        "kms_key_id", "encrypt_at_rest", AWS_MANAGED, PLAINTEXT
    ),
    "redshift_encrypted_and_logged": AtRest(None, "encrypted", ENCRYPTED, ENCRYPTED),
    "ec2_block_devices_encrypted": AtRest(None, None, ENCRYPTED, "not shown to be encrypted"),
}

# Checks whose evidence shows native backups, and the evidence key holding the days kept (or
# the flag that says point-in-time recovery is on).
NATIVE_BACKUPS: Mapping[str, tuple[str, str]] = {
    "rds_backup_retention_7_days": ("backup_retention_period", "automated backups"),
    "dynamodb_pitr_enabled": ("point_in_time_recovery", "point-in-time recovery"),
    "elasticache_redis_automatic_backup": ("snapshot_retention_limit", "automatic snapshots"),
    "redshift_automated_snapshots": ("automated_snapshot_retention_period", "automated snapshots"),
}
# Types AWS Backup can protect (a selection can pick them).
AWS_BACKUP_TYPES = frozenset(
    {
        "aws:ec2/instance:Instance",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:docdb/cluster:Cluster",
        "aws:neptune/cluster:Cluster",
        "aws:dynamodb/table:Table",
        "aws:s3/bucket:Bucket",
        "aws:efs/fileSystem:FileSystem",
        "aws:ebs/volume:Volume",
        "aws:redshift/cluster:Cluster",
        "aws:fsx/lustreFileSystem:LustreFileSystem",
        "aws:fsx/windowsFileSystem:WindowsFileSystem",
        "aws:fsx/ontapFileSystem:OntapFileSystem",
        "aws:fsx/openZfsFileSystem:OpenZfsFileSystem",
    }
)
# Checks that fail when anyone may use the store (a '*' policy), and checks that fail when the
# store has an endpoint on the internet.
OPEN_TO_ANYONE = ("s3_bucket_policy_not_public", "messaging_policy_not_public")
PUBLIC_ENDPOINT = (
    "rds_instance_not_public",
    "redshift_cluster_not_public",
    "opensearch_in_vpc_only",
    "elasticsearch_in_vpc_only",
)
PRIVACY_CHECKS = (*OPEN_TO_ANYONE, *PUBLIC_ENDPOINT, "s3_bucket_public_access_blocked")
FAILED = (Status.FAIL, Status.WAIVED)  # a waived failure is still what was found


def _value(state: str, basis: str) -> dict[str, str]:
    return {"state": state, "basis": basis}


def _key_state(ref: Any, inv: Inventory) -> str | None:
    """What kind of KMS key a reference names, or None when it names none."""
    text = reference(ref)[0]
    if not text:
        return None
    if text.startswith("alias/aws/") or ":alias/aws/" in text:
        return AWS_MANAGED
    try:
        if inv.get(text, KMS_KEY_TYPE) is not None or inv.get(text, KMS_ALIAS_TYPE) is not None:
            return CMK
        keys = inv.of_type(KMS_KEY_TYPE, KMS_ALIAS_TYPE)
    except Undecidable:
        return KMS_KEY
    named = {reference(k.props.get(p))[0] for k in keys for p in ("arn", "key_id", "name")}
    return CMK if text in named else KMS_KEY


def encryption(found: Mapping[str, Finding], inv: Inventory) -> dict[str, str]:
    """Encryption at rest as the store's encryption check found it."""
    for check_id, rule in AT_REST.items():
        finding = found.get(check_id)
        if finding is None:
            continue
        basis = f"{check_id}: {finding.message}"
        if finding.status not in (Status.PASS, *FAILED):
            return _value(UNKNOWN, basis)
        evidence = finding.evidence
        if rule.on and evidence.get(rule.on) is False:
            return _value(PLAINTEXT, basis)
        if evidence.get("key_type") == "CUSTOMER_MANAGED_CMK":
            return _value(CMK, basis)
        if rule.key and (kind := _key_state(evidence.get(rule.key), inv)):
            return _value(kind, basis)
        if finding.status is Status.PASS:
            return _value(rule.passed, basis)
        managed = "AWS-managed" in finding.message and rule.failed == AWS_OWNED
        return _value(AWS_MANAGED if managed else rule.failed, basis)
    return _value(UNKNOWN, "no check in this run judges its encryption at rest")


def backup(res: Resource, found: Mapping[str, Finding], inv: Inventory) -> dict[str, str]:
    """AWS Backup selections and native backups, as far as they can be told."""
    if data_kinds()[res.type] in NO_BACKUP_EXPECTED:
        return _value(
            "not applicable", f"one of the {data_kinds()[res.type]}: a copy or in transit"
        )
    kept: list[str] = []
    unknown: list[str] = []
    if res.type in AWS_BACKUP_TYPES:
        try:
            selections = sorted(s.name for s in backup_selections(res, inv))
        except Undecidable as why:
            unknown.append(f"whether a backup plan selects it cannot be told ({why})")
        else:
            kept += [f"AWS Backup plan (selection {', '.join(selections)})"] if selections else []
    for check_id, (key, label) in NATIVE_BACKUPS.items():
        finding = found.get(check_id)
        if finding is None:
            continue
        value = finding.evidence.get(key)
        if finding.status not in (Status.PASS, *FAILED):
            unknown.append(f"{check_id}: {finding.message}")
        elif value is True:
            kept.append(label)
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
            kept.append(f"{label}, {value} days")
    if kept:
        return _value("; ".join(kept), "backup selections and the checks' evidence")
    if unknown or (res.type not in AWS_BACKUP_TYPES and not _has_native(found)):
        return _value(UNKNOWN, "; ".join(unknown) or "no check in this run judges its backups")
    return _value("none", "no backup plan selects it and it keeps no native backups")


def _has_native(found: Mapping[str, Finding]) -> bool:
    return any(check_id in found for check_id in NATIVE_BACKUPS)


def exposure(
    found: Mapping[str, Finding], node: Mapping[str, Any], edges: Mapping[str, Mapping]
) -> dict[str, str]:
    """Who can reach the store: the network map's edges from the internet first (`edges`, by
    kind), then the checks' verdicts."""
    if reach := edges.get("internet"):
        admits = f"{', '.join(reach['via'])} admits {', '.join(reach['detail'])}"
        return _value("internet-reachable", f"{admits} from the internet to a public address")
    if grant := edges.get("policy"):
        return _value("public", f"a policy grants anyone {'; '.join(grant['detail'])}")
    for check_id in OPEN_TO_ANYONE:
        if (f := found.get(check_id)) and f.status in FAILED:
            return _value("public", f"{check_id}: {f.message}")
    for check_id in PUBLIC_ENDPOINT:
        if (f := found.get(check_id)) and f.status in FAILED:
            return _value("public endpoint", f"{check_id}: {f.message}")
    judged = [found[c] for c in PRIVACY_CHECKS if c in found]
    if node.get("internet") == UNKNOWN or any(f.status is not Status.PASS for f in judged):
        return _value(UNKNOWN, "whether it can be reached from outside cannot be told")
    if judged:
        return _value("private", ", ".join(f.check.id for f in judged) + " passed")
    if node.get("internet") == "no" and node.get("security_groups"):
        return _value("private", "no security group of it admits the internet")
    return _value(UNKNOWN, "no check in this run judges who can reach it")


def _findings_by_resource(findings: Iterable[Finding]) -> dict[str, dict[str, Finding]]:
    index: dict[str, dict[str, Finding]] = {}
    for f in findings:
        if f.resource is not None:
            index.setdefault(f.resource.address, {})[f.check.id] = f
    return index


def asset_map(inv: Inventory, findings: Iterable[Finding]) -> dict[str, Any]:
    """The asset inventory (one row per data-holding resource) and the ePHI network map."""
    network = network_map(inv)
    nodes = {n["address"]: n for n in network["nodes"] if "address" in n}
    kinds = data_kinds()
    from_internet: dict[str, dict[str, Mapping]] = {}
    for edge in network["edges"]:
        if edge["from"] == INTERNET:
            from_internet.setdefault(edge["to"], {})[edge["kind"]] = edge
    by_resource = _findings_by_resource(findings)
    rows = []
    for res in sorted((r for r in inv if r.type in kinds), key=lambda r: (r.name, r.address)):
        node = nodes[res.address]
        found = by_resource.get(res.address, {})
        rows.append(
            {
                "node": node["id"],
                "name": res.name,
                "type": res.type,
                "kind": kinds[res.type],
                "address": res.address,
                "region": res.region,
                "classification": node["ephi"],
                "classification_tag": data_classification(res),
                "encryption": encryption(found, inv),
                "backup": backup(res, found, inv),
                "exposure": exposure(found, node, from_internet.get(node["id"], {})),
            }
        )
    return {
        "assets": rows,
        "summary": {
            "assets": len(rows),
            "ephi": sum(1 for r in rows if r["classification"] == "ephi"),
            "exposure": dict(sorted(Counter(r["exposure"]["state"] for r in rows).items())),
        },
        "network": network,
    }
