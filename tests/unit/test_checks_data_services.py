"""DynamoDB, Lambda, SNS/SQS and data-classification checks."""

from __future__ import annotations

import json

import pytest

from checks.aws.dynamodb import (
    dynamodb_deletion_protection,
    dynamodb_encrypted_cmk,
    dynamodb_in_backup_plan,
    dynamodb_pitr_enabled,
)
from checks.aws.governance import data_store_classification_tagged
from checks.aws.lambda_ import (
    lambda_env_encrypted_cmk,
    lambda_function_url_auth,
    lambda_in_vpc,
    lambda_permission_not_public,
    lambda_supported_runtime,
)
from checks.aws.messaging import (
    messaging_policy_not_public,
    sns_topic_encrypted,
    sqs_queue_encrypted,
)
from checks.evaluate import run_check
from checks.library import build_registry
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

KEY = "arn:aws:kms:us-east-1:1:key/k"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:1:table/sessions"


def table(**props) -> Resource:
    return Resource(
        "aws:dynamodb/table:Table", "sessions", {"name": "sessions", **props}, arn=TABLE_ARN
    )


def function(**props) -> Resource:
    return Resource("aws:lambda/function:Function", "api", {"runtime": "python3.13", **props})


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- DynamoDB --------------------------------------------------------------------------------------


def test_pitr():
    ok = run(dynamodb_pitr_enabled, table(point_in_time_recovery={"enabled": True}))
    assert (ok.status, ok.evidence) == (Status.PASS, {"point_in_time_recovery": True})
    assert run(dynamodb_pitr_enabled, table()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(dynamodb_pitr_enabled, table(point_in_time_recovery=UNKNOWN))


def test_table_encryption_key():
    ok = run(
        dynamodb_encrypted_cmk, table(server_side_encryption={"enabled": True, "kms_key_arn": KEY})
    )
    assert (ok.status, ok.evidence) == (Status.PASS, {"kms_key_arn": KEY})
    managed = run(dynamodb_encrypted_cmk, table(server_side_encryption={"enabled": True}))
    assert (managed.status, "aws/dynamodb" in managed.message) == (Status.FAIL, True)
    assert "AWS-owned" in run(dynamodb_encrypted_cmk, table()).message


def test_table_backup_and_deletion_protection():
    selection = Resource("aws:backup/selection:Selection", "tables", {"resources": [TABLE_ARN]})
    assert run(dynamodb_in_backup_plan, table(), selection).evidence == {
        "backup_selections": ["tables"]
    }
    assert run(dynamodb_in_backup_plan, table()).status is Status.FAIL
    assert (
        run(dynamodb_deletion_protection, table(deletion_protection_enabled=True)).status
        is Status.PASS
    )
    assert run(dynamodb_deletion_protection, table()).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(dynamodb_deletion_protection, table(deletion_protection_enabled=UNKNOWN))


# -- Lambda ----------------------------------------------------------------------------------------


def permission(**props) -> Resource:
    return Resource(
        "aws:lambda/permission:Permission",
        "invoke",
        {"function": "api", "action": "lambda:InvokeFunction", **props},
    )


def test_public_permission_fails_and_narrowed_service_permission_passes():
    public = run(lambda_permission_not_public, permission(principal="*"))
    assert (public.status, public.evidence) == (Status.FAIL, {"principal": "*", "conditions": []})
    narrowed = run(
        lambda_permission_not_public, permission(principal="*", source_account="111122223333")
    )
    assert (narrowed.status, narrowed.evidence["conditions"]) == (Status.PASS, ["source_account"])
    service = run(lambda_permission_not_public, permission(principal="s3.amazonaws.com"))
    assert service.status is Status.PASS
    with pytest.raises(Undecidable):
        run(lambda_permission_not_public, permission(principal=UNKNOWN))


def test_function_url_auth():
    url = Resource("aws:lambda/functionUrl:FunctionUrl", "url", {"authorization_type": "NONE"})
    assert run(lambda_function_url_auth, url).status is Status.FAIL
    iam = Resource("aws:lambda/functionUrl:FunctionUrl", "url", {"authorization_type": "AWS_IAM"})
    assert run(lambda_function_url_auth, iam).evidence == {"authorization_type": "AWS_IAM"}


def test_function_in_vpc_unless_classified_non_ephi():
    ok = run(
        lambda_in_vpc,
        function(vpc_config={"subnet_ids": ["subnet-a"], "security_group_ids": ["sg"]}),
    )
    assert (ok.status, ok.evidence) == (Status.PASS, {"subnet_ids": ["subnet-a"]})
    assert run(lambda_in_vpc, function()).status is Status.FAIL
    internal = function(tags={"data-classification": "internal"})
    assert run(lambda_in_vpc, internal).status is Status.NOT_APPLICABLE
    with pytest.raises(Undecidable):
        run(lambda_in_vpc, function(vpc_config=UNKNOWN))


def test_environment_key_and_runtime():
    env = {"variables": {"TABLE": "sessions"}}
    assert (
        run(lambda_env_encrypted_cmk, function(environment=env, kms_key_arn=KEY)).status
        is Status.PASS
    )
    assert run(lambda_env_encrypted_cmk, function(environment=env)).status is Status.FAIL
    assert run(lambda_env_encrypted_cmk, function()).status is Status.NOT_APPLICABLE
    old = run(lambda_supported_runtime, function(runtime="python3.8"))
    assert (old.status, old.evidence) == (Status.FAIL, {"runtime": "python3.8"})
    assert run(lambda_supported_runtime, function()).status is Status.PASS
    image = function(package_type="Image", runtime=None)
    assert run(lambda_supported_runtime, image).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    "runtime", ["python3.13", "python3.12", "nodejs22.x", "java21", "dotnet8", "ruby3.4",
                "provided.al2023"],
)  # fmt: skip
def test_runtimes_known_as_supported_pass(runtime):
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert (result.status, result.evidence) == (Status.PASS, {"runtime": runtime})


@pytest.mark.parametrize("runtime", ["python2.7", "nodejs", "nodejs4.3", "go1.x", "java8"])
def test_deprecated_runtimes_fail(runtime):
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert result.status is Status.FAIL
    assert "deprecated" in result.message


@pytest.mark.parametrize("runtime", ["", "   ", None, "PYTHON3.12", " python3.12", "python 3.12",
                                     "py3", 3.12, ["python3.13"]])  # fmt: skip
def test_a_zip_function_without_a_runtime_identifier_fails(runtime):
    """AWS refuses a zip function with no runtime, or one that is not an identifier it knows:
    invalid configuration, never "supported"."""
    result = run(lambda_supported_runtime, function(runtime=runtime))
    assert result.status is Status.FAIL
    assert "not a Lambda runtime" in result.message


@pytest.mark.parametrize("runtime", ["python3.99", "nodejs40.x", "java99", "ruby9.9"])
def test_a_runtime_this_library_does_not_know_yet_is_not_evaluated(runtime):
    with pytest.raises(Undecidable, match="not one this check knows"):
        run(lambda_supported_runtime, function(runtime=runtime))


def test_a_runtime_that_cannot_be_seen_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(lambda_supported_runtime, function(runtime=UNKNOWN))
    with pytest.raises(Undecidable):
        run(lambda_supported_runtime, function(package_type=UNKNOWN))


def test_a_function_without_a_package_type_is_a_zip_function():
    bare = Resource("aws:lambda/function:Function", "api", {"runtime": ""})
    assert run(lambda_supported_runtime, bare).status is Status.FAIL
    image = Resource("aws:lambda/function:Function", "img", {"package_type": "Image"})
    assert run(lambda_supported_runtime, image).status is Status.NOT_APPLICABLE


# -- SNS / SQS -------------------------------------------------------------------------------------


def topic(**props) -> Resource:
    return Resource("aws:sns/topic:Topic", "alerts", props, arn="arn:aws:sns:us-east-1:1:alerts")


def queue(**props) -> Resource:
    return Resource(
        "aws:sqs/queue:Queue", "claims", props, id="https://sqs.us-east-1.amazonaws.com/1/claims"
    )


def test_topic_and_queue_encryption():
    assert run(sns_topic_encrypted, topic(kms_master_key_id=KEY)).status is Status.PASS
    assert run(sns_topic_encrypted, topic()).status is Status.FAIL
    kms = run(sqs_queue_encrypted, queue(kms_master_key_id=KEY))
    assert (kms.status, kms.evidence) == (Status.PASS, {"kms_master_key_id": KEY, "sse_sqs": False})
    default = run(sqs_queue_encrypted, queue())
    assert (default.status, default.evidence["sse_sqs"]) == (Status.PASS, True)
    assert run(sqs_queue_encrypted, queue(sqs_managed_sse_enabled=False)).status is Status.FAIL
    with pytest.raises(Undecidable):
        run(sqs_queue_encrypted, queue(kms_master_key_id=UNKNOWN))


def _doc(**statement) -> str:
    return json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", **statement}]}
    )


def test_public_topic_policy_fails_and_conditioned_queue_policy_passes():
    policy = Resource(
        "aws:sns/topicPolicy:TopicPolicy",
        "alerts-policy",
        {"arn": "arn:aws:sns:us-east-1:1:alerts", "policy": _doc(Principal="*")},
    )
    result = run(messaging_policy_not_public, topic(), policy)
    assert result.status is Status.FAIL
    assert result.evidence["public_statements"][0]["policy"] == "alerts-policy"
    conditioned = Resource(
        "aws:sqs/queuePolicy:QueuePolicy",
        "claims-policy",
        {
            "queue_url": "https://sqs.us-east-1.amazonaws.com/1/claims",
            "policy": _doc(Principal="*", Condition={"ArnEquals": {"aws:SourceArn": "arn:sns"}}),
        },
    )
    ok = run(messaging_policy_not_public, queue(), conditioned)
    assert (ok.status, ok.evidence) == (Status.PASS, {"public_statements": []})
    with pytest.raises(Undecidable):
        run(messaging_policy_not_public, topic(policy=UNKNOWN))


def test_a_queue_policy_naming_its_queue_by_a_value_that_cannot_be_seen_is_not_evaluated():
    """`queue_url=queue.url` under mocks is a made-up URL: the policy may be this queue's."""
    for ref in (MadeUp("https://sqs.us-east-1.amazonaws.com/1/claims"), SECRET, UNKNOWN):
        open_policy = Resource(
            "aws:sqs/queuePolicy:QueuePolicy",
            "claims-policy",
            {"queue_url": ref, "policy": _doc(Principal="*")},
        )
        inventory = Inventory([queue(), open_policy])
        [finding] = run_check(
            build_registry().get("messaging_policy_not_public"), inventory, queue()
        )
        assert finding.status is Status.NOT_EVALUATED, ref


# -- data classification ---------------------------------------------------------------------------


def test_data_store_classification_tag():
    ok = run(data_store_classification_tagged, table(tags={"data-classification": "ePHI"}))
    assert (ok.status, ok.evidence) == (Status.PASS, {"classification": "ePHI"})
    missing = run(data_store_classification_tagged, table(tags={"owner": "billing"}))
    assert (missing.status, missing.evidence) == (Status.FAIL, {"classification": None})
    with pytest.raises(Undecidable):
        run(data_store_classification_tagged, table(tags=UNKNOWN))
