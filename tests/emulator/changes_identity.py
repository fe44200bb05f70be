"""Console changes to the database, the identities, detection and the other data stores of the
deployed stack."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from checks.sources.aws.emulator import Emulator
from tests.emulator.console_account import Account, Caught, Change

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
# The failure an IAM user made by hand always brings: no policy of it requires MFA.
NO_MFA_POLICY = "iam_user_mfa_enforced"


def _modify_database(acct: Account, **change: Any) -> str:
    arn = str(acct.database.arn)
    acct("rds").modify_db_instance(
        DBInstanceIdentifier=arn.rsplit(":", 1)[-1], ApplyImmediately=True, **change
    )
    # moto gives every instance the same DbiResourceId (the id): the ARN tells them apart.
    return arn


def database_public(acct: Account) -> list[Caught]:
    return [Caught("rds_instance_not_public", _modify_database(acct, PubliclyAccessible=True))]


def database_backups_off(acct: Account) -> list[Caught]:
    db = _modify_database(acct, BackupRetentionPeriod=0)
    return [Caught("rds_backup_retention_7_days", db, "0 day")]


def database_deletable(acct: Account) -> list[Caught]:
    db = _modify_database(acct, DeletionProtection=False)
    return [Caught("rds_instance_deletion_protection", db)]


def database_tls_optional(acct: Account) -> list[Caught]:
    group = acct.created("aws:rds/parameterGroup:ParameterGroup", "postgres-parameters").id
    off = {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}
    acct("rds").modify_db_parameter_group(DBParameterGroupName=group, Parameters=[off])
    return [Caught("rds_tls_enforced", str(acct.database.arn), "rds.force_ssl=0")]


def database_by_hand(acct: Account) -> list[Caught]:
    """An unencrypted copy for reporting, with the console's 7 days of backups and nothing
    else the stack adds. The engine version is given: moto's default (13.4) predates the
    PostgreSQL 15 default of rds.force_ssl=1, which the console's current engine has."""
    rds, name = acct("rds"), "reporting-copy"
    subnets = acct.created("aws:rds/subnetGroup:SubnetGroup", "db-subnets").id
    db = rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", EngineVersion="16.4",
        DBInstanceClass="db.t4g.micro", AllocatedStorage=20, MasterUsername="reporting",
        MasterUserPassword=secrets.token_urlsafe(16), StorageEncrypted=False,
        DBSubnetGroupName=subnets, VpcSecurityGroupIds=[acct.group("db-security-group")],
        BackupRetentionPeriod=7, PubliclyAccessible=False,
    )["DBInstance"]  # fmt: skip
    arn = db["DBInstanceArn"]
    snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=name)["DBSnapshots"]
    lacking = ("rds_enhanced_monitoring", "rds_iam_authentication", "rds_multi_az",
               "rds_instance_deletion_protection", "rds_logs_exported",
               "data_store_classification_tagged")  # fmt: skip
    return [
        Caught("rds_storage_encrypted_cmk", arn),
        *(Caught(check, arn) for check in lacking),
        *(Caught("rds_snapshot_encrypted", s["DBSnapshotIdentifier"]) for s in snapshots),
    ]


def console_user_without_mfa(acct: Account) -> list[Caught]:
    iam, user = acct("iam"), "alice"
    iam.create_user(UserName=user)
    iam.create_login_profile(UserName=user, Password=secrets.token_urlsafe(16) + "-Aa1")
    return [Caught("iam_console_user_mfa_active", user), Caught(NO_MFA_POLICY, user)]


def inline_admin_policy(acct: Account) -> list[Caught]:
    role, name = acct.created("aws:iam/role:Role", "app-role").id, "debug-everything"
    document = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}  # fmt: skip
    acct("iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
    policy = f"{role}:{name}"
    return [Caught("iam_policy_no_admin_access", policy),
            Caught("iam_policy_no_kms_decrypt_all_keys", policy),
            Caught("iam_no_inline_policies", role, name)]  # fmt: skip


def administrator_attached(acct: Account) -> list[Caught]:
    iam, user = acct("iam"), "contractor"
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    return [Caught("iam_no_administrator_access_attached", f"{user}/{ADMIN_POLICY}"),
            Caught("iam_user_no_direct_policies", user), Caught(NO_MFA_POLICY, user)]  # fmt: skip


def backdate_user(emulator: Emulator, account: str, user: str, days: int) -> None:
    """Move a user's and its access keys' creation back by `days`, as if they had been made
    then. AWS dates a key itself and no API changes it, so the embedded emulator (moto, in this
    process) is told in its own memory, as `Emulator.set_root_mfa` does for root MFA. The user
    and the key are real: made through the API, they only look older."""
    from moto.iam.models import iam_backends

    made = iam_backends[account]["aws"].users[user]
    made.create_date -= dt.timedelta(days=days)
    for key in made.access_keys:
        key.create_date -= dt.timedelta(days=days)


def access_key_not_rotated(acct: Account) -> list[Caught]:
    iam, user = acct("iam"), "ci-deployer"
    iam.create_user(UserName=user)
    iam.create_access_key(UserName=user)
    backdate_user(acct.emulator, acct.report.account, user, 120)
    # Never used in those 120 days either: the unused-credentials check sees it too.
    return [
        Caught("iam_access_keys_rotated", user, "120 days"),
        Caught("iam_unused_credentials_disabled", user),
        Caught(NO_MFA_POLICY, user),
    ]


def password_policy_weakened(acct: Account) -> list[Caught]:
    iam = acct("iam")
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    # The console's form sends every setting again: only the length changes. ExpirePasswords is
    # an answer, not a setting (it follows MaxPasswordAge).
    kept = {k: v for k, v in policy.items() if k != "ExpirePasswords"}
    iam.update_account_password_policy(**{**kept, "MinimumPasswordLength": 8})
    return [Caught("iam_password_policy_strong", "iam-account-password-policy",
                   "minimum_password_length")]  # fmt: skip


def guardduty_suspended(acct: Account) -> list[Caught]:
    detector = acct.created("aws:guardduty/detector:Detector", "guardduty").id
    acct("guardduty").update_detector(DetectorId=detector, Enable=False)
    return [Caught("guardduty_enabled_all_regions", acct.scope)]


def table_recovery_off(acct: Account) -> list[Caught]:
    table = acct.created("aws:dynamodb/table:Table", "sessions").id
    acct("dynamodb").update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    return [Caught("dynamodb_pitr_enabled", table)]


def load_balancer_deletable(acct: Account) -> list[Caught]:
    alb = str(acct.created("aws:lb/loadBalancer:LoadBalancer", "alb").arn)
    acct("elbv2").modify_load_balancer_attributes(LoadBalancerArn=alb, Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "false"}])  # fmt: skip
    return [Caught("lb_deletion_protection", alb)]


def alerts_unencrypted(acct: Account) -> list[Caught]:
    topic = str(acct.created("aws:sns/topic:Topic", "security-alerts").arn)
    acct("sns").set_topic_attributes(
        TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=""
    )
    return [Caught("sns_topic_encrypted", topic)]


CHANGES: tuple[Change, ...] = (
    Change("the database made publicly accessible", database_public),
    Change("the database's backup retention set to 0", database_backups_off),
    Change("the database's deletion protection turned off", database_deletable),
    Change("rds.force_ssl set to 0 in the database's parameter group", database_tls_optional),
    Change("an unencrypted PostgreSQL instance made by hand", database_by_hand),
    Change("a console user without MFA", console_user_without_mfa),
    Change("an inline '*:*' policy on the app role", inline_admin_policy),
    Change("AdministratorAccess attached to a user", administrator_attached),
    Change("an access key 120 days old", access_key_not_rotated),
    Change("the password policy's minimum length cut to 8", password_policy_weakened),
    Change("GuardDuty suspended", guardduty_suspended),
    Change("point-in-time recovery turned off on the sessions table", table_recovery_off),
    Change("the load balancer's deletion protection turned off", load_balancer_deletable),
    Change("the alerts topic's encryption removed", alerts_unencrypted),
)  # fmt: skip
