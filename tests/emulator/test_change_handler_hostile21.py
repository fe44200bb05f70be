"""The change handler's new parts under hostile or careless input: events that name the changed
resource oddly (a narrow read must give a whole read's verdicts, or say it could not judge),
stack exports that cannot be read (one clear line, the checks still stand), Security Hub's
limits, and secrets that must reach no output."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import scripts.handler.entry as entry
from checks.evaluate import Finding
from checks.model import Resource
from checks.registry import Status
from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.events import read_event
from checks.values import Secret
from scripts.handler.entry import TOPIC_VARIABLE, handle
from scripts.handler.judge import Judged, library
from scripts.handler.security_hub import SECURITY_HUB_VARIABLE, asff_findings, import_findings
from scripts.handler.stack import STATE_VARIABLE
from tests.emulator.test_change_handler import alerts_topic, key_rotation_disabled, recorded
from tests.emulator.test_change_handler_stack import _export

REGION = "us-east-1"
SG_ARN = f"arn:aws:ec2:{REGION}:{EMULATED_ACCOUNT}:security-group/"
OPEN_SSH = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}  # fmt: skip
# The Pulumi secret signature, as `pulumi stack export --show-secrets` writes a secret.
SIG, SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"


@pytest.fixture
def acct(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    for name in (TOPIC_VARIABLE, STATE_VARIABLE, SECURITY_HUB_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return aws


def _verdicts(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["check"], f["status"], f["resource"]) for f in answer["findings"])


def _narrow_and_whole(event: dict[str, Any], monkeypatch) -> tuple[dict, dict]:
    narrow = handle(json.loads(json.dumps(event)), None)
    with monkeypatch.context() as patch:
        patch.setattr(entry, "narrowing", lambda change: {})
        whole = handle(json.loads(json.dumps(event)), None)
    return narrow, whole


def _same(narrow: dict[str, Any], whole: dict[str, Any]) -> None:
    assert (narrow["status"], narrow["why"]) == (whole["status"], whole["why"])
    assert _verdicts(narrow) == _verdicts(whole)


# -- the changed resource named oddly -------------------------------------------------------


def test_a_group_id_with_another_groups_name_is_read_whole_and_fails_that_group(acct, monkeypatch):
    """`groupId` of a clean group and `groupName` of an open one in one record: a whole read
    judges both; the narrow read by id alone passed the change while the named group failed."""
    ec2 = acct.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    clean = ec2.create_security_group(GroupName="web", Description="x", VpcId=vpc)["GroupId"]
    opened = ec2.create_security_group(GroupName="db", Description="x", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=opened, IpPermissions=[OPEN_SSH])
    event = recorded("authorize_security_group_ingress", groupId=clean, groupName="db")

    narrow, whole = _narrow_and_whole(event, monkeypatch)

    _same(narrow, whole)
    assert ("sg_no_internet_admin_ports", "FAIL", SG_ARN + opened) in _verdicts(narrow)
    assert ("sg_no_internet_admin_ports", "PASS", SG_ARN + clean) in _verdicts(narrow)
    assert narrow["read_narrowly"] is False


@pytest.mark.parametrize("name", ["claims/x", "クレーム", "c" * 5000])
def test_a_bucket_name_aws_cannot_take_is_said_not_found_as_a_whole_read_says(
    acct, monkeypatch, name
):
    """The narrow read made a bucket of a name botocore refuses (every setting "failed"), and
    answered with a dozen gaps echoing the name; the whole read finds no such bucket."""
    acct.client("s3").create_bucket(Bucket="claims")
    event = recorded("put_bucket_policy", bucketName=name, bucketPolicy={})

    narrow, whole = _narrow_and_whole(event, monkeypatch)

    _same(narrow, whole)
    assert narrow["why"] == "the changed resource was not found where the event says it is"
    assert narrow["resource_seen"] is False
    assert narrow["findings"] == []
    assert narrow["not_collected"] == {}


def _oddly_named(acct) -> dict[str, dict[str, Any]]:
    """Events naming a real, failing resource of each narrowed type in an odd way."""
    kms, ec2, rds = acct.client("kms"), acct.client("ec2"), acct.client("rds")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/claims", TargetKeyId=key["KeyId"])
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"] for n in (2, 3)]
    groups = [
        ec2.create_security_group(GroupName="web", Description="x", VpcId=v)["GroupId"]
        for v in vpcs
    ]
    ec2.authorize_security_group_ingress(GroupId=groups[1], IpPermissions=[OPEN_SSH])
    db = rds.create_db_instance(
        DBInstanceIdentifier="billing-db", Engine="postgres", DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20, MasterUsername="billing", MasterUserPassword="Pw-0dd-names-1",
        StorageEncrypted=True, PubliclyAccessible=True,
    )["DBInstance"]["DBInstanceArn"]  # fmt: skip
    acct.client("s3").create_bucket(Bucket="claims")

    def database(ident: str) -> dict[str, Any]:
        event = recorded("modify_db_instance", dBInstanceIdentifier=ident)
        event["detail"]["responseElements"] = {}
        return event

    def group(**request: Any) -> dict[str, Any]:
        event = recorded("authorize_security_group_ingress", **request)
        if "groupId" not in request:  # named only, as a default VPC's group may be
            event["detail"]["requestParameters"].pop("groupId", None)
        return event

    other_region = key["Arn"].replace(REGION, "eu-west-1")
    return {
        "key by alias": recorded("disable_key_rotation", keyId="alias/claims"),
        "key by another region's ARN": recorded("disable_key_rotation", keyId=other_region),
        "key id with a quote and a newline": recorded(
            "disable_key_rotation", keyId=key["KeyId"] + "'\n"
        ),
        "group name two VPCs share": group(groupName="web"),
        "group by ARN": group(groupId=SG_ARN + groups[1]),
        "database in upper case": database("BILLING-DB"),
        "database by ARN": database(db),
        "bucket by ARN": recorded(
            "put_bucket_policy", bucketName="arn:aws:s3:::claims", bucketPolicy={}
        ),
    }


def test_odd_names_give_a_whole_reads_verdicts(acct, monkeypatch):
    for label, event in _oddly_named(acct).items():
        narrow, whole = _narrow_and_whole(event, monkeypatch)
        assert (narrow["status"], narrow["why"]) == (whole["status"], whole["why"]), label
        assert _verdicts(narrow) == _verdicts(whole), label


def test_an_event_region_botocore_refuses_is_said_with_security_hub_on(acct, monkeypatch):
    """The region is the event's: one botocore will not make a client for raised out of the
    handler when Security Hub was on (no answer, no log line)."""
    monkeypatch.setenv(SECURITY_HUB_VARIABLE, "true")
    event = key_rotation_disabled(acct).event
    event["detail"]["awsRegion"] = "not a region"

    answer = handle(event, None)

    assert answer["status"] == "not_evaluated"
    assert answer["security_hub"] == {
        "imported": 0,
        "refused": [],
        "error": "Provided region_name 'not a region' doesn't match a supported format.",
    }


# -- SAFEGUARD_STACK_STATE ------------------------------------------------------------------


@pytest.fixture
def rotated(acct):
    """A key whose rotation was turned off, and the event that did it."""
    return acct, key_rotation_disabled(acct).event


def _drift_error(event: dict[str, Any]) -> str:
    answer = handle(json.loads(json.dumps(event)), None)
    assert answer["status"] == "audited"
    assert ("kms_key_rotation_enabled", "FAIL") in {
        (f["check"], f["status"]) for f in answer["findings"]
    }
    return answer["drift"]["error"]


def test_a_setting_naming_no_export_is_said_not_read_as_an_empty_stack(rotated, monkeypatch):
    """ ", ," once read as a stack that declares nothing: the changed key "UNMANAGED"."""
    _, event = rotated
    monkeypatch.setenv(STATE_VARIABLE, " , ,")
    assert _drift_error(event) == "SAFEGUARD_STACK_STATE names no stack export: ', ,'"


def test_an_s3_location_botocore_refuses_is_one_line(rotated, monkeypatch):
    _, event = rotated
    monkeypatch.setenv(STATE_VARIABLE, "s3://bad bucket/prod.json")
    error = _drift_error(event)
    assert error.startswith(
        "s3://bad bucket/prod.json: the stack export cannot be read: Parameter validation failed: "
        'Invalid bucket name "bad bucket"'
    )
    assert "\n" not in error


def test_an_s3_export_over_the_size_limit_is_said_without_being_held(rotated, monkeypatch):
    acct, event = rotated
    s3 = acct.client("s3")
    s3.create_bucket(Bucket="pulumi-state")
    s3.put_object(Bucket="pulumi-state", Key="huge.json", Body=b" " * (2 * 1024 * 1024))
    monkeypatch.setenv("SAFEGUARD_MAX_JSON_MIB", "1")
    monkeypatch.setenv(STATE_VARIABLE, "s3://pulumi-state/huge.json")
    said = _drift_error(event)
    assert said == "s3://pulumi-state/huge.json: the stack export is larger than 1 MiB"


def test_unreadable_exports_are_each_one_line_and_the_checks_stand(rotated, monkeypatch, tmp_path):
    acct, event = rotated
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "latin1.json").write_bytes(b'{"version": 3, "caf\xe9": 1}')
    s3 = acct.client("s3")
    s3.create_bucket(Bucket="pulumi-state")
    s3.put_object(Bucket="pulumi-state", Key="notes.txt", Body=b"not json")
    expected = {
        str(tmp_path): f"{tmp_path}: is a directory, not a JSON file",
        str(tmp_path / "missing.json"): f"{tmp_path}/missing.json: no such file",
        str(tmp_path / "empty.json"): f"{tmp_path}/empty.json: the file is empty "
        "(expected the output of `pulumi stack export`)",
        "s3://": "SAFEGUARD_STACK_STATE: s3:// is not s3://BUCKET/KEY",
        "s3://b": "SAFEGUARD_STACK_STATE: s3://b is not s3://BUCKET/KEY",
        "s3://b/": "SAFEGUARD_STACK_STATE: s3://b/ is not s3://BUCKET/KEY",
        "s3://pulumi-state/notes.txt": "s3://pulumi-state/notes.txt: not valid JSON: line 1: "
        "Expecting value (column 1)",
        # A comma separates exports: a path holding one names two files, neither there.
        f"{tmp_path}/a,b.json": f"{tmp_path}/a: no such file",
    }
    for spec, error in expected.items():
        monkeypatch.setenv(STATE_VARIABLE, spec)
        assert _drift_error(event) == error, spec
    monkeypatch.setenv(STATE_VARIABLE, str(tmp_path / "latin1.json"))
    said = _drift_error(event)
    assert said.startswith(f"{tmp_path}/latin1.json: ") and "\n" not in said


def test_an_export_named_twice_is_read_once(acct, monkeypatch, tmp_path):
    kms = acct.client("kms")
    meta = kms.create_key(Description="claims documents")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=meta["Arn"])
    export = tmp_path / "prod.json"
    export.write_text(json.dumps(_export(meta)), encoding="utf-8")
    kms.disable_key_rotation(KeyId=meta["Arn"])
    monkeypatch.setenv(STATE_VARIABLE, f"{export}, {export},,{export}")

    drift = handle(recorded("disable_key_rotation", keyId=meta["Arn"]), None)["drift"]

    assert [s["file"] for s in drift["states"]] == [str(export)]
    assert drift["declared_twice"] == []
    assert [r["property"] for r in drift["changed"]] == ["enable_key_rotation"]


# -- Security Hub's limits --------------------------------------------------------------------

KEY_ARN = f"arn:aws:kms:{REGION}:{EMULATED_ACCOUNT}:key/k-1"
TOKEN = "s3cr3t-token-value-abcdef"


def _judged(message: str, *, event_id: str | None = None, subject: str = KEY_ARN) -> Judged:
    key = Resource("aws:kms/key:Key", "k-1", {"description": Secret(TOKEN)}, id="k-1",
                   arn=subject, region=REGION)  # fmt: skip
    check = library().get("kms_key_rotation_enabled")
    event = recorded("disable_key_rotation", keyId=KEY_ARN)
    if event_id is not None:
        event["detail"]["eventID"] = event_id
    return Judged(read_event(event), (Finding(check, Status.FAIL, message, {}, key),), True, {}, 0)


NOW = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)


def test_a_long_message_is_cut_after_the_redaction_never_through_a_secret():
    """Cut to 1,024 characters first, a secret straddling the cut lost its tail, and the
    scrubber no longer knew its head: "s3cr3t-token-" reached Security Hub."""
    (document,) = asff_findings(_judged("é" * 1010 + TOKEN + "x" * 100), EMULATED_ACCOUNT, NOW)
    assert len(document["Description"]) == 1024
    assert document["Description"][1010:] == "[secret]xxxxx…"
    assert "s3cr3t" not in json.dumps(document)


def test_every_field_stays_within_asffs_limits():
    """A 5 KB event id or a 2 KB resource name made Security Hub refuse the finding whole."""
    long_arn = f"arn:aws:iam::{EMULATED_ACCOUNT}:role/{'p/' * 700}r"
    judged = _judged("rotation is off", event_id="e" * 5000, subject=long_arn)

    (document,) = asff_findings(judged, EMULATED_ACCOUNT, NOW)
    (again,) = asff_findings(judged, EMULATED_ACCOUNT, NOW)

    assert len(document["ProductFields"]["hipaa-safeguard/EventId"]) == 2048
    assert len(document["Id"]) == 512
    assert document["Id"] == again["Id"]  # still stable: the next change updates it
    head = f"hipaa-safeguard/kms_key_rotation_enabled/{EMULATED_ACCOUNT}"
    assert document["Id"].startswith(f"{head}/{REGION}/arn:aws:iam::")
    short = asff_findings(_judged("rotation is off"), EMULATED_ACCOUNT, NOW)[0]["Id"]
    assert short == f"{head}/{REGION}/{KEY_ARN}"


class _RefusingHub:
    """A hub that takes the call and refuses the finding (BatchImportFindings' FailedFindings)."""

    def batch_import_findings(self, Findings):  # noqa: N803 - boto3's own argument name
        why = {"ErrorCode": "InvalidInput", "ErrorMessage": "Finding is invalid:\nTitle\x1b[2J"}
        failed = [{"Id": f["Id"], **why} for f in Findings]
        return {"SuccessCount": 0, "FailedCount": len(failed), "FailedFindings": failed}


def test_a_hub_that_refuses_findings_is_said_on_one_line():
    answer = import_findings(_RefusingHub(), _judged("rotation is off"), EMULATED_ACCOUNT)
    assert answer == {
        "imported": 0,
        "refused": [
            {
                "id": f"hipaa-safeguard/kms_key_rotation_enabled/{EMULATED_ACCOUNT}/{REGION}/"
                f"{KEY_ARN}",
                "why": "InvalidInput: Finding is invalid:",
            }
        ],
        "error": None,
    }


# -- secrets reach no output ------------------------------------------------------------------

DB_PASSWORD = "Db-Master-Pa55-live-7731"
DECLARED_PASSWORD = "Db-Master-Pa55-declared-4410"
LAMBDA_SECRET = "lambda-env-secret-9f2c1e"


def _database_export(db: dict[str, Any]) -> dict[str, Any]:
    """A stack export declaring the database, its password a `--show-secrets` secret."""
    secret = {SIG: SECRET_SIG, "plaintext": json.dumps(DECLARED_PASSWORD)}
    prefix = "urn:pulumi:prod::billing::"
    provider = prefix + "pulumi:providers:aws::default"
    declared = {"identifier": db["DBInstanceIdentifier"], "password": secret,
                "publiclyAccessible": False, "storageEncrypted": True, "engine": "postgres",
                "instanceClass": "db.t4g.medium", "username": "billing"}  # fmt: skip
    outputs = {**declared, "arn": db["DBInstanceArn"], "id": db["DbiResourceId"]}
    return {"version": 3, "deployment": {"manifest": {"time": "2026-12-01T10:00:00Z"},
            "resources": [
        {"urn": provider, "custom": True, "id": "p-1", "type": "pulumi:providers:aws",
         "inputs": {"region": REGION}, "outputs": {"region": REGION}},
        {"urn": prefix + "aws:rds/instance:Instance::billing-db", "custom": True,
         "id": db["DbiResourceId"], "type": "aws:rds/instance:Instance",
         "provider": f"{provider}::p-1", "inputs": declared, "outputs": outputs},
    ]}}  # fmt: skip


def test_no_secret_reaches_the_answer_the_log_the_alert_or_security_hub(
    acct, monkeypatch, tmp_path, caplog
):
    alerts = alerts_topic(acct, monkeypatch)
    monkeypatch.setenv(SECURITY_HUB_VARIABLE, "true")
    acct.client("securityhub").enable_security_hub()
    rds = acct.client("rds")
    db = rds.create_db_instance(
        DBInstanceIdentifier="billing-db", Engine="postgres", DBInstanceClass="db.t4g.medium",
        AllocatedStorage=20, MasterUsername="billing", MasterUserPassword=DB_PASSWORD,
        StorageEncrypted=True, PubliclyAccessible=False,
    )["DBInstance"]  # fmt: skip
    acct.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")
    acct.client("lambda").create_function(
        FunctionName="billing-export", Runtime="python3.11", Handler="index.handler",
        Role=f"arn:aws:iam::{EMULATED_ACCOUNT}:role/fn",
        Code={"ZipFile": b"PK\x05\x06" + b"\0" * 18},
        Environment={"Variables": {"DB_PASSWORD_SECRET": LAMBDA_SECRET}},
    )  # fmt: skip
    export = tmp_path / "prod.json"
    export.write_text(json.dumps(_database_export(db)), encoding="utf-8")
    monkeypatch.setenv(STATE_VARIABLE, str(export))
    rds.modify_db_instance(DBInstanceIdentifier="billing-db", PubliclyAccessible=True,
                           MasterUserPassword=DB_PASSWORD, ApplyImmediately=True)  # fmt: skip
    event = recorded("modify_db_instance", dBInstanceIdentifier="billing-db",
                     masterUserPassword=DB_PASSWORD)  # fmt: skip
    event["detail"]["responseElements"]["dBInstanceArn"] = db["DBInstanceArn"]

    with caplog.at_level("INFO", logger="safeguard.handler"):
        answer = handle(event, None)

    assert ("rds_instance_not_public", "FAIL") in {
        (f["check"], f["status"]) for f in answer["findings"]
    }
    assert "publicly_accessible" in {r["property"] for r in answer["drift"]["changed"]}
    delivered = alerts.received()
    hub = acct.client("securityhub").get_findings()["Findings"]
    assert len(delivered) == 1 and hub
    said = json.dumps(answer) + caplog.text + json.dumps(delivered) + json.dumps(hub, default=str)
    for secret in (DB_PASSWORD, DECLARED_PASSWORD, LAMBDA_SECRET):
        assert secret not in said
