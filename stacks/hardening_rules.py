"""The rules of the hardening transform (`hardening.py`): what each safeguard check needs of a
resource's own inputs, and the floors the billing stacks share.

`RULES` maps the id of the check a fix answers (`safeguard checks` lists them) to the resource
types it applies to and the fix; `DEFAULTS` holds the few secure defaults no check asks for.
Vendor this file with `hardening.py`. It needs only `pulumi`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pulumi
from pulumi.runtime import rpc

# The safeguard's floors; the billing stacks (billing.settings) take theirs from here too.
MIN_BACKUP_RETENTION_DAYS = 7
MIN_LOG_RETENTION_DAYS = 365
MAX_PASSWORD_AGE_DAYS = 90
KMS_DELETION_WINDOW_DAYS = 30
# ALB/NLB policies that negotiate TLS 1.2 or newer only (the FIPS variants are TLS 1.2+ too).
TLS12_POLICIES = frozenset({
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08", "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
})  # fmt: skip
# The policy the transform gives a listener whose policy allows less than TLS 1.2.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
IAM_AUTH_ENGINES = ("postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql")


class Unreadable(Exception):
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
            raise Unreadable
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


_retention_floor = _at_least(
    "backupRetentionPeriod", MIN_BACKUP_RETENTION_DAYS, "a week of point-in-time restore"
)


def _backup_retention(p: Props) -> list[Fix]:
    if p.get("replicateSourceDb"):
        return []  # a read replica's backups are its source's
    return _retention_floor(p)


def _iam_auth(p: Props) -> list[Fix]:
    if not str(p.get("engine") or "").startswith(IAM_AUTH_ENGINES):
        return []
    return _flag_on("iamDatabaseAuthenticationEnabled", "database users sign in with IAM tokens")(p)


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
    fixes: list[Fix] = []
    # Only inside a root block the program declared: declaring one needs other inputs.
    if p.get("rootBlockDevice") is not None and p.get("rootBlockDevice.encrypted") is not True:
        fixes.append(("rootBlockDevice.encrypted", True, "root volume encrypted at rest"))
    devices = p.get("ebsBlockDevices")
    if isinstance(devices, list) and any(
        isinstance(d, Mapping) and d.get("encrypted") is not True for d in devices
    ):
        fixed = [{**d, "encrypted": True} if isinstance(d, Mapping) else d for d in devices]
        fixes.append(("ebsBlockDevices", fixed, "attached volumes encrypted at rest"))
    return fixes


def _plain_ebs(mapping: Any) -> bool:
    ebs = mapping.get("ebs") if isinstance(mapping, Mapping) else None
    return isinstance(ebs, Mapping) and str(ebs.get("encrypted")).lower() != "true"


def _launch_template_volumes(p: Props) -> list[Fix]:
    mappings = p.get("blockDeviceMappings")
    if not isinstance(mappings, list):
        return []
    unencrypted = [m for m in mappings if _plain_ebs(m)]
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


def _drop_invalid_headers(p: Props) -> list[Fix]:
    if p.get("loadBalancerType") not in (None, "application"):
        return []  # only application load balancers parse HTTP headers
    return _flag_on("dropInvalidHeaderFields", "request smuggling headers dropped")(p)


def _sqs_encryption(p: Props) -> list[Fix]:
    if p.get("kmsMasterKeyId") or p.get("sqsManagedSseEnabled") is True:
        return []  # SSE-KMS, or SSE-SQS already on
    return [("sqsManagedSseEnabled", True, "messages encrypted at rest")]


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
    if age is None or not 0 < int(age) <= MAX_PASSWORD_AGE_DAYS:
        fixes.append(("maxPasswordAge", MAX_PASSWORD_AGE_DAYS, "passwords expire within 90 days"))
    return fixes


RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
TABLE = "aws:dynamodb/table:Table"
TRAIL = "aws:cloudtrail/trail:Trail"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")


def _each(types: Iterable[str], rule: Rule) -> dict[str, Rule]:
    return dict.fromkeys(types, rule)


_DELIBERATE = "deleting needs a deliberate step"

# check id -> {resource type -> rule}. Each key is the id of the safeguard check the fix makes
# pass (`safeguard checks` lists them); where the check also needs another resource (a
# customer-managed key), the fix supplies this resource's part. The ids appear in every Change
# and can be skipped.
RULES: Mapping[str, Mapping[str, Rule]] = {
    "rds_storage_encrypted_cmk": _each(
        (RDS_INSTANCE, RDS_CLUSTER), _flag_on("storageEncrypted", "storage encrypted at rest")
    ),
    "rds_instance_not_public": _each(
        (RDS_INSTANCE, RDS_CLUSTER_INSTANCE), _flag_off("publiclyAccessible", "no public endpoint")
    ),
    "rds_instance_deletion_protection": {RDS_INSTANCE: _flag_on("deletionProtection", _DELIBERATE)},
    "rds_cluster_deletion_protection": {RDS_CLUSTER: _flag_on("deletionProtection", _DELIBERATE)},
    "rds_backup_retention_7_days": {
        RDS_INSTANCE: _backup_retention,
        RDS_CLUSTER: _retention_floor,
    },
    "rds_auto_minor_version_upgrade": _each(
        (RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
        _flag_on("autoMinorVersionUpgrade", "security patches applied"),
    ),
    "rds_iam_authentication": _each((RDS_INSTANCE, RDS_CLUSTER), _iam_auth),
    "kms_key_rotation_enabled": {"aws:kms/key:Key": _key_rotation},
    "ec2_imdsv2_required": _each((EC2_INSTANCE, LAUNCH_TEMPLATE), _imdsv2),
    "ec2_block_devices_encrypted": {
        EC2_INSTANCE: _instance_volumes,
        LAUNCH_TEMPLATE: _launch_template_volumes,
    },
    "ec2_instance_no_public_ip": {
        EC2_INSTANCE: _explicit_off(
            "associatePublicIpAddress", "no public IP, whatever the subnet's default"
        )
    },
    "ebs_volume_encrypted": {
        "aws:ebs/volume:Volume": _flag_on("encrypted", "volume encrypted at rest")
    },
    "subnet_no_auto_public_ip": {
        "aws:ec2/subnet:Subnet": _flag_off("mapPublicIpOnLaunch", "no automatic public IPs")
    },
    "s3_bucket_public_access_blocked": {
        "aws:s3/bucket:Bucket": _private_acl,
        "aws:s3/bucketAcl:BucketAcl": _private_acl,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _public_access_block,
    },
    "s3_account_public_access_block": {
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": _public_access_block
    },
    "s3_bucket_versioning_enabled": {
        "aws:s3/bucket:Bucket": _inline_versioning,
        "aws:s3/bucketVersioning:BucketVersioning": _bucket_versioning,
    },
    "s3_bucket_sse_kms": {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
            _sse_kms
        )
    },
    "s3_bucket_acls_disabled": {
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _ownership
    },
    "dynamodb_pitr_enabled": {
        TABLE: _flag_on("pointInTimeRecovery.enabled", "point-in-time recovery")
    },
    "dynamodb_encrypted_cmk": {
        TABLE: _flag_on("serverSideEncryption.enabled", "encrypted with a KMS key")
    },
    "dynamodb_deletion_protection": {TABLE: _flag_on("deletionProtectionEnabled", _DELIBERATE)},
    "log_group_retention": {"aws:cloudwatch/logGroup:LogGroup": _log_retention},
    "cloudtrail_log_file_validation": {
        TRAIL: _flag_on("enableLogFileValidation", "log files provably intact")
    },
    "cloudtrail_multi_region": {TRAIL: _flag_on("isMultiRegionTrail", "every region recorded")},
    "lb_deletion_protection": _each(
        LOAD_BALANCERS, _flag_on("enableDeletionProtection", _DELIBERATE)
    ),
    "alb_drop_invalid_headers": _each(LOAD_BALANCERS, _drop_invalid_headers),
    "lb_listener_tls": _each(LISTENERS, _listener_tls),
    "sqs_queue_encrypted": {"aws:sqs/queue:Queue": _sqs_encryption},
    "iam_password_policy_strong": {
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": _password_policy
    },
}

# Secure defaults no check of the safeguard asks for (yet), keyed by what they secure.
DEFAULTS: Mapping[str, Mapping[str, Rule]] = {
    "rds-copy-tags-to-snapshot": _each(
        (RDS_INSTANCE, RDS_CLUSTER),
        _flag_on("copyTagsToSnapshot", "snapshots keep data-classification tags"),
    ),
    "kms-deletion-window": {
        "aws:kms/key:Key": _at_least(
            "deletionWindowInDays", KMS_DELETION_WINDOW_DAYS, "a month to undo a scheduled deletion"
        )
    },
    "efs-encrypted": {"aws:efs/fileSystem:FileSystem": _flag_on("encrypted", "encrypted at rest")},
    "cloudtrail-global-events": {
        TRAIL: _flag_on("includeGlobalServiceEvents", "IAM events recorded")
    },
    "elasticache-at-rest-encryption": {
        "aws:elasticache/replicationGroup:ReplicationGroup": _flag_on(
            "atRestEncryptionEnabled", "encrypted at rest"
        )
    },
    "ecr-scan-on-push": {
        "aws:ecr/repository:Repository": _flag_on(
            "imageScanningConfiguration.scanOnPush", "images scanned"
        )
    },
}
