"""The RDS collectors against the emulator: instances, Aurora clusters and their members,
snapshots, parameter groups, subnet groups and event subscriptions collect with the props the
program scan gives; a secure database passes; each console change fails the right check naming
the database; and a denied call hides only what it read."""

from __future__ import annotations

import pytest

from checks.registry import Status
from checks.sources.aws.services import rds as rds_collectors
from checks.sources.aws.services.rds import (
    CLUSTER,
    CLUSTER_INSTANCE,
    CLUSTER_PARAMETER_GROUP,
    CLUSTER_SNAPSHOT,
    EVENT_SUBSCRIPTION,
    INSTANCE,
    PARAMETER_GROUP,
    SNAPSHOT,
    SUBNET_GROUP,
)
from tests.emulator.datastore_checks import by_name, deny_when, message, sdk_name_errors
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

COLLECTORS = rds_collectors.COLLECTORS
DB = "hipaa-billing-prod-postgres"
PARAMETERS = "hipaa-billing-prod-postgres16"
TOPIC = "arn:aws:sns:us-east-1:123456789012:hipaa-billing-prod-security-alerts"
INSTANCE_CHECKS = (
    "rds_storage_encrypted_cmk",
    "rds_instance_not_public",
    "rds_backup_retention_7_days",
    "rds_instance_deletion_protection",
    "rds_tls_enforced",
    "rds_iam_authentication",
    "rds_multi_az",
    "rds_logs_exported",
    "rds_enhanced_monitoring",
    "rds_auto_minor_version_upgrade",
    "data_store_classification_tagged",
)
# What a program gives that AWS does not report back (inputs of the provider's create and
# delete), and what the emulator does not report (an instance's network type and Performance
# Insights settings).
NOT_READ_BACK = {
    INSTANCE: {
        "allow_major_version_upgrade", "delete_automated_backups", "final_snapshot_identifier",
        "skip_final_snapshot", "network_type", "performance_insights_enabled",
        "performance_insights_kms_key_id", "performance_insights_retention_period",
    },
}  # fmt: skip


@pytest.fixture
def secured(aws):
    """The billing database as the program declares it, deployed by hand."""
    rds, ec2 = aws.client("rds"), aws.client("ec2")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    tags = [{"Key": "data-classification", "Value": "internal"}]
    rds.create_db_subnet_group(
        DBSubnetGroupName="hipaa-billing-prod-db", SubnetIds=subnets, Tags=tags,
        DBSubnetGroupDescription="Private data-tier subnets for the billing database",
    )  # fmt: skip
    rds.create_db_parameter_group(
        DBParameterGroupName=PARAMETERS, DBParameterGroupFamily="postgres16", Tags=tags,
        Description="Billing PostgreSQL: TLS required, sessions and statements audited",
    )  # fmt: skip
    rds.modify_db_parameter_group(
        DBParameterGroupName=PARAMETERS,
        Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"},
            {"ParameterName": "log_connections", "ParameterValue": "1",
             "ApplyMethod": "immediate"},
        ],
    )  # fmt: skip
    rds.create_db_instance(
        DBInstanceIdentifier=DB, DBInstanceClass="db.r6g.large", Engine="postgres",
        EngineVersion="16", AllocatedStorage=50, StorageType="gp3", MasterUsername="billing_admin",
        ManageMasterUserPassword=True, MasterUserSecretKmsKeyId=key, StorageEncrypted=True,
        KmsKeyId=key, DBName="billing", MaxAllocatedStorage=200, NetworkType="IPV4",
        EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=key,
        PerformanceInsightsRetentionPeriod=93,
        DBParameterGroupName=PARAMETERS, DBSubnetGroupName="hipaa-billing-prod-db",
        BackupRetentionPeriod=35, PreferredBackupWindow="03:00-04:00",
        PreferredMaintenanceWindow="sun:04:30-sun:05:30", DeletionProtection=True, MultiAZ=True,
        EnableIAMDatabaseAuthentication=True, EnableCloudwatchLogsExports=["postgresql", "upgrade"],
        MonitoringInterval=60, MonitoringRoleArn="arn:aws:iam::123456789012:role/rds-monitoring",
        PubliclyAccessible=False, AutoMinorVersionUpgrade=True, CopyTagsToSnapshot=True, Port=5432,
        Tags=[{"Key": "data-classification", "Value": "ePHI"}],
    )  # fmt: skip
    rds.create_event_subscription(
        SubscriptionName="hipaa-billing-prod-db-events", SnsTopicArn=TOPIC,
        SourceType="db-instance", SourceIds=[DB], Enabled=True, Tags=tags,
        EventCategories=["availability", "deletion", "failover", "failure"],
    )  # fmt: skip
    aws.key = key
    return aws


def _one(collected, token: str, name: str):
    (found,) = [r for r in collected.resources if r.type == token and r.name == name]
    return found


def test_rds_collects_as_the_program_declares_it(secured):
    collected = collect(secured, COLLECTORS)
    assert collected.gaps == {}
    program = program_resources("prod")
    for token, name in ((INSTANCE, DB), (PARAMETER_GROUP, PARAMETERS),
                        (SUBNET_GROUP, "hipaa-billing-prod-db"),
                        (EVENT_SUBSCRIPTION, "hipaa-billing-prod-db-events")):  # fmt: skip
        declared = next(r for r in program if r.type == token)
        skip = NOT_READ_BACK.get(token, set())
        props = {k: v for k, v in declared.props.items() if k not in skip}
        assert shape_differences(props, _one(collected, token, name).props) == [], token
    assert [e for r in collected.resources for e in sdk_name_errors(r)] == []
    db = _one(collected, INSTANCE, DB)
    assert db.arn == f"arn:aws:rds:us-east-1:123456789012:db:{DB}"
    assert db.id == db.props["resource_id"]  # the provider's id for an instance
    assert (db.props["kms_key_id"], db.props["parameter_group_name"]) == (secured.key, PARAMETERS)
    assert db.props["tags"] == {"data-classification": "ePHI"}
    group = _one(collected, PARAMETER_GROUP, PARAMETERS)
    assert {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"} in (
        group.props["parameters"]
    )


def test_the_secure_database_passes(secured):
    evaluation = audit(secured, COLLECTORS)
    for check in INSTANCE_CHECKS:
        assert by_name(evaluation, check)[DB] is Status.PASS, check


CONSOLE_CHANGES = {
    "made public": ({"PubliclyAccessible": True}, {"rds_instance_not_public"}),
    "backup retention 0": ({"BackupRetentionPeriod": 0}, {"rds_backup_retention_7_days"}),
    "deletion protection off": ({"DeletionProtection": False},
                                {"rds_instance_deletion_protection"}),
    "Multi-AZ off": ({"MultiAZ": False}, {"rds_multi_az"}),
    "IAM authentication off": ({"EnableIAMDatabaseAuthentication": False},
                               {"rds_iam_authentication"}),
    "Enhanced Monitoring off": ({"MonitoringInterval": 0}, {"rds_enhanced_monitoring"}),
    "minor upgrades off": ({"AutoMinorVersionUpgrade": False}, {"rds_auto_minor_version_upgrade"}),
}  # fmt: skip


@pytest.mark.parametrize("change", sorted(CONSOLE_CHANGES))
def test_a_console_change_fails_the_right_check(secured, change):
    settings, failing = CONSOLE_CHANGES[change]
    secured.client("rds").modify_db_instance(
        DBInstanceIdentifier=DB, ApplyImmediately=True, **settings
    )
    evaluation = audit(secured, COLLECTORS)
    for check in INSTANCE_CHECKS:
        expected = Status.FAIL if check in failing else Status.PASS
        assert by_name(evaluation, check)[DB] is expected, check


def test_tls_turned_off_in_the_parameter_group_fails(secured):
    secured.client("rds").modify_db_parameter_group(
        DBParameterGroupName=PARAMETERS,
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "0",
                     "ApplyMethod": "immediate"}],
    )  # fmt: skip
    evaluation = audit(secured, COLLECTORS)
    assert by_name(evaluation, "rds_tls_enforced")[DB] is Status.FAIL
    assert "rds.force_ssl=0 (the parameter group)" in message(evaluation, "rds_tls_enforced", DB)


def test_unencrypted_and_aws_managed_key_databases_fail_encryption(aws):
    rds, kms = aws.client("rds"), aws.client("kms")
    aliases = {a["AliasName"]: a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]}
    managed = f"arn:aws:kms:us-east-1:123456789012:key/{aliases['alias/aws/rds']}"
    common = {"DBInstanceClass": "db.t3.micro", "Engine": "mysql", "AllocatedStorage": 20,
              "MasterUsername": "admin", "MasterUserPassword": "not-a-real-password"}  # fmt: skip
    rds.create_db_instance(DBInstanceIdentifier="plain", StorageEncrypted=False, **common)
    rds.create_db_instance(
        DBInstanceIdentifier="managed", StorageEncrypted=True, KmsKeyId=managed, **common
    )
    collected = collect(aws, COLLECTORS)
    # AWS names the aws/rds key by its ARN; the checks know it by its alias.
    assert _one(collected, INSTANCE, "managed").props["kms_key_id"] == (
        "arn:aws:kms:us-east-1:123456789012:alias/aws/rds"
    )
    evaluation = audit(aws, COLLECTORS)
    assert by_name(evaluation, "rds_storage_encrypted_cmk") == {
        "plain": Status.FAIL, "managed": Status.FAIL
    }  # fmt: skip
    assert "not encrypted" in message(evaluation, "rds_storage_encrypted_cmk", "plain")
    assert "AWS-managed" in message(evaluation, "rds_storage_encrypted_cmk", "managed")


def test_an_aurora_cluster_and_its_members(aws):
    rds = aws.client("rds")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="claims-aurora-pg16", Description="TLS",
        DBParameterGroupFamily="aurora-postgresql16",
    )  # fmt: skip
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="claims-aurora-pg16",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1",
                     "ApplyMethod": "immediate"}],
    )  # fmt: skip
    rds.create_db_cluster(
        DBClusterIdentifier="claims-db", Engine="aurora-postgresql", EngineVersion="16.4",
        MasterUsername="claims_admin", MasterUserPassword="not-a-real-password",
        StorageEncrypted=True, KmsKeyId=key, DeletionProtection=True, BackupRetentionPeriod=35,
        DBClusterParameterGroupName="claims-aurora-pg16", EnableIAMDatabaseAuthentication=True,
        EnableCloudwatchLogsExports=["postgresql"],
        Tags=[{"Key": "data-classification", "Value": "ephi"}],
    )  # fmt: skip
    for n in (0, 1):
        rds.create_db_instance(
            DBInstanceIdentifier=f"claims-db-{n}", DBInstanceClass="db.r6g.large",
            Engine="aurora-postgresql", DBClusterIdentifier="claims-db", MonitoringInterval=60,
            MonitoringRoleArn="arn:aws:iam::123456789012:role/mon", PubliclyAccessible=False,
        )  # fmt: skip
    rds.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier="claims-pre-migration", DBClusterIdentifier="claims-db"
    )
    collected = collect(aws, COLLECTORS)
    program = {r.type: r for r in program_resources()}
    for token, name in ((CLUSTER, "claims-db"), (CLUSTER_INSTANCE, "claims-db-0"),
                        (CLUSTER_PARAMETER_GROUP, "claims-aurora-pg16"),
                        (CLUSTER_SNAPSHOT, "claims-pre-migration")):  # fmt: skip
        skip = {"skip_final_snapshot", "final_snapshot_identifier", "manage_master_user_password",
                "master_user_secret_kms_key_id", "preferred_backup_window", "database_name",
                "db_subnet_group_name", "performance_insights_enabled",
                "performance_insights_kms_key_id", "tags"}  # fmt: skip
        props = {k: v for k, v in program[token].props.items() if k not in skip}
        assert shape_differences(props, _one(collected, token, name).props) == [], token
    assert [e for r in collected.resources for e in sdk_name_errors(r)] == []
    member = _one(collected, CLUSTER_INSTANCE, "claims-db-0")
    assert member.props["cluster_identifier"] == "claims-db"
    evaluation = audit(aws, COLLECTORS)
    for check in ("rds_storage_encrypted_cmk", "rds_backup_retention_7_days", "rds_tls_enforced",
                  "rds_cluster_deletion_protection", "rds_multi_az", "rds_logs_exported",
                  "rds_iam_authentication"):  # fmt: skip
        assert by_name(evaluation, check)["claims-db"] is Status.PASS, check
    assert by_name(evaluation, "rds_instance_not_public")["claims-db-1"] is Status.PASS
    rds.modify_db_cluster(DBClusterIdentifier="claims-db", DeletionProtection=False,
                          ApplyImmediately=True)  # fmt: skip
    evaluation = audit(aws, COLLECTORS)
    assert by_name(evaluation, "rds_cluster_deletion_protection")["claims-db"] is Status.FAIL


def test_a_snapshot_shared_with_everyone_fails(secured):
    rds = secured.client("rds")
    rds.create_db_snapshot(DBSnapshotIdentifier="before-upgrade", DBInstanceIdentifier=DB)
    evaluation = audit(secured, COLLECTORS)
    assert by_name(evaluation, "rds_snapshot_not_public")["before-upgrade"] is Status.PASS
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="before-upgrade", AttributeName="restore", ValuesToAdd=["all"]
    )
    collected = collect(secured, COLLECTORS)
    assert _one(collected, SNAPSHOT, "before-upgrade").props["shared_accounts"] == ["all"]
    evaluation = audit(secured, COLLECTORS)
    assert by_name(evaluation, "rds_snapshot_not_public")["before-upgrade"] is Status.FAIL
    assert by_name(evaluation, "rds_snapshot_encrypted")["before-upgrade"] is Status.PASS


def _outcomes(evaluation):
    return {
        (f.check.id, f.resource.name if f.resource else "(account)"): (f.status, f.message)
        for f in evaluation.findings
    }


def test_one_snapshots_attributes_denied_hides_only_whether_it_is_public(secured, monkeypatch):
    rds = secured.client("rds")
    for name in ("before-upgrade", "monthly"):
        rds.create_db_snapshot(DBSnapshotIdentifier=name, DBInstanceIdentifier=DB)
    before = _outcomes(audit(secured, COLLECTORS))
    deny_when(
        monkeypatch, "DescribeDBSnapshotAttributes",
        lambda params: params.get("DBSnapshotIdentifier") == "monthly",
    )  # fmt: skip
    collected = collect(secured, COLLECTORS)
    assert set(collected.gaps) == {SNAPSHOT}
    assert "access denied to DescribeDBSnapshotAttributes" in collected.gaps[SNAPSHOT]
    after = _outcomes(audit(secured, COLLECTORS))
    new = {key: value for key, value in after.items() if before.get(key) != value}
    assert new[("rds_snapshot_not_public", "monthly")][0] is Status.NOT_EVALUATED
    # Each snapshot check also says the snapshot type was only partly seen, and why.
    unseen = {k: v for k, v in new.items() if k[1] == "(account)"}
    assert {k[0] for k in unseen} == {"rds_snapshot_not_public", "rds_snapshot_encrypted"}
    assert all("access denied to DescribeDBSnapshotAttributes" in v[1] for v in unseen.values())
    assert set(new) - set(unseen) == {("rds_snapshot_not_public", "monthly")}


def test_listing_instances_denied_hides_their_checks_with_the_reason(secured, monkeypatch):
    deny(monkeypatch, "rds", "DescribeDBInstances")
    evaluation = audit(secured, COLLECTORS)
    for check in INSTANCE_CHECKS[:-1]:
        messages = [f.message for f in evaluation.findings if f.check.id == check]
        assert messages and all("access denied to DescribeDBInstances" in m for m in messages)
    # The other RDS collectors read on.
    collected = collect(secured, COLLECTORS)
    assert set(collected.gaps) == {INSTANCE, CLUSTER_INSTANCE}
    assert {r.type for r in collected.resources} == {PARAMETER_GROUP, SUBNET_GROUP,
                                                     EVENT_SUBSCRIPTION, SNAPSHOT}  # fmt: skip
