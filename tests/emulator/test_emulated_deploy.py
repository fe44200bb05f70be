"""The emulated deploy: this repository's billing stack stands up in the emulator for real.

The prod stack is deployed once per module and the emulator's state is read back right away
(the `aws` fixture of other tests empties the account). Every assertion is on what AWS (moto)
answers to describe calls, never on what the deploy says it did.
"""

from __future__ import annotations

import concurrent.futures
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checks.sources.program import scan_program
from scripts.emulate.clients import Clients
from scripts.emulate.deploy import deploy
from scripts.emulate.report import DeployReport
from tests.emulator.conftest import Aws

REPO = Path(__file__).resolve().parents[2]
NOT_EMULATED_TYPES = {
    "aws:backup/selection:Selection": 1,
    "aws:backup/vaultNotifications:VaultNotifications": 1,
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": 1,
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": 2,
    "aws:securityhub/standardsSubscription:StandardsSubscription": 2,
}


@dataclass(frozen=True)
class Deployed:
    report: DeployReport
    state: dict[str, Any]
    progress: list[str]
    seconds: float
    declared: tuple  # what the scanner says the stack registers


def _rules(permissions: list[dict]) -> set[tuple]:
    return {
        (p["IpProtocol"], p.get("FromPort"), c.get("CidrIp") or c.get("GroupId"))
        for p in permissions
        for c in [*p.get("IpRanges", []), *p.get("UserIdGroupPairs", [])]
    } | {(p["IpProtocol"], p.get("FromPort"), None) for p in permissions if not (
        p.get("IpRanges") or p.get("UserIdGroupPairs"))}  # fmt: skip


def _read_back(aws: Aws, report: DeployReport) -> dict[str, Any]:
    """What the emulator holds after the deploy, read with describe calls."""
    ec2, s3, kms = aws.client("ec2"), aws.client("s3"), aws.client("kms")
    vpc_id = report.find("aws:ec2/vpc:Vpc")[0].id
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    state: dict[str, Any] = {
        "vpc": ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0],
        "dns": ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames"),
        "subnets": ec2.describe_subnets(Filters=in_vpc)["Subnets"],
        "groups": {g["GroupName"]: g for g in
                   ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]},
        "acls": ec2.describe_network_acls(Filters=in_vpc)["NetworkAcls"],
        "flow_logs": ec2.describe_flow_logs()["FlowLogs"],
        "ebs_default": ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"],
        "rotation": {k.name: kms.get_key_rotation_status(KeyId=k.id)["KeyRotationEnabled"]
                     for k in report.find("aws:kms/key:Key")},
        "aliases": {a["AliasName"] for a in kms.list_aliases()["Aliases"]},
        "buckets": {},
        # The fixture's S3 Control client still puts the account in the host: use the deploy's.
        "account_block": Clients(aws.endpoint, "us-east-1")("s3control").get_public_access_block(
            AccountId=report.account)["PublicAccessBlockConfiguration"],
    }  # fmt: skip
    for bucket in report.find("aws:s3/bucket:Bucket"):
        name = bucket.id
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
        state["buckets"][bucket.name] = {
            "encryption": rules["Rules"][0]["ApplyServerSideEncryptionByDefault"],
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
            "block": s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
            "ownership": s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"],
            "logging": s3.get_bucket_logging(Bucket=name).get("LoggingEnabled"),
            "policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]),
            "lifecycle": s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"],
        }
    audit = report.find("aws:s3/bucket:Bucket", "audit-evidence")[0].id
    state["object_lock"] = s3.get_object_lock_configuration(Bucket=audit)
    rds = aws.client("rds")
    state["db"] = rds.describe_db_instances()["DBInstances"][0]
    group = state["db"]["DBParameterGroups"][0]["DBParameterGroupName"]
    secret = state["db"]["MasterUserSecret"]["SecretArn"]
    state["db_secret"] = aws.client("secretsmanager").describe_secret(SecretId=secret)
    state["db_params"] = {
        p["ParameterName"]: p.get("ParameterValue")
        for p in rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    }
    trail = aws.client("cloudtrail")
    state["trail"] = trail.describe_trails()["trailList"][0]
    state["trail_status"] = trail.get_trail_status(Name=state["trail"]["Name"])
    state["selectors"] = trail.get_event_selectors(TrailName=state["trail"]["Name"])
    logs = aws.client("logs")
    state["log_groups"] = logs.describe_log_groups()["logGroups"]
    state["filters"] = logs.describe_metric_filters()["metricFilters"]
    state["alarms"] = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    backup = aws.client("backup")
    state["vault"] = backup.list_backup_vaults()["BackupVaultList"][0]
    plan_id = report.find("aws:backup/plan:Plan")[0].id
    state["plan"] = backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
    iam = aws.client("iam")
    state["roles"] = {r["RoleName"]: r for r in iam.list_roles()["Roles"]}
    state["attached"] = {name: {p["PolicyName"] for p in
                                iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]}
                         for name in state["roles"]}  # fmt: skip
    state["password_policy"] = iam.get_account_password_policy()["PasswordPolicy"]
    guardduty = aws.client("guardduty")
    detector = guardduty.list_detectors()["DetectorIds"][0]
    state["detector"] = guardduty.get_detector(DetectorId=detector)
    config = aws.client("config")
    state["recorder"] = config.describe_configuration_recorder_status()
    elb = aws.client("elbv2")
    alb = elb.describe_load_balancers()["LoadBalancers"][0]
    state["alb"] = alb
    state["alb_attributes"] = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}  # fmt: skip
    state["listeners"] = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    waf = aws.client("wafv2")
    state["waf"] = waf.get_web_acl_for_resource(ResourceArn=alb["LoadBalancerArn"])["WebACL"]
    state["waf_logging"] = waf.get_logging_configuration(ResourceArn=state["waf"]["ARN"])
    return state


@pytest.fixture(scope="module")
def prod(emulator) -> Deployed:
    with pytest.MonkeyPatch.context() as env:
        # The emulator knows AWS's managed policies only when asked to load them.
        env.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        emulator.reset()
        lines: list[str] = []
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            scan = pool.submit(scan_program, REPO, "prod")
            started = time.monotonic()
            report = deploy(REPO, "prod", emulator.endpoint, progress=lines.append)
            seconds = time.monotonic() - started
            state = _read_back(Aws(emulator.endpoint), report)
            declared = scan.result().resources
    print(f"\nemulated deploy of the prod stack: {report.summary()}; {seconds:.1f} s wall")
    return Deployed(report, state, lines, seconds, declared)


def test_every_resource_the_stack_declares_is_created_or_reported(prod):
    declared, report = prod.declared, prod.report
    assert report.failure is None
    assert len(report.created) + len(report.not_emulated) == len(declared)
    assert {r.urn for r in report.created} | {r.urn for r in report.not_emulated} == {
        r.urn for r in declared
    }
    skipped: dict[str, int] = {}
    for entry in report.not_emulated:
        skipped[entry.type] = skipped.get(entry.type, 0) + 1
        assert "does not implement" in entry.reason, entry
    assert skipped == NOT_EMULATED_TYPES
    assert all(r.id for r in report.created)
    assert len(prod.progress) >= len(report.created)
    assert prod.seconds < 120


def test_the_network_is_three_private_tiers(prod):
    state = prod.state
    assert (
        state["vpc"]["CidrBlock"] == "10.40.0.0/16" and state["dns"]["EnableDnsHostnames"]["Value"]
    )
    subnets = state["subnets"]
    assert len(subnets) == 9 and len({s["AvailabilityZone"] for s in subnets}) == 3
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    groups = state["groups"]
    alb, app, db = (groups[f"hipaa-billing-prod-{t}"] for t in ("alb", "app", "db"))
    # The provider's behaviour: AWS's allow-all egress is gone, only declared rules remain.
    assert _rules(alb["IpPermissions"]) == {("tcp", 443, "0.0.0.0/0"), ("tcp", 80, "0.0.0.0/0")}
    assert _rules(alb["IpPermissionsEgress"]) == {("tcp", 8443, app["GroupId"])}
    assert _rules(db["IpPermissions"]) == {("tcp", 5432, app["GroupId"])}
    assert db["IpPermissionsEgress"] == []
    assert groups["default"]["IpPermissions"] == groups["default"]["IpPermissionsEgress"] == []
    acls = {a["NetworkAclId"]: a for a in state["acls"]}
    default = next(a for a in acls.values() if a["IsDefault"])
    assert {e["RuleNumber"] for e in default["Entries"]} == {32767} and not default["Associations"]
    assert sum(len(a["Associations"]) for a in acls.values()) == 9
    assert state["flow_logs"][0]["LogDestination"].endswith("/hipaa-billing-prod/vpc-flow-logs")


def test_keys_rotate_and_buckets_are_locked_down(prod):
    state = prod.state
    assert len(state["rotation"]) == 8 and all(state["rotation"].values())
    assert "alias/hipaa-billing-prod-database" in state["aliases"]
    buckets = state["buckets"]
    assert set(buckets) == {"access-logs", "billing-documents", "audit-evidence"}
    for name, bucket in buckets.items():
        assert bucket["versioning"] == "Enabled", name
        assert all(bucket["block"].values()) and len(bucket["block"]) == 4, name
        assert bucket["ownership"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        # The declared policy, as written (the logging workaround put it back).
        sids = {s.get("Sid") for s in bucket["policy"]["Statement"]}
        assert {"DenyInsecureTransport", "DenyOutdatedTls"} <= sids, name
    assert buckets["billing-documents"]["encryption"]["SSEAlgorithm"] == "aws:kms"
    assert buckets["access-logs"]["encryption"] == {"SSEAlgorithm": "AES256"}
    assert "S3ServerAccessLogDelivery" in {
        s.get("Sid") for s in buckets["access-logs"]["policy"]["Statement"]
    }
    logging = buckets["billing-documents"]["logging"]
    assert logging["TargetPrefix"] == "s3-access/documents/"
    assert logging["TargetBucket"].startswith("hipaa-billing-prod-access-logs-")
    retention = state["object_lock"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] == "COMPLIANCE" and retention["Years"] == 6
    assert all(state["account_block"].values()) and state["ebs_default"] is True


def test_the_database_is_encrypted_private_and_backed_up(prod):
    db, keys = prod.state["db"], {k.name: k for k in prod.report.find("aws:kms/key:Key")}
    assert db["StorageEncrypted"] and db["KmsKeyId"] == keys["database-key"].arn
    assert db["PubliclyAccessible"] is False and db["MultiAZ"] is True
    assert db["BackupRetentionPeriod"] == 35 and db["DeletionProtection"] is True
    assert db["IAMDatabaseAuthenticationEnabled"] is True
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == "hipaa-billing-prod-db"
    assert (
        db["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
        == (prod.state["groups"]["hipaa-billing-prod-db"]["GroupId"])
    )
    assert prod.state["db_params"]["rds.force_ssl"] == "1"
    # RDS rotates the secret it manages; the emulator does not, so the deploy says it set it.
    assert prod.state["db_secret"]["RotationEnabled"] is True
    assert db["MasterUserSecret"]["KmsKeyId"] == keys["database-key"].arn
    assert any(n.startswith("billing-db: the master user secret's rotation") for n in
               prod.report.notes)  # fmt: skip


def test_the_trail_logs_and_the_logs_are_encrypted_and_alarmed(prod):
    state, logs_key = prod.state, prod.report.find("aws:kms/key:Key", "logs-key")[0].arn
    trail = state["trail"]
    assert state["trail_status"]["IsLogging"] is True
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"]
    assert trail["KmsKeyId"] == prod.report.find("aws:kms/key:Key", "audit-key")[0].arn
    assert len(state["selectors"]["AdvancedEventSelectors"]) == 2
    groups = {g["logGroupName"]: g for g in state["log_groups"]}
    assert len(groups) == 5
    assert all(g["kmsKeyId"] == logs_key and g["retentionInDays"] == 2192 for g in groups.values())
    assert len(state["filters"]) == len(state["alarms"]) == 15
    topic = prod.report.find("aws:sns/topic:Topic")[0].arn
    assert all(a["AlarmActions"] == [topic] for a in state["alarms"])


def test_backups_identity_detection_and_the_edge(prod):
    state, report = prod.state, prod.report
    vault = state["vault"]
    assert vault["EncryptionKeyArn"] == report.find("aws:kms/key:Key", "backup-key")[0].arn
    assert vault["Locked"] and (vault["MinRetentionDays"], vault["MaxRetentionDays"]) == (35, 2192)
    assert [r["RuleName"] for r in state["plan"]["Rules"]] == ["daily", "monthly"]
    roles = state["roles"]
    assert len(roles) == 8 and all(r["Path"] == "/hipaa-billing/" for r in roles.values())
    assert "AWSBackupServiceRolePolicyForBackup" in state["attached"]["hipaa-billing-prod-backup"]
    assert state["password_policy"]["MinimumPasswordLength"] >= 14
    features = {f["Name"]: f["Status"] for f in state["detector"]["Features"]}
    assert features == {"S3_DATA_EVENTS": "ENABLED", "RDS_LOGIN_EVENTS": "ENABLED"}
    assert state["recorder"]["ConfigurationRecordersStatus"][0]["recording"] is True
    attributes = state["alb_attributes"]
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"
    https = next(li for li in state["listeners"] if li["Protocol"] == "HTTPS")
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert https["Certificates"][0]["CertificateArn"] == report.find(
        "aws:acm/certificate:Certificate")[0].arn  # fmt: skip
    assert state["waf"]["Name"] == "hipaa-billing-prod-web-acl"
    redacted = state["waf_logging"]["LoggingConfiguration"]["RedactedFields"]
    assert {"QueryString": {}} in redacted


def test_the_report_says_what_the_emulator_did_not_keep(prod):
    unmapped = {u.name: dict(u.inputs) for u in prod.report.unmapped}
    assert set(unmapped["billing-db"]) == {
        "network_type",
        "performance_insights_enabled",
        "performance_insights_kms_key_id",
        "performance_insights_retention_period",
    }
    assert all("does not keep it" in why for why in unmapped["billing-db"].values())
    assert unmapped["database-key"] == {
        "rotation_period_in_days": "the emulator (moto) accepts it but does not keep it"
    }
    assert any("certificate billing.example.com" in note for note in prod.report.notes)
    assert prod.report.made_up_data_sources == ()
