"""Lambda: not invokable by anyone, function URLs authenticated, ePHI functions in a VPC,
environment encrypted with a customer key, and a supported runtime (LAM-01, LAM-02, LAM-03)."""

from __future__ import annotations

import re

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.classification import may_hold_ephi
from checks.support.props import blocks, known
from checks.support.resource_types import LAMBDA_FUNCTION

CHECKS: list[Check] = []

PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
# Conditions that narrow a '*' principal to one source.
PERMISSION_NARROWERS = ("source_arn", "source_account", "principal_org_id")
# Runtimes past their AWS Lambda deprecation date as of this library's release (2026-11).
DEPRECATED_RUNTIMES = frozenset(
    {
        "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
        "dotnet5.0", "dotnet6", "dotnet7",
        "go1.x", "java8", "java8.al2", "provided", "provided.al2",
        "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10",
        "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x", "nodejs20.x",
        "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "python3.10",
        "ruby2.5", "ruby2.7", "ruby3.2",
    }
)  # fmt: skip
# Runtimes AWS supports as of the same date: only these pass.
SUPPORTED_RUNTIMES = frozenset(
    {
        "nodejs22.x", "nodejs24.x",
        "python3.11", "python3.12", "python3.13", "python3.14",
        "java11", "java17", "java21", "java25",
        "dotnet8", "dotnet10",
        "ruby3.3", "ruby3.4",
        "provided.al2023",
    }
)  # fmt: skip
# The shape of a Lambda runtime identifier, for one released after this library.
RUNTIME_IDENTIFIER = re.compile(
    r"(nodejs\d+\.x|python3\.\d+|java\d+(\.al\d+)?|dotnet\d+|ruby\d+\.\d+|provided\.al\d+)"
)


@check(
    into=CHECKS,
    id="lambda_permission_not_public",
    control="LAM-01",
    title="Lambda permission does not let anyone invoke the function",
    severity=Severity.CRITICAL,
    config_rule="lambda-function-public-access-prohibited",
    resource_types=(PERMISSION,),
    remediation=(
        "Name the invoking service or account as principal, and for a service principal add "
        "source_arn (and source_account) so only your resource can invoke."
    ),
    pulumi_fix='aws.lambda_.Permission("from-bucket", function=fn.name,\n'
    '    action="lambda:InvokeFunction", principal="s3.amazonaws.com",\n'
    "    source_arn=bucket.arn, source_account=account_id)",
)
def lambda_permission_not_public(res: Resource, inv: Inventory) -> Result:
    """Code that handles ePHI runs only for the callers it was built for."""
    principal = str(known(res, "principal"))
    narrowed = {k: known(res, k) for k in PERMISSION_NARROWERS if known(res, k)}
    evidence = {"principal": principal, "conditions": sorted(narrowed)}
    if principal == "*" and not narrowed:
        return failed("any AWS account or anonymous caller may invoke the function", **evidence)
    return passed("invocation is limited to named principals or sources", **evidence)


@check(
    into=CHECKS,
    id="lambda_function_url_auth",
    control="LAM-01",
    title="Lambda function URL requires IAM authentication",
    severity=Severity.HIGH,
    resource_types=(FUNCTION_URL,),
    remediation=(
        "Set authorization_type='AWS_IAM' (callers sign requests), or put the function behind "
        "API Gateway or an ALB with authentication."
    ),
    pulumi_fix='aws.lambda_.FunctionUrl("api", function_name=fn.name,\n'
    '    authorization_type="AWS_IAM")',
)
def lambda_function_url_auth(res: Resource, inv: Inventory) -> Result:
    """The function's HTTPS endpoint is not open to anyone who finds the URL."""
    auth = known(res, "authorization_type")
    if auth == "NONE":
        return failed("the function URL accepts unauthenticated requests", authorization_type=auth)
    if auth == "AWS_IAM":
        return passed("the function URL requires IAM-signed requests", authorization_type=auth)
    # The provider requires the field; a value that is missing or foreign is not evidence of IAM.
    raise Undecidable(f"authorization_type of {res.name} is {auth!r}, neither AWS_IAM nor NONE")


@check(
    into=CHECKS,
    id="lambda_in_vpc",
    control="LAM-02",
    title="Lambda function that may handle ePHI runs in a VPC",
    severity=Severity.MEDIUM,
    config_rule="lambda-inside-vpc",
    resource_types=(LAMBDA_FUNCTION,),
    remediation=(
        "Set vpc_config with private subnets and a security group, so the function reaches data "
        "stores privately and its egress is controlled. Tag functions that never touch ePHI "
        "with a data-classification other than ePHI."
    ),
    pulumi_fix='aws.lambda_.Function("api", ..., vpc_config={\n'
    '    "subnet_ids": [s.id for s in private_subnets], "security_group_ids": [app_sg.id]})',
)
def lambda_in_vpc(res: Resource, inv: Inventory) -> Result:
    """Network access of code that handles ePHI is as controlled as the data stores'."""
    if not may_hold_ephi(res):
        return not_applicable("the function is classified as not handling ePHI")
    subnets = [s for v in blocks(known(res, "vpc_config")) for s in v.get("subnet_ids") or []]
    if subnets:
        return passed(f"the function runs in {len(subnets)} VPC subnet(s)", subnet_ids=subnets)
    return failed("the function runs outside any VPC", subnet_ids=[])


@check(
    into=CHECKS,
    id="lambda_env_encrypted_cmk",
    control="LAM-03",
    title="Lambda environment variables are encrypted with a customer-managed key",
    severity=Severity.LOW,
    resource_types=(LAMBDA_FUNCTION,),
    remediation="Set kms_key_arn to a customer-managed key when the function has environment "
    "variables.",
    pulumi_fix='aws.lambda_.Function("api", ..., kms_key_arn=key.arn)',
)
def lambda_env_encrypted_cmk(res: Resource, inv: Inventory) -> Result:
    """Configuration values at rest are encrypted under a key the entity controls."""
    envs = [e for e in blocks(known(res, "environment")) if e.get("variables")]
    if not envs:
        return not_applicable("the function has no environment variables")
    key = known(res, "kms_key_arn")
    if key:
        return passed("environment variables use a customer-managed key", kms_key_arn=key)
    return failed("environment variables use the AWS-managed aws/lambda key", kms_key_arn=None)


@check(
    into=CHECKS,
    id="lambda_supported_runtime",
    control="LAM-03",
    title="Lambda function uses a runtime AWS still supports",
    severity=Severity.LOW,
    resource_types=(LAMBDA_FUNCTION,),
    remediation="Move to a supported runtime (e.g. python3.13, nodejs22.x, java21).",
    pulumi_fix='aws.lambda_.Function("api", ..., runtime="python3.13")',
)
def lambda_supported_runtime(res: Resource, inv: Inventory) -> Result:
    """The function's language runtime still receives security patches."""
    if known(res, "package_type", "Zip") == "Image":
        return not_applicable("a container image carries its own runtime")
    runtime = known(res, "runtime")
    text = runtime if isinstance(runtime, str) else None
    if text in SUPPORTED_RUNTIMES:
        return passed(f"{text} is supported", runtime=text)
    if text in DEPRECATED_RUNTIMES:
        return failed(f"{text} is deprecated: no more security patches", runtime=text)
    if text is not None and RUNTIME_IDENTIFIER.fullmatch(text):
        raise Undecidable(
            f"the runtime {text} is not one this check knows (newer than its library?), so "
            "whether AWS still supports it cannot be told"
        )
    given = repr(runtime) if runtime is not None and str(runtime).strip() else "an empty runtime"
    return failed(
        f"{given} is not a Lambda runtime identifier: a zip-packaged function needs one AWS "
        "supports (e.g. python3.13)",
        runtime=runtime,
    )
