"""Console changes to the network, the buckets, the logs and the keys of the deployed stack.

The order matters where AWS would refuse otherwise: a public bucket policy is put only after
the bucket's and the account's public access blocks are gone.
"""

from __future__ import annotations

import json

from tests.emulator.console_account import Account, Caught, Change

WORLD = "0.0.0.0/0"


def _open_to_world(acct: Account, group: str, port: int, check_id: str) -> list[Caught]:
    sg = acct.group(group)
    acct("ec2").authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
        "IpRanges": [{"CidrIp": WORLD, "Description": "temporary, from home"}],
    }])  # fmt: skip
    return [Caught(check_id, sg, f"tcp {port}-{port}"),
            Caught("sg_internet_ingress_authorized_ports", sg)]  # fmt: skip


def nacl_ssh(acct: Account) -> list[Caught]:
    acl = acct.created("aws:ec2/networkAcl:NetworkAcl", "public-network-acl").id
    ec2 = acct("ec2")
    (found,) = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
    taken = {e["RuleNumber"] for e in found["Entries"] if not e["Egress"]}
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=min(set(range(1, 100)) - taken), Protocol="6",
        RuleAction="allow", Egress=False, CidrBlock=WORLD, PortRange={"From": 22, "To": 22},
    )  # fmt: skip
    return [Caught("nacl_no_internet_admin_ingress", acl)]


def flow_logs_deleted(acct: Account) -> list[Caught]:
    vpc = acct.created("aws:ec2/vpc:Vpc", "vpc").id
    ec2 = acct("ec2")
    logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
    ec2.delete_flow_logs(FlowLogIds=[f["FlowLogId"] for f in logs])
    return [Caught("vpc_flow_logs_enabled", vpc)]


def encryption_removed(acct: Account) -> list[Caught]:
    # AWS falls back to SSE-S3 (and says AES256); moto then answers that none is configured.
    # The check fails both: it asks for SSE-KMS.
    bucket = acct.bucket("billing-documents")
    acct("s3").delete_bucket_encryption(Bucket=bucket)
    return [Caught("s3_bucket_sse_kms", bucket)]


def bucket_block_removed(acct: Account) -> list[Caught]:
    bucket = acct.bucket("billing-documents")
    acct("s3").delete_public_access_block(Bucket=bucket)
    return [Caught("s3_bucket_public_access_blocked", bucket)]


def account_block_removed(acct: Account) -> list[Caught]:
    acct("s3control").delete_public_access_block(AccountId=acct.report.account)
    return [Caught("s3_account_public_access_block", acct.scope)]


def bucket_policy_public(acct: Account) -> list[Caught]:
    s3, bucket = acct("s3"), acct.bucket("billing-documents")
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    policy["Statement"].append({
        "Sid": "ShareWithPartner", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
    })  # fmt: skip
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    return [Caught("s3_bucket_policy_not_public", bucket, "ShareWithPartner")]


def versioning_suspended(acct: Account) -> list[Caught]:
    bucket = acct.bucket("access-logs")
    acct("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return [Caught("s3_bucket_versioning_enabled", bucket, "Suspended")]


def bucket_by_hand(acct: Account) -> list[Caught]:
    """A bucket made in the console, with what the console (and AWS, since 2023) gives it:
    SSE-S3, every public access block setting on, ACLs disabled. moto applies none of these
    defaults at CreateBucket, so the calls the console makes set them. SSE-S3 is still not
    SSE-KMS, which the check asks for."""
    s3, bucket = acct("s3"), f"billing-exports-by-hand-{acct.report.account}"
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
        True))  # fmt: skip
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})  # fmt: skip
    return [Caught("s3_bucket_sse_kms", bucket, "AES256")] + [Caught(check, bucket) for check in (
        "s3_bucket_versioning_enabled", "s3_bucket_tls_only", "s3_bucket_access_logging",
        "s3_bucket_lifecycle_or_replication", "s3_bucket_data_events_logged",
        "data_store_classification_tagged")]  # fmt: skip


def trail_stopped(acct: Account) -> list[Caught]:
    acct("cloudtrail").stop_logging(Name=acct.trail)
    # The trail's data-event selectors named the documents bucket: its object reads go unseen.
    documents = acct.bucket("billing-documents")
    return [Caught("cloudtrail_enabled_multi_region", acct.scope, "enable_logging"),
            Caught("s3_bucket_data_events_logged", documents)]  # fmt: skip


def log_validation_off(acct: Account) -> list[Caught]:
    acct("cloudtrail").update_trail(Name=acct.trail, EnableLogFileValidation=False)
    return [
        Caught("cloudtrail_log_file_validation", acct.trail),
        Caught("cloudtrail_enabled_multi_region", acct.scope, "enable_log_file_validation"),
    ]


def log_group_without_key(acct: Account) -> list[Caught]:
    logs, group = acct("logs"), "/billing/exports-debug"
    logs.create_log_group(logGroupName=group)  # the console's default: CloudWatch's own key
    logs.put_retention_policy(logGroupName=group, retentionInDays=2192)
    return [Caught("log_group_kms_encrypted", group)]


def trail_logs_retention_cut(acct: Account) -> list[Caught]:
    group = acct.created("aws:cloudwatch/logGroup:LogGroup", "cloudtrail-logs").id
    acct("logs").put_retention_policy(logGroupName=group, retentionInDays=30)
    return [Caught("log_group_retention", group, "30 days")]


def config_recorder_stopped(acct: Account) -> list[Caught]:
    name = acct.created("aws:cfg/recorder:Recorder", "config-recorder").id
    acct("config").stop_configuration_recorder(ConfigurationRecorderName=name)
    return [Caught("config_recorder_all_resources", acct.scope)]


def rotation_off(acct: Account) -> list[Caught]:
    key = acct.key("documents-key")
    acct("kms").disable_key_rotation(KeyId=key)
    return [Caught("kms_key_rotation_enabled", key)]


def key_deletion_scheduled(acct: Account) -> list[Caught]:
    key = acct.key("backup-key")
    acct("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=30)
    # AWS does not rotate a key that awaits deletion: its rotation status is off too.
    return [Caught("kms_key_enabled", key, "PendingDeletion"),
            Caught("kms_key_rotation_enabled", key)]  # fmt: skip


def key_disabled(acct: Account) -> list[Caught]:
    key = acct.key("volumes-key")
    acct("kms").disable_key(KeyId=key)
    return [Caught("kms_key_enabled", key, "disabled")]


CHANGES: tuple[Change, ...] = (
    Change("SSH open to the world on the app group",
           lambda a: _open_to_world(a, "app-security-group", 22, "sg_no_internet_admin_ports")),
    Change("RDP open to the world on the ALB group",
           lambda a: _open_to_world(a, "alb-security-group", 3389, "sg_no_internet_admin_ports")),
    Change("PostgreSQL open to the world on the database group",
           lambda a: _open_to_world(a, "db-security-group", 5432, "sg_no_internet_db_ports")),
    Change("SSH allowed from the internet in the public network ACL", nacl_ssh),
    Change("VPC flow logs deleted", flow_logs_deleted),
    Change("default encryption removed from the documents bucket", encryption_removed),
    Change("public access block removed from the documents bucket", bucket_block_removed),
    Change("account-level public access block removed", account_block_removed),
    Change("documents bucket policy allows Principal '*'", bucket_policy_public),
    Change("versioning suspended on the access-log bucket", versioning_suspended),
    Change("a bucket made by hand (SSE-S3, the console's defaults)", bucket_by_hand),
    Change("CloudTrail logging stopped", trail_stopped),
    Change("CloudTrail log file validation turned off", log_validation_off),
    Change("a log group made without a KMS key", log_group_without_key),
    Change("the trail's log group kept 30 days", trail_logs_retention_cut),
    Change("AWS Config recorder stopped", config_recorder_stopped),
    Change("rotation turned off on the documents key", rotation_off),
    Change("the backup key scheduled for deletion", key_deletion_scheduled),
    Change("the volumes key disabled", key_disabled),
)  # fmt: skip
