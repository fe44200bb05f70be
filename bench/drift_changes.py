"""The console changes bench/drift.py makes to the deployed billing system, and what the drift
must say of each: the property that changed, or the resource as gone or unmanaged.

They are the kinds of change the emulator drift test makes (tests/emulator/test_drift_emulated.py):
security settings turned off, a tag removed, an instance class changed, a resource deleted, and
resources made by hand. Three of them are the demo's own (scripts/emulate/console.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scripts.emulate import console
from scripts.emulate.clients import Clients
from scripts.emulate.report import CreatedResource, DeployReport

SG = "aws:ec2/securityGroup:SecurityGroup"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "aws:kms/key:Key"
DB = "aws:rds/instance:Instance"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
USER = "aws:iam/user:User"
VPC = "aws:ec2/vpc:Vpc"

CHANGED, GONE, UNMANAGED = "changed", "gone", "unmanaged"
# Deleting a bucket's default encryption may show as a changed rule or as the resource gone.
CHANGED_OR_GONE = "changed or gone"


@dataclass(frozen=True)
class Expected:
    """What the drift must hold for one change: a row of `kind` naming the resource `ident`
    (its id, ARN or name) of type `token`, and for a change, the property."""

    kind: str
    token: str
    ident: str
    prop: str | None = None


@dataclass(frozen=True)
class Target:
    """The deployed stack's account, as a console user reaches it."""

    report: DeployReport
    clients: Clients

    def __call__(self, service: str) -> Any:
        return self.clients(service)

    def created(self, token: str, name: str) -> CreatedResource:
        (found,) = self.report.find(token, name)
        return found


def _ssh_open(t: Target) -> Expected:
    group = t.created(SG, "app-security-group").id
    console.open_ssh_to_world(t.clients, group)
    return Expected(CHANGED, SG, group, "ingress (every rule)")


def _encryption_removed(t: Target) -> Expected:
    bucket = t.created(BUCKET, "billing-documents").id
    console.remove_bucket_encryption(t.clients, bucket)
    return Expected(CHANGED_OR_GONE, SSE, bucket)


def _trail_stopped(t: Target) -> Expected:
    trail = str(t.created(TRAIL, "audit-trail").arn)
    console.stop_trail(t.clients, trail)
    return Expected(CHANGED, TRAIL, trail, "enable_logging")


def _versioning_suspended(t: Target) -> Expected:
    bucket = t.created(BUCKET, "access-logs").id
    t("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return Expected(CHANGED, VERSIONING, bucket, "versioning_configuration")


def _rotation_off(t: Target) -> Expected:
    key = t.created(KEY, "documents-key").id
    t("kms").disable_key_rotation(KeyId=key)
    return Expected(CHANGED, KEY, key, "enable_key_rotation")


def _modify_database(t: Target, prop: str, **change: Any) -> Expected:
    arn = str(t.created(DB, "billing-db").arn)
    t("rds").modify_db_instance(
        DBInstanceIdentifier=arn.rsplit(":", 1)[-1], ApplyImmediately=True, **change
    )
    return Expected(CHANGED, DB, arn, prop)


def _tag_removed(t: Target) -> Expected:
    group = t.created(SG, "alb-security-group").id
    t("ec2").delete_tags(Resources=[group], Tags=[{"Key": "owner"}])
    return Expected(CHANGED, SG, group, "tags")


def _retention_cut(t: Target) -> Expected:
    group = t.created(LOG_GROUP, "cloudtrail-logs").id
    t("logs").put_retention_policy(logGroupName=group, retentionInDays=30)
    return Expected(CHANGED, LOG_GROUP, group, "retention_in_days")


def _log_group_deleted(t: Target) -> Expected:
    group = t.created(LOG_GROUP, "db-logs-upgrade").id
    t("logs").delete_log_group(logGroupName=group)
    return Expected(GONE, LOG_GROUP, group)


def _bucket_by_hand(t: Target) -> Expected:
    bucket = f"bench-by-hand-{t.report.account}"
    t("s3").create_bucket(Bucket=bucket)
    return Expected(UNMANAGED, BUCKET, bucket)


def _group_by_hand(t: Target) -> Expected:
    vpc = t.created(VPC, "vpc").id
    made = t("ec2").create_security_group(
        GroupName="bench-debug-from-home", Description="made by hand", VpcId=vpc
    )
    return Expected(UNMANAGED, SG, made["GroupId"])


def _user_by_hand(t: Target) -> Expected:
    t("iam").create_user(UserName="bench-contractor")
    return Expected(UNMANAGED, USER, "bench-contractor")


CHANGES: Mapping[str, Callable[[Target], Expected]] = {
    "SSH opened to 0.0.0.0/0 on the app group": _ssh_open,
    "default encryption removed from the documents bucket": _encryption_removed,
    "CloudTrail logging stopped": _trail_stopped,
    "versioning suspended on the access-log bucket": _versioning_suspended,
    "rotation turned off on the documents key": _rotation_off,
    "the database made publicly accessible": lambda t: _modify_database(
        t, "publicly_accessible", PubliclyAccessible=True
    ),
    "the database's instance class changed": lambda t: _modify_database(
        t, "instance_class", DBInstanceClass="db.r6g.xlarge"
    ),
    "the owner tag removed from the ALB group": _tag_removed,
    "the trail's log group kept 30 days": _retention_cut,
    "a log group of the stack deleted": _log_group_deleted,
    "a bucket made by hand": _bucket_by_hand,
    "a security group made by hand": _group_by_hand,
    "an IAM user made by hand": _user_by_hand,
}


def make_changes(target: Target) -> dict[str, Expected]:
    """Make every change, in order; what the drift must then say of each."""
    return {what: change(target) for what, change in CHANGES.items()}


def _names(row: Mapping[str, Any], expected: Expected) -> bool:
    found = row.get("resource") or {}
    if found.get("type") != expected.token:
        return False
    return expected.ident in (found.get("id"), found.get("arn"), found.get("name"))


def missing(drift: Mapping[str, Any], expected: Mapping[str, Expected]) -> list[str]:
    """The changes the drift section of a run record does not show, each with what was
    looked for; empty when every change was found."""
    lost = []
    for what, exp in expected.items():
        kinds = (CHANGED, GONE) if exp.kind == CHANGED_OR_GONE else (exp.kind,)
        rows = [r for kind in kinds for r in drift.get(kind, []) if _names(r, exp)]
        if exp.prop is not None:  # a change names both values, and they differ
            rows = [
                r
                for r in rows
                if r.get("property") == exp.prop and "live" in r and r.get("declared") != r["live"]
            ]
        if not rows:
            prop = f" {exp.prop}" if exp.prop else ""
            lost.append(f"{what}: no {exp.kind} row for {exp.token} {exp.ident}{prop}")
    return lost
