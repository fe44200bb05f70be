"""The change-triggered audit against the emulator: a recorded CloudTrail event (as EventBridge
delivers it, tests/fixtures/cloudtrail/) is replayed after the change it records was made in
moto through boto3; the handler must fail the right check on that resource, name the actor, and
publish the failure to the alerts topic (read back through an SQS subscription)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checks.sources.aws.emulator import EMULATED_ACCOUNT
from scripts.handler.entry import TOPIC_VARIABLE, handle

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "cloudtrail"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
# What no alert may carry: the database password, and the caller's access key id.
PASSWORD = "Sup3r-secret-db-pass"
ACCESS_KEYS = ("AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "ASIAROOTEXAMPLE00001")


def recorded(fixture: str, **request: Any) -> dict[str, Any]:
    """The recorded event `fixture`, its request naming what the test made, dated now."""
    event = json.loads((EVENTS / f"{fixture}.json").read_text(encoding="utf-8"))
    event = copy.deepcopy(event)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event["time"] = event["detail"]["eventTime"] = now
    event["detail"]["requestParameters"].update(request)
    return event


@dataclass(frozen=True)
class Scenario:
    event: dict[str, Any]
    check: str
    resource: str  # what the failing finding's resource label is (ARN, else id)
    actor_arn: str
    # What else the change's findings may be on: the changed resource under another name (a
    # trail whose logging is judged account-wide), or what the call changed besides it.
    related: frozenset[str] = frozenset()


# -- the changes, each made the way its event records ----------------------------------------


def open_database_port(aws) -> Scenario:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    rule = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temporary access"}]}  # fmt: skip
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[rule])
    event = recorded("authorize_security_group_ingress", groupId=group)
    arn = f"arn:aws:ec2:us-east-1:{EMULATED_ACCOUNT}:security-group/{group}"
    return Scenario(event, "sg_no_internet_db_ports", arn,
                    f"arn:aws:iam::{EMULATED_ACCOUNT}:user/alice")  # fmt: skip


def _bucket(aws, name: str) -> None:
    aws.client("s3").create_bucket(Bucket=name)


def bucket_encryption_deleted(aws) -> Scenario:
    s3, name = aws.client("s3"), "claims-archive"
    _bucket(aws, name)
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    rules = [{"ApplyServerSideEncryptionByDefault": default}]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    s3.delete_bucket_encryption(Bucket=name)
    event = recorded("delete_bucket_encryption", bucketName=name, Host=f"{name}.s3.amazonaws.com")
    return Scenario(event, "s3_bucket_sse_kms", f"arn:aws:s3:::{name}", _ops_admin())


def _ops_admin() -> str:
    return f"arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/ops-admin/bob@example.com"


def bucket_made_public(aws) -> Scenario:
    name = "claims-archive"
    _bucket(aws, name)
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "PartnerRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*"}]}  # fmt: skip
    aws.client("s3").put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    event = recorded("put_bucket_policy", bucketName=name, bucketPolicy=policy)
    return Scenario(event, "s3_bucket_policy_not_public", f"arn:aws:s3:::{name}", _ops_admin())


def trail_stopped(aws) -> Scenario:
    _bucket(aws, "audit-logs")
    ct = aws.client("cloudtrail")
    arn = ct.create_trail(
        Name="billing-audit", S3BucketName="audit-logs", IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True, EnableLogFileValidation=True,
    )["TrailARN"]  # fmt: skip
    ct.start_logging(Name="billing-audit")
    ct.stop_logging(Name=arn)
    event = recorded("stop_logging", name=arn)
    # The trail's logging is an account fact: the account has no logging trail left.
    scope = f"account:{EMULATED_ACCOUNT}:us-east-1"
    return Scenario(event, "cloudtrail_enabled_multi_region", scope,
                    f"arn:aws:iam::{EMULATED_ACCOUNT}:root", frozenset({arn}))  # fmt: skip


def database_made_public(aws) -> Scenario:
    rds = aws.client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="billing-db", Engine="postgres", EngineVersion="16.4",
        DBInstanceClass="db.t4g.medium", AllocatedStorage=20, MasterUsername="billing",
        MasterUserPassword=PASSWORD, StorageEncrypted=True, PubliclyAccessible=False,
    )  # fmt: skip
    arn = rds.modify_db_instance(
        DBInstanceIdentifier="billing-db", PubliclyAccessible=True, ApplyImmediately=True
    )["DBInstance"]["DBInstanceArn"]
    event = recorded("modify_db_instance", dBInstanceIdentifier="billing-db")
    event["detail"]["responseElements"]["dBInstanceArn"] = arn
    # A request value no alert may echo, whatever CloudTrail would have hidden.
    event["detail"]["requestParameters"]["masterUserPassword"] = PASSWORD
    actor = f"arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/billing-deployer/AWSCloudFormation"
    return Scenario(event, "rds_instance_not_public", arn, actor)


def key_rotation_disabled(aws) -> Scenario:
    kms = aws.client("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=arn)
    kms.disable_key_rotation(KeyId=arn)
    event = recorded("disable_key_rotation", keyId=arn)
    return Scenario(event, "kms_key_rotation_enabled", arn,
                    f"arn:aws:iam::{EMULATED_ACCOUNT}:user/alice")  # fmt: skip


def mfa_deactivated(aws) -> Scenario:
    iam = aws.client("iam")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Another-Pa55word!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"][
        "SerialNumber"
    ]
    iam.enable_mfa_device(
        UserName="carol", SerialNumber=serial, AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )  # fmt: skip
    iam.deactivate_mfa_device(UserName="carol", SerialNumber=serial)
    event = recorded("deactivate_mfa_device", userName="carol", serialNumber=serial)
    return Scenario(event, "iam_console_user_mfa_active", "credential-report/carol", _ops_admin())


def administrator_attached(aws) -> Scenario:
    iam = aws.client("iam")
    iam.create_user(UserName="dave")
    iam.attach_user_policy(UserName="dave", PolicyArn=ADMIN_POLICY)
    event = recorded("attach_user_policy", userName="dave", policyArn=ADMIN_POLICY)
    # The user gained a policy of its own as well (IAM-03 judges the user).
    user = f"arn:aws:iam::{EMULATED_ACCOUNT}:user/dave"
    return Scenario(event, "iam_no_administrator_access_attached", f"dave/{ADMIN_POLICY}",
                    f"arn:aws:iam::{EMULATED_ACCOUNT}:user/alice", frozenset({user}))  # fmt: skip


SCENARIOS: dict[str, Callable[[Any], Scenario]] = {
    "AuthorizeSecurityGroupIngress": open_database_port,
    "DeleteBucketEncryption": bucket_encryption_deleted,
    "PutBucketPolicy": bucket_made_public,
    "StopLogging": trail_stopped,
    "ModifyDBInstance": database_made_public,
    "DisableKeyRotation": key_rotation_disabled,
    "DeactivateMFADevice": mfa_deactivated,
    "AttachUserPolicy": administrator_attached,
}


# -- the alerts topic, read back through a queue -----------------------------------------------


@dataclass
class Alerts:
    queue_url: str
    sqs: Any

    def received(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1)  # fmt: skip
        return [json.loads(m["Body"]) for m in answer.get("Messages") or ()]


@pytest.fixture
def change_aws(aws, emulator, monkeypatch):
    """The emulated account with AWS's managed policies, the handler pointed at it, and an alerts
    topic whose messages land in a queue."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    emulator.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    return aws, alerts_topic(aws, monkeypatch)


def alerts_topic(aws, monkeypatch) -> Alerts:
    """An alerts topic the handler publishes to, its messages landing in a queue."""
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="billing-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv(TOPIC_VARIABLE, topic)
    return Alerts(queue, sqs)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_event_fails_the_check_on_the_changed_resource_and_names_the_actor(change_aws, name):
    aws, alerts = change_aws
    scenario = SCENARIOS[name](aws)
    answer = handle(scenario.event, None)

    assert answer["status"] == "audited"
    assert answer["resource_seen"] is True
    failed = {(f["check"], f["resource"]) for f in answer["findings"] if f["status"] == "FAIL"}
    assert (scenario.check, scenario.resource) in failed, answer["findings"]
    assert answer["actor"]["arn"] == scenario.actor_arn
    # Every finding kept is on the changed resource (or the account it bears on).
    others = {f["resource"] for f in answer["findings"]} - {scenario.resource}
    assert others <= {f"account:{EMULATED_ACCOUNT}:us-east-1", *scenario.related}, others

    delivered = alerts.received()
    assert len(delivered) == 1
    assert delivered[0]["MessageId"] == answer["published"]
    text = delivered[0]["Message"]
    assert f"FAIL {scenario.check} " in text
    assert f"Resource: {scenario.resource}" in text
    assert scenario.actor_arn in text
    assert scenario.event["detail"]["eventTime"] in text
    assert delivered[0]["Subject"].startswith("HIPAA safeguard: ")
    for secret in (PASSWORD, *ACCESS_KEYS):
        assert secret not in text
        assert secret not in json.dumps(answer)


def test_the_actor_of_an_assumed_role_names_its_role_and_the_calling_service(change_aws):
    aws, alerts = change_aws
    answer = handle(database_made_public(aws).event, None)

    assert answer["actor"] == {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/billing-deployer/AWSCloudFormation",
        "principal_id": "AROAIDPPEZS35WEXAMPLE:AWSCloudFormation",
        "account_id": EMULATED_ACCOUNT,
        "user_name": None,
        "session_issuer_arn": f"arn:aws:iam::{EMULATED_ACCOUNT}:role/billing-deployer",
        "invoked_by": "cloudformation.amazonaws.com",
        "mfa_authenticated": True,
    }
    text = alerts.received()[0]["Message"]
    assert (
        f"By: AssumedRole arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/billing-deployer/"
        f"AWSCloudFormation, via arn:aws:iam::{EMULATED_ACCOUNT}:role/billing-deployer, "
        "invoked by cloudformation.amazonaws.com, with MFA"
    ) in text
    assert "HIPAA: 45 CFR 164.308(a)(3)(i), 164.308(a)(4)(ii)(A)" in text


def test_a_change_that_breaks_nothing_is_judged_and_sends_no_alert(change_aws):
    aws, alerts = change_aws
    kms = aws.client("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=arn)  # rotation still on: the replayed event changed nothing
    answer = handle(recorded("disable_key_rotation", keyId=arn), None)

    statuses = {f["check"]: f["status"] for f in answer["findings"]}
    assert statuses["kms_key_rotation_enabled"] == "PASS"
    assert "FAIL" not in statuses.values()
    assert answer["published"] is None
    assert alerts.received() == []


def test_an_event_it_does_not_audit_is_answered_not_audited(change_aws, caplog):
    _, alerts = change_aws
    event = json.loads((EVENTS / "get_bucket_location_unaudited.json").read_text("utf-8"))
    with caplog.at_level("INFO", logger="safeguard.handler"):
        answer = handle(event, None)

    assert answer == {
        "status": "not_audited",
        "event": "s3.amazonaws.com GetBucketLocation",
        "reason": "s3.amazonaws.com GetBucketLocation is not an audited call",
    }
    assert '"status": "not_audited"' in caplog.text
    assert alerts.received() == []


def test_a_deleted_trail_fails_the_account_check_on_what_is_left(change_aws):
    aws, alerts = change_aws
    _bucket(aws, "audit-logs")
    ct = aws.client("cloudtrail")
    ct.create_trail(Name="billing-audit", S3BucketName="audit-logs", IsMultiRegionTrail=True,
                    EnableLogFileValidation=True)  # fmt: skip
    ct.delete_trail(Name="billing-audit")
    answer = handle(recorded("delete_trail", name="billing-audit"), None)

    assert answer["resource_seen"] is True
    assert [(f["check"], f["status"], f["message"]) for f in answer["findings"]] == [
        (
            "cloudtrail_enabled_multi_region",
            "FAIL",
            "no CloudTrail trail is declared: API activity is not kept beyond 90 days",
        ),
        (
            "cloudwatch_security_event_alarms",
            "FAIL",
            "no CloudTrail trail delivers to CloudWatch Logs, so no event can alarm",
        ),
    ]
    assert len(alerts.received()) == 1


def test_a_resource_the_account_does_not_hold_is_not_evaluated_and_said_aloud(change_aws):
    """A change nobody could judge (the resource is not where the event says, a region the
    credentials cannot read) is not fine: it is NOT EVALUATED, and the alert says so."""
    _, alerts = change_aws
    answer = handle(recorded("put_bucket_policy", bucketName="no-such-bucket"), None)

    assert answer["status"] == "not_evaluated"
    assert answer["why"] == "the changed resource was not found where the event says it is"
    assert answer["resource_seen"] is False
    assert [f for f in answer["findings"] if f["resource"] == "arn:aws:s3:::no-such-bucket"] == []
    (delivered,) = alerts.received()
    assert (
        delivered["Subject"] == "HIPAA safeguard: could not judge the change after PutBucketPolicy"
    )
    assert (
        "NOT EVALUATED: the changed resource was not found where the event says it is"
        in (delivered["Message"])
    )


def test_line_breaks_in_event_fields_cannot_forge_alert_lines(change_aws):
    aws, alerts = change_aws
    event = database_made_public(aws).event
    event["detail"]["userIdentity"]["arn"] = (
        "arn:aws:iam::1:user/a\n\nFAIL nothing: all good\x1b[2J"
    )
    event["detail"]["eventTime"] = event["detail"]["eventTime"] + "\nInjected: line"
    handle(event, None)
    text = alerts.received()[0]["Message"]
    lines = text.splitlines()
    assert not [line for line in lines if line.startswith(("Injected", "FAIL nothing"))]
    assert "\x1b" not in text


def test_a_credential_report_older_than_the_change_cannot_pass_it(change_aws):
    """AWS reuses a credential report up to four hours old: one generated before the change
    shows the user as it was, so it vouches for nothing."""
    aws, _ = change_aws
    iam = aws.client("iam")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Another-Pa55word!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"][
        "SerialNumber"
    ]
    iam.enable_mfa_device(UserName="carol", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")  # fmt: skip
    event = recorded("deactivate_mfa_device", userName="carol", serialNumber=serial)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    event["detail"]["eventTime"] = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = handle(event, None)

    [verdict] = [f for f in answer["findings"] if f["check"] == "iam_console_user_mfa_active"]
    assert verdict["status"] == "NOT_EVALUATED"
    assert verdict["message"].startswith("the credential report was generated at ")
    assert verdict["message"].endswith("it cannot show what the change did")


# -- the pure reading of events -----------------------------------------------------------------


def test_every_recorded_event_names_what_it_changed():
    from checks.sources.aws.events import Change, read_event

    ACCOUNT = EMULATED_ACCOUNT  # noqa: N806 - the recorded events' account

    expected = {
        "attach_user_policy": {f"dave/{ADMIN_POLICY}", "dave"},
        "authorize_security_group_ingress": {"sg-0a1b2c3d4e5f60718"},
        "create_user": {"eve-contractor", f"arn:aws:iam::{EMULATED_ACCOUNT}:user/eve-contractor"},
        "deactivate_mfa_device": {"carol"},
        "delete_bucket_encryption": {"billing-claims-archive"},
        "delete_trail": {"billing-audit"},
        "disable_key_rotation": {"1234abcd-12ab-34cd-56ef-1234567890ab"},
        "modify_db_instance": {"billing-db", f"arn:aws:rds:us-east-1:{ACCOUNT}:db:billing-db"},
        "put_bucket_policy": {"billing-claims-archive"},
        "put_bucket_public_access_block": {"billing-claims-archive"},
        "revoke_security_group_ingress": {"sg-0a1b2c3d4e5f60718"},
        "stop_logging": {"billing-audit"},
        "update_trail": {"billing-audit"},
    }
    audited = sorted(p.stem for p in EVENTS.glob("*.json") if "unaudited" not in p.stem)
    assert audited == sorted(expected)
    for stem in audited:
        change = read_event(json.loads((EVENTS / f"{stem}.json").read_text("utf-8")))
        assert isinstance(change, Change), (stem, change)
        ids = {i for t in change.targets for i in t.ids}
        assert expected[stem] <= ids, (stem, ids)
        assert change.account == EMULATED_ACCOUNT and change.region == "us-east-1"
        assert change.actor.arn is not None


def test_a_deletion_is_marked_gone_and_a_failed_call_changed_nothing():
    from checks.sources.aws.events import NotAudited, read_event

    deleted = read_event(recorded("delete_trail"))
    assert [t.gone for t in deleted.targets] == [True]

    refused = recorded("stop_logging")
    refused["detail"]["errorCode"] = "AccessDenied"
    assert read_event(refused) == NotAudited(
        "cloudtrail.amazonaws.com", "StopLogging", "the call failed (AccessDenied): nothing changed"
    )
    assert read_event({"detail-type": "Scheduled Event", "detail": {}}).reason == (
        "not an API call: detail-type 'Scheduled Event'"
    )
    assert read_event("not an event").reason == "not a CloudTrail event: it has no detail"
    nameless = recorded("put_bucket_policy")
    del nameless["detail"]["requestParameters"]["bucketName"]
    assert read_event(nameless).reason == "the record does not name the resource it changed"


def test_the_root_user_and_a_plain_user_are_named_as_cloudtrail_records_them():
    from checks.sources.aws.events import read_event

    root = read_event(recorded("stop_logging")).actor
    assert root.label == f"Root arn:aws:iam::{EMULATED_ACCOUNT}:root, with MFA"
    alice = read_event(recorded("attach_user_policy")).actor
    assert alice.label == f"IAMUser arn:aws:iam::{EMULATED_ACCOUNT}:user/alice, without MFA"
    assert alice.user_name == "alice"


def test_the_root_user_removing_its_own_mfa_fails_the_root_mfa_check(change_aws, emulator):
    """CloudTrail records no `userName` when the caller removes its own device: for the root
    user, the device is the account's."""
    _, alerts = change_aws
    emulator.set_root_mfa(False)  # the change the event records, as AWS would show it
    event = recorded(
        "deactivate_mfa_device",
        serialNumber=f"arn:aws:iam::{EMULATED_ACCOUNT}:mfa/root-account-mfa-device",
    )
    event["detail"]["requestParameters"].pop("userName", None)
    event["detail"]["userIdentity"] = {
        "type": "Root",
        "principalId": EMULATED_ACCOUNT,
        "arn": f"arn:aws:iam::{EMULATED_ACCOUNT}:root",
        "accountId": EMULATED_ACCOUNT,
    }
    answer = handle(event, None)
    assert answer["status"] == "audited"
    failed = [(f["check"], f["status"]) for f in answer["findings"] if f["status"] == "FAIL"]
    assert ("iam_root_mfa_enabled", "FAIL") in failed
    assert f"By: Root arn:aws:iam::{EMULATED_ACCOUNT}:root" in alerts.received()[0]["Message"]
