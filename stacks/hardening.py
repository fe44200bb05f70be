"""Opt-in hardening for any Pulumi AWS program: raise insecure inputs to secure defaults.

Register it once, before the program declares its resources::

    import pulumi
    from hardening import harden          # stacks/ on sys.path, or this file vendored

    pulumi.runtime.register_stack_transform(harden)   # or register_resource_transform

For every resource, `harden` looks at the inputs it knows and, where the fix is an input of that
same resource, raises it to the safeguard's default: `storage_encrypted`, `publicly_accessible`,
`deletion_protection`, a minimum `backup_retention_period`, KMS `enable_key_rotation` and
`deletion_window_in_days`, IMDSv2 (`metadata_options.http_tokens = "required"`), S3 public ACLs
and public-access-block flags, versioning, and so on (`RULES` below lists every one).

What it cannot fix it leaves alone, untouched: a fix that needs another resource (a KMS key, a
bucket encryption or policy resource, a log group) or a judgement (which CIDR a security group
should allow). Run `safeguard scan` for those.

Every change is logged with `pulumi.log.info` and recorded in `harden.changes` (a list of
`Change`), so a reviewer sees exactly what the transform did. Some changes replace a resource
that already exists (turning on `storage_encrypted` replaces a database): run `pulumi preview`
before `pulumi up` on a deployed stack, and leave a rule out with `Hardener(skip={...})`.

The transform receives inputs as the Pulumi engine sends them (camelCase names); inputs that
are secret or not yet known are never read or changed. This module needs only `pulumi`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import rpc

MIN_BACKUP_RETENTION_DAYS = 7
KMS_DELETION_WINDOW_DAYS = 30
MIN_LOG_RETENTION_DAYS = 365
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ALB/NLB policies that negotiate TLS 1.2 or newer only.
TLS12_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    }
)
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
IAM_AUTH_ENGINES = ("postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql")


@dataclass(frozen=True)
class Change:
    """One input the transform raised."""

    resource_type: str
    resource_name: str
    rule: str  # the rule's id, usable in Hardener(skip=...)
    path: str  # input path in engine naming, e.g. "metadataOptions.httpTokens"
    before: Any
    after: Any
    reason: str

    def __str__(self) -> str:
        return (
            f"hardening: {self.resource_type} {self.resource_name}: {self.path} "
            f"{self.before!r} -> {self.after!r} ({self.reason})"
        )


class _Unreadable(Exception):
    """An input is secret or not yet known: the rule must not read or change it."""


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Props:
    """The inputs of one resource, read and written under the name the caller used.

    The engine sends camelCase names; a test may build the dict with snake_case ones. A rule
    names an input once (camelCase) and works with either.
    """

    def __init__(self, props: Mapping[str, Any]) -> None:
        self.data = dict(props)

    def _key(self, mapping: Mapping[str, Any], name: str) -> str:
        snake = _snake(name)
        return snake if snake in mapping and name not in mapping else name

    @staticmethod
    def _readable(value: Any) -> Any:
        if rpc.is_rpc_secret(value) or value == rpc.UNKNOWN or isinstance(value, pulumi.Output):
            raise _Unreadable
        # The engine sends every number as a float; 7.0 reads (and reports) better as 7.
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def get(self, path: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(self._readable(node), Mapping):
                return default
            key = self._key(node, part)
            if key not in node:
                return default
            node = node[key]
        return self._readable(node)

    def set(self, path: str, value: Any) -> None:
        *parents, leaf = path.split(".")
        node = self.data
        for part in parents:
            key = self._key(node, part)
            child = node.get(key)
            child = dict(self._readable(child)) if isinstance(child, Mapping) else {}
            node[key] = child
            node = child
        node[self._key(node, leaf)] = value


# A rule looks at a resource's inputs and returns (path, secure value, reason) for each input
# it would raise; an empty list when the resource is fine or the rule does not apply.
Fix = tuple[str, Any, str]
Rule = Callable[[Props], list[Fix]]


def _flag_on(path: str, reason: str) -> Rule:
    return lambda p: [] if p.get(path) is True else [(path, True, reason)]


def _flag_off(path: str, reason: str) -> Rule:
    """Off when declared on; unset is left to a default that is already off."""
    return lambda p: [] if p.get(path) in (False, None) else [(path, False, reason)]


def _explicit_off(path: str, reason: str) -> Rule:
    """Off, and said so: for inputs whose unset default depends on where the resource lands."""
    return lambda p: [] if p.get(path) is False else [(path, False, reason)]


def _at_least(path: str, floor: int, reason: str) -> Rule:
    def rule(p: Props) -> list[Fix]:
        value = p.get(path)
        return [(path, floor, reason)] if value is None or int(value) < floor else []

    return rule


def _if_set_on(path: str, reason: str) -> Rule:
    """Turn a flag on only inside a block the program declared (the block needs other inputs)."""

    def rule(p: Props) -> list[Fix]:
        parent = path.rsplit(".", 1)[0]
        return [] if p.get(parent) is None or p.get(path) is True else [(path, True, reason)]

    return rule


def _backup_retention(p: Props) -> list[Fix]:
    if p.get("replicateSourceDb"):
        return []  # a read replica's backups are its source's
    return _at_least(
        "backupRetentionPeriod", MIN_BACKUP_RETENTION_DAYS, "a week of point-in-time restore"
    )(p)


def _iam_auth(p: Props) -> list[Fix]:
    engine = str(p.get("engine") or "")
    if (
        engine.startswith(IAM_AUTH_ENGINES)
        and p.get("iamDatabaseAuthenticationEnabled") is not True
    ):
        return [
            ("iamDatabaseAuthenticationEnabled", True, "database users sign in with IAM tokens")
        ]
    return []


def _key_rotation(p: Props) -> list[Fix]:
    spec = p.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or p.get("enableKeyRotation") is True:
        return []  # only symmetric encryption keys can rotate automatically
    return [("enableKeyRotation", True, "key material rotates yearly")]


def _imdsv2(p: Props) -> list[Fix]:
    if p.get("metadataOptions.httpEndpoint") == "disabled":
        return []
    if p.get("metadataOptions.httpTokens") == "required":
        return []
    return [("metadataOptions.httpTokens", "required", "IMDSv2 only: no SSRF-readable credentials")]


def _instance_volumes(p: Props) -> list[Fix]:
    fixes = _if_set_on("rootBlockDevice.encrypted", "root volume encrypted at rest")(p)
    devices = p.get("ebsBlockDevices")
    if isinstance(devices, list) and any(
        isinstance(d, Mapping) and d.get("encrypted") is not True for d in devices
    ):
        fixed = [{**d, "encrypted": True} if isinstance(d, Mapping) else d for d in devices]
        fixes.append(("ebsBlockDevices", fixed, "attached volumes encrypted at rest"))
    return fixes


def _launch_template_volumes(p: Props) -> list[Fix]:
    mappings = p.get("blockDeviceMappings")
    if not isinstance(mappings, list):
        return []
    unencrypted = [
        m
        for m in mappings
        if isinstance(m, Mapping)
        and isinstance(m.get("ebs"), Mapping)
        and str(m["ebs"].get("encrypted")).lower() != "true"
    ]
    if not unencrypted:
        return []
    fixed = [
        {**m, "ebs": {**m["ebs"], "encrypted": "true"}} if m in unencrypted else m for m in mappings
    ]
    return [("blockDeviceMappings", fixed, "launched volumes encrypted at rest")]


def _private_acl(p: Props) -> list[Fix]:
    acl = p.get("acl")
    return [("acl", "private", "no public canned ACL")] if acl in PUBLIC_CANNED_ACLS else []


def _inline_versioning(p: Props) -> list[Fix]:
    if p.get("versioning") is None or p.get("versioning.enabled") is True:
        return []
    return [("versioning.enabled", True, "overwritten or deleted objects stay recoverable")]


def _bucket_versioning(p: Props) -> list[Fix]:
    status = p.get("versioningConfiguration.status")
    if status in (None, "Enabled"):
        return []
    return [("versioningConfiguration.status", "Enabled", "object versions stay recoverable")]


def _sse_kms(p: Props) -> list[Fix]:
    rules = p.get("rules")
    if not isinstance(rules, list):
        return []
    fixed, changed = [], False
    for rule in rules:
        default = (
            rule.get("applyServerSideEncryptionByDefault") if isinstance(rule, Mapping) else None
        )
        if isinstance(default, Mapping) and default.get("sseAlgorithm") == "AES256":
            rule = {
                **rule,
                "applyServerSideEncryptionByDefault": {**default, "sseAlgorithm": "aws:kms"},
                "bucketKeyEnabled": True,
            }
            changed = True
        fixed.append(rule)
    return (
        [("rules", fixed, "SSE-KMS: every decryption is authorised and logged")] if changed else []
    )


def _public_access_block(p: Props) -> list[Fix]:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    return [(f, True, "S3 Block Public Access") for f in flags if p.get(f) is not True]


def _ownership(p: Props) -> list[Fix]:
    if p.get("rule.objectOwnership") in (None, "BucketOwnerEnforced"):
        return []
    return [("rule.objectOwnership", "BucketOwnerEnforced", "ACLs disabled")]


def _log_retention(p: Props) -> list[Fix]:
    days = p.get("retentionInDays")
    if days is not None and (int(days) == 0 or int(days) >= MIN_LOG_RETENTION_DAYS):
        return []  # 0 means "never expire", which keeps logs longer than any minimum
    return [("retentionInDays", MIN_LOG_RETENTION_DAYS, "logs kept at least a year")]


def _listener_tls(p: Props) -> list[Fix]:
    if p.get("protocol") not in ("HTTPS", "TLS") or p.get("sslPolicy") in TLS12_POLICIES:
        return []
    return [("sslPolicy", TLS_POLICY, "TLS 1.2 or newer only")]


def _alb(p: Props) -> list[Fix]:
    fixes = _flag_on("enableDeletionProtection", "deleting needs a deliberate step")(p)
    if p.get("loadBalancerType") in (None, "application"):
        fixes += _flag_on("dropInvalidHeaderFields", "request smuggling headers dropped")(p)
    return fixes


def _password_policy(p: Props) -> list[Fix]:
    fixes = _at_least("minimumPasswordLength", 14, "passwords of 14+ characters")(p)
    fixes += _at_least("passwordReusePrevention", 24, "the last 24 passwords cannot return")(p)
    for flag in (
        "requireLowercaseCharacters",
        "requireUppercaseCharacters",
        "requireNumbers",
        "requireSymbols",
    ):
        fixes += _flag_on(flag, "all character classes")(p)
    age = p.get("maxPasswordAge")
    if age is None or not 0 < int(age) <= 90:
        fixes.append(("maxPasswordAge", 90, "passwords expire within 90 days"))
    return fixes


# resource type -> {rule id: rule}. The ids appear in every Change and can be skipped.
RULES: Mapping[str, Mapping[str, Rule]] = {
    "aws:rds/instance:Instance": {
        "rds-storage-encrypted": _flag_on("storageEncrypted", "storage encrypted at rest"),
        "rds-not-public": _flag_off("publiclyAccessible", "no public endpoint"),
        "rds-deletion-protection": _flag_on(
            "deletionProtection", "deleting needs a deliberate step"
        ),
        "rds-backup-retention": _backup_retention,
        "rds-copy-tags": _flag_on("copyTagsToSnapshot", "snapshots keep data-classification tags"),
        "rds-minor-upgrades": _flag_on("autoMinorVersionUpgrade", "security patches applied"),
        "rds-iam-auth": _iam_auth,
    },
    "aws:rds/cluster:Cluster": {
        "rds-storage-encrypted": _flag_on("storageEncrypted", "storage encrypted at rest"),
        "rds-deletion-protection": _flag_on(
            "deletionProtection", "deleting needs a deliberate step"
        ),
        "rds-backup-retention": _at_least(
            "backupRetentionPeriod", MIN_BACKUP_RETENTION_DAYS, "a week of point-in-time restore"
        ),
        "rds-copy-tags": _flag_on("copyTagsToSnapshot", "snapshots keep data-classification tags"),
        "rds-iam-auth": _iam_auth,
    },
    "aws:rds/clusterInstance:ClusterInstance": {
        "rds-not-public": _flag_off("publiclyAccessible", "no public endpoint"),
        "rds-minor-upgrades": _flag_on("autoMinorVersionUpgrade", "security patches applied"),
    },
    "aws:kms/key:Key": {
        "kms-rotation": _key_rotation,
        "kms-deletion-window": _at_least(
            "deletionWindowInDays", KMS_DELETION_WINDOW_DAYS, "a month to undo a scheduled deletion"
        ),
    },
    "aws:ec2/instance:Instance": {
        "ec2-imdsv2": _imdsv2,
        "ec2-volumes-encrypted": _instance_volumes,
        "ec2-no-public-ip": _explicit_off(
            "associatePublicIpAddress", "no public IP, whatever the subnet's default"
        ),
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "ec2-imdsv2": _imdsv2,
        "ec2-volumes-encrypted": _launch_template_volumes,
    },
    "aws:ebs/volume:Volume": {"ebs-encrypted": _flag_on("encrypted", "volume encrypted at rest")},
    "aws:efs/fileSystem:FileSystem": {"efs-encrypted": _flag_on("encrypted", "encrypted at rest")},
    "aws:ec2/subnet:Subnet": {
        "subnet-no-auto-public-ip": _flag_off("mapPublicIpOnLaunch", "no automatic public IPs")
    },
    "aws:s3/bucket:Bucket": {"s3-private-acl": _private_acl, "s3-versioning": _inline_versioning},
    "aws:s3/bucketAcl:BucketAcl": {"s3-private-acl": _private_acl},
    "aws:s3/bucketVersioning:BucketVersioning": {"s3-versioning": _bucket_versioning},
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "s3-sse-kms": _sse_kms
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        "s3-public-access-block": _public_access_block
    },
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": {
        "s3-public-access-block": _public_access_block
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {"s3-acls-disabled": _ownership},
    "aws:dynamodb/table:Table": {
        "dynamodb-pitr": _flag_on("pointInTimeRecovery.enabled", "point-in-time recovery"),
        "dynamodb-encrypted": _flag_on("serverSideEncryption.enabled", "encrypted with a KMS key"),
        "dynamodb-deletion-protection": _flag_on(
            "deletionProtectionEnabled", "deleting needs a deliberate step"
        ),
    },
    "aws:cloudwatch/logGroup:LogGroup": {"log-retention": _log_retention},
    "aws:cloudtrail/trail:Trail": {
        "cloudtrail-validation": _flag_on("enableLogFileValidation", "log files provably intact"),
        "cloudtrail-multi-region": _flag_on("isMultiRegionTrail", "every region recorded"),
        "cloudtrail-global-events": _flag_on("includeGlobalServiceEvents", "IAM events recorded"),
    },
    "aws:lb/loadBalancer:LoadBalancer": {"lb-hardening": _alb},
    "aws:alb/loadBalancer:LoadBalancer": {"lb-hardening": _alb},
    "aws:lb/listener:Listener": {"lb-tls-policy": _listener_tls},
    "aws:alb/listener:Listener": {"lb-tls-policy": _listener_tls},
    "aws:sqs/queue:Queue": {
        "sqs-encrypted": lambda p: (
            []
            if p.get("kmsMasterKeyId") or p.get("sqsManagedSseEnabled") is True
            else [("sqsManagedSseEnabled", True, "messages encrypted at rest")]
        )
    },
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": {
        "iam-password-policy": _password_policy
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        "elasticache-at-rest": _flag_on("atRestEncryptionEnabled", "encrypted at rest")
    },
    "aws:ecr/repository:Repository": {
        "ecr-scan-on-push": _flag_on("imageScanningConfiguration.scanOnPush", "images scanned")
    },
}


class Hardener:
    """A resource transform that applies `RULES` and records what it changed.

    `skip` names rule ids to leave out (e.g. ``{"rds-storage-encrypted"}`` on a stack whose
    database exists and must not be replaced); `log` turns the `pulumi.log.info` lines off.
    """

    def __init__(self, *, skip: Iterable[str] = (), log: bool = True) -> None:
        self.skip = frozenset(skip)
        self.log = log
        self.changes: list[Change] = []
        unknown = self.skip - {rule for rules in RULES.values() for rule in rules}
        if unknown:
            raise ValueError(f"unknown hardening rule(s): {', '.join(sorted(unknown))}")

    def __call__(self, args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        rules = RULES.get(args.type_)
        if not args.custom or not rules:
            return None
        props = Props(args.props)
        made: list[Change] = []
        for rule_id, rule in rules.items():
            if rule_id in self.skip:
                continue
            try:
                fixes = rule(props)
                for path, value, reason in fixes:
                    before = props.get(path)
                    props.set(path, value)
                    made.append(Change(args.type_, args.name, rule_id, path, before, value, reason))
            except _Unreadable:
                continue  # a secret or unknown input decides this rule: leave it as declared
        if not made:
            return None
        for change in made:
            if self.log:
                pulumi.log.info(str(change))
            self.changes.append(change)
        return pulumi.ResourceTransformResult(props=props.data, opts=args.opts)

    def changes_to(self, name: str) -> list[Change]:
        """The changes made to the resource with this logical name."""
        return [c for c in self.changes if c.resource_name == name]


# The transform to register; `harden.changes` lists what it changed in this program.
harden = Hardener()
