"""Whether a data store's key is AWS-managed is told by KMS's aliases. When they cannot be
listed, only the key settings of RDS, DynamoDB and Backup are unread: the rest of each resource
is read and judged as before (a KMS refusal hides no more than what needs KMS)."""

from __future__ import annotations

from checks.registry import Status
from checks.sources.aws.services import dynamodb, kms, rds
from tests.emulator.live_audit import audit, deny, verdicts

COLLECTORS = [*rds.COLLECTORS, *dynamodb.COLLECTORS, *kms.COLLECTORS]


def _stores(aws) -> tuple[str, str]:
    key = aws.client("kms").create_key(Description="records")["KeyMetadata"]["Arn"]
    db = aws.client("rds").create_db_instance(
        DBInstanceIdentifier="records", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="app", MasterUserPassword="Correct-Horse-9", AllocatedStorage=20,
        StorageEncrypted=True, KmsKeyId=key, PubliclyAccessible=False,
    )["DBInstance"]["DbiResourceId"]  # fmt: skip
    aws.client("dynamodb").create_table(
        TableName="sessions", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
    )  # fmt: skip
    return db, key


def test_denied_aliases_leave_only_the_key_checks_not_evaluated(aws, monkeypatch):
    db, _ = _stores(aws)
    before = audit(aws, COLLECTORS)
    deny(monkeypatch, "kms", "ListAliases")
    after = audit(aws, COLLECTORS)

    def where(f):
        return f.check.id, f.resource.address if f.resource else None

    earlier = {where(f): f.status for f in before.findings}
    changed = {
        f.check.id: f for f in after.findings if earlier.get(where(f), f.status) is not f.status
    }
    assert changed, "denying ListAliases changed nothing: the test proves nothing"
    for check_id, finding in changed.items():
        assert finding.status is Status.NOT_EVALUATED, check_id
        assert "ListAliases" in finding.message, (check_id, finding.message)
        assert "kms" in check_id or "cmk" in check_id or "encrypt" in check_id, check_id
    assert verdicts(after, "rds_instance_not_public")[db] is Status.PASS
    assert verdicts(before, "rds_storage_encrypted_cmk")[db] is Status.PASS
    assert verdicts(after, "rds_storage_encrypted_cmk")[db] is Status.NOT_EVALUATED
