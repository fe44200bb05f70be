"""Lambda, live: functions' configuration (environment included, code never), each statement of a
function's policy as the Permission that added it, and function URLs, which the emulator cannot
list (a gap); and the console changes the Lambda checks catch."""

from __future__ import annotations

import io
import json
import zipfile

from checks.registry import Status
from checks.sources.aws.services.lambda_ import COLLECTORS, FUNCTION, FUNCTION_URL, PERMISSION
from tests.emulator.gap_effects import BYSTANDER, hidden_checks
from tests.emulator.live_audit import audit, collect, deny, program_resources, shape_differences

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/3a34f661-038d-7bd6-b481-536142e9a889"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:claims/clearinghouse-api"
RULE_ARN = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly-reconcile"
# The guarantee program's processor's: secrets and data stores named by ARN or URL.
VARIABLES = {
    "CLEARINGHOUSE_SECRET_ARN": SECRET_ARN,
    "DB_CLUSTER_ARN": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:claims-db",
    "LOG_LEVEL": "INFO",
    "QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/claims",
}
# What the program declares that a live read does not give: the code (never read), and the
# logging configuration, which AWS reports but moto does not.
NOT_REPORTED = frozenset({"code", "logging_config"})


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return None\n")
    return buffer.getvalue()


def _functions(aws) -> dict[str, str]:
    """processor: as the guarantee program's (VPC, KMS key, secrets by ARN, ePHI), invoked by an
    EventBridge rule. legacy: a deprecated runtime outside any VPC with a password in its
    environment, invokable by anyone."""
    role = aws.client("iam").create_role(
        RoleName="functions",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
             "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]  # fmt: skip
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    lam = aws.client("lambda")
    lam.create_function(
        FunctionName="processor",
        Description="Validates queued claims",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": _code()},
        Timeout=60,
        MemorySize=256,
        Environment={"Variables": VARIABLES},
        KMSKeyArn=KEY,
        VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]},
        TracingConfig={"Mode": "Active"},
        Tags={"data-classification": "ephi"},
    )
    lam.create_function(
        FunctionName="legacy",
        Runtime="python3.8",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": _code()},
        Environment={"Variables": {"DB_PASSWORD": "hunter2"}},
    )
    lam.add_permission(
        FunctionName="processor",
        StatementId="nightly-reconcile",
        Action="lambda:InvokeFunction",
        Principal="events.amazonaws.com",
        SourceArn=RULE_ARN,
    )
    for sid, principal in (("anyone", "*"), ("partner", "111122223333")):
        lam.add_permission(
            FunctionName="legacy",
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal=principal,
        )
    return {"subnet": subnet, "group": group}


def _verdicts(evaluation, check_id: str) -> dict[str, Status]:
    return {
        f.resource.name: f.status
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None
    }


def test_functions_and_permissions_are_read_as_the_program_declares_them(aws):
    ids = _functions(aws)
    collected = collect(aws, COLLECTORS)
    functions = {r.name: r for r in collected.resources if r.type == FUNCTION}
    processor = functions["processor"]
    assert (processor.id, processor.arn) == (
        "processor",
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:processor",
    )
    assert {k: processor.props[k] for k in (
        "runtime", "package_type", "kms_key_arn", "environment", "tags", "tracing_config")} == {
        "runtime": "python3.12",
        "package_type": "Zip",
        "kms_key_arn": KEY,
        "environment": {"variables": VARIABLES},
        "tags": {"data-classification": "ephi"},
        "tracing_config": {"mode": "Active"},
    }  # fmt: skip
    assert processor.props["vpc_config"]["subnet_ids"] == [ids["subnet"]]
    assert processor.props["vpc_config"]["security_group_ids"] == [ids["group"]]
    assert "vpc_config" not in functions["legacy"].props
    permissions = {r.name: dict(r.props) for r in collected.resources if r.type == PERMISSION}
    assert permissions == {
        "processor/nightly-reconcile": {
            "function": "processor",
            "statement_id": "nightly-reconcile",
            "action": "lambda:InvokeFunction",
            "principal": "events.amazonaws.com",
            "source_arn": RULE_ARN,
        },
        "legacy/anyone": {"function": "legacy", "statement_id": "anyone",
                          "action": "lambda:InvokeFunction", "principal": "*"},
        "legacy/partner": {"function": "legacy", "statement_id": "partner",
                           "action": "lambda:InvokeFunction", "principal": "111122223333"},
    }  # fmt: skip
    declared = {(r.type, r.name): r for r in program_resources()}
    program = declared[(FUNCTION, "processor")].props
    program = {k: v for k, v in program.items() if k not in NOT_REPORTED}
    assert shape_differences(program, processor.props) == []
    program = declared[(PERMISSION, "nightly-reconcile")].props
    live = next(r for r in collected.resources if r.name == "processor/nightly-reconcile")
    assert shape_differences(program, live.props) == []


def test_the_emulator_cannot_list_function_urls_so_their_check_is_not_evaluated(aws):
    _functions(aws)
    aws.client("lambda").create_function_url_config(FunctionName="legacy", AuthType="NONE")
    collected = collect(aws, COLLECTORS)
    assert list(collected.gaps) == [FUNCTION_URL]
    assert "does not implement ListFunctionUrlConfigs" in collected.gaps[FUNCTION_URL]
    evaluation = audit(aws, COLLECTORS)
    (finding,) = [f for f in evaluation.findings if f.check.id == "lambda_function_url_auth"]
    assert (finding.status, finding.resource) == (Status.NOT_EVALUATED, None)


def test_the_lambda_checks_judge_the_live_functions(aws):
    _functions(aws)
    evaluation = audit(aws, COLLECTORS)
    for check in (
        "lambda_in_vpc",
        "lambda_env_encrypted_cmk",
        "lambda_supported_runtime",
        "lambda_env_no_plaintext_secrets",
    ):
        assert _verdicts(evaluation, check) == {
            "processor": Status.PASS,
            "legacy": Status.FAIL,
        }, check
    assert _verdicts(evaluation, "lambda_permission_not_public") == {
        "processor/nightly-reconcile": Status.PASS,
        "legacy/anyone": Status.FAIL,
        "legacy/partner": Status.PASS,
    }
    (secrets,) = [f for f in evaluation.findings if f.check.id == "lambda_env_no_plaintext_secrets"
                  and f.status is Status.FAIL]  # fmt: skip
    assert "hunter2" not in secrets.message and list(secrets.evidence["secret_variables"]) == [
        "DB_PASSWORD"
    ]


def test_console_changes_to_the_processor_fail_their_checks(aws):
    _functions(aws)
    lam = aws.client("lambda")
    lam.add_permission(
        FunctionName="processor",
        StatementId="debugging",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    lam.update_function_configuration(
        FunctionName="processor", VpcConfig={"SubnetIds": [], "SecurityGroupIds": []}
    )
    evaluation = audit(aws, COLLECTORS)
    assert _verdicts(evaluation, "lambda_permission_not_public")["processor/debugging"] is (
        Status.FAIL
    )
    assert _verdicts(evaluation, "lambda_in_vpc")["processor"] is Status.FAIL


def test_a_denied_policy_read_hides_the_permission_check_and_nothing_else(aws, monkeypatch):
    _functions(aws)
    before = audit(aws, COLLECTORS, also=[BYSTANDER])
    deny(monkeypatch, "lambda", "GetPolicy")
    after = audit(aws, COLLECTORS, also=[BYSTANDER])
    reason = "access denied to GetPolicy (AccessDenied)"
    assert hidden_checks(before, after, reason) == {"lambda_permission_not_public"}
    assert _verdicts(after, "lambda_in_vpc") == _verdicts(before, "lambda_in_vpc")
