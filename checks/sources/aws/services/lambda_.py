"""Live collectors: Lambda functions' configuration as `aws.lambda_.Function` declares it (runtime,
package type, VPC placement, KMS key, environment variables, dead-letter target, tags), each
statement of a function's resource policy as the `aws.lambda_.Permission` that would have added
it, and function URLs as `aws.lambda_.FunctionUrl`. One collector each, so a denied call hides
only its type.

Environment variables are configuration (the plaintext-secret check judges them); the code is
never read (`lambda:GetFunction` would hand out a link to it), nor are invocations or logs.
Only the latest version of each function is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"

# Condition keys of a permission statement -> the Permission property that adds them.
_CONDITIONS = {
    "aws:sourcearn": "source_arn",
    "aws:sourceaccount": "source_account",
    "aws:principalorgid": "principal_org_id",
    "lambda:functionurlauthtype": "function_url_auth_type",
    "lambda:eventsourcetoken": "event_source_token",
}
_ACCOUNT_ROOT = ":root"


def function_props(fn: Mapping[str, Any], tags: dict[str, Any]) -> dict[str, Any]:
    environment = fn.get("Environment") or {}
    if environment.get("Error"):
        # The variables could not be decrypted for us: what they hold cannot be told.
        code = environment["Error"].get("ErrorCode", "an error")
        raise CollectionError(f"the environment of {fn['FunctionName']} cannot be read ({code})")
    variables = environment.get("Variables")
    vpc = snake_keys(fn.get("VpcConfig") or {})
    return present(
        {
            "name": fn["FunctionName"],
            "description": fn.get("Description") or None,
            "role": fn.get("Role"),
            "handler": fn.get("Handler"),
            "runtime": fn.get("Runtime"),
            "package_type": fn.get("PackageType"),
            "timeout": fn.get("Timeout"),
            "memory_size": fn.get("MemorySize"),
            "architectures": list(fn.get("Architectures") or []) or None,
            "layers": [layer["Arn"] for layer in fn.get("Layers") or []] or None,
            "kms_key_arn": fn.get("KMSKeyArn"),
            "environment": {"variables": dict(variables)} if variables else None,
            "vpc_config": vpc if vpc.get("subnet_ids") or vpc.get("security_group_ids") else None,
            "dead_letter_config": snake_keys(fn.get("DeadLetterConfig")),
            "tracing_config": snake_keys(fn.get("TracingConfig")),
            "logging_config": snake_keys(fn.get("LoggingConfig")),
            "ephemeral_storage": snake_keys(fn.get("EphemeralStorage")),
            "tags": tags,
        }
    )


def _functions(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (FUNCTION,), "function") as missed:
        for fn in ctx.pages(client, "ListFunctions", "Functions"):
            name, arn = fn["FunctionName"], fn["FunctionArn"]
            with missed.of(name):
                tags = ctx.call(client, "ListTags", Resource=arn).get("Tags") or {}
                yield ctx.resource(FUNCTION, name, function_props(fn, tags), id=name, arn=arn)


def _principals(value: Any) -> list[str]:
    """A statement's principals as `Permission.principal` takes them: "*", a service, or an
    account id (AWS stores an account as its root ARN)."""
    if isinstance(value, str):
        return [value]
    found: list[str] = []
    for kind, names in (value or {}).items():
        for name in names if isinstance(names, list) else [names]:
            text = str(name)
            if kind == "AWS" and text.endswith(_ACCOUNT_ROOT):
                text = text[: -len(_ACCOUNT_ROOT)].rsplit(":", 1)[-1]
            found.append(text)
    return found


def permission_props(function: str, statement: Mapping[str, Any], principal: str) -> dict:
    action = statement.get("Action")
    props: dict[str, Any] = {
        "function": function,
        "statement_id": statement.get("Sid"),
        "action": action[0] if isinstance(action, list) and len(action) == 1 else action,
        "principal": principal,
    }
    resource = str(statement.get("Resource") or "")
    if resource.count(":") == 7:  # arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER
        props["qualifier"] = resource.rsplit(":", 1)[-1]
    for tests in (statement.get("Condition") or {}).values():
        for key, value in tests.items():
            if (prop := _CONDITIONS.get(key.lower())) is not None:
                props[prop] = value[0] if isinstance(value, list) and len(value) == 1 else value
    return present(props)


def permissions_of(function: str, policy: Mapping[str, Any]) -> list[tuple[str, dict]]:
    """(name, props) of each permission the policy's Allow statements grant."""
    found = []
    statements = policy.get("Statement") or []
    for index, statement in enumerate(statements if isinstance(statements, list) else [statements]):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid") or f"statement-{index + 1}"
        principals = _principals(statement.get("Principal"))
        for principal in principals:
            name = f"{function}/{sid}" + (f"/{principal}" if len(principals) > 1 else "")
            found.append((name, permission_props(function, statement, principal)))
    return found


def _permissions(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (PERMISSION,), "function") as missed:
        for fn in ctx.pages(client, "ListFunctions", "Functions"):
            name = fn["FunctionName"]
            with missed.of(name):
                answer = ctx.setting(client, "GetPolicy", FunctionName=fn["FunctionArn"])
                policy = json.loads(answer["Policy"]) if answer else {}
                for ident, props in permissions_of(name, policy):
                    yield ctx.resource(PERMISSION, ident, props, id=props.get("statement_id"))


def url_props(function: str, url: Mapping[str, Any]) -> dict[str, Any]:
    arn = str(url.get("FunctionArn") or "")
    return present(
        {
            "function_name": function,
            "qualifier": arn.rsplit(":", 1)[-1] if arn.count(":") == 7 else None,
            "authorization_type": url["AuthType"],
            "invoke_mode": url.get("InvokeMode"),
            "cors": snake_keys(url.get("Cors")) or None,
            "function_url": url.get("FunctionUrl"),
        }
    )


def _urls(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    with Misses(ctx, (FUNCTION_URL,), "function") as missed:
        for fn in ctx.pages(client, "ListFunctions", "Functions"):
            name = fn["FunctionName"]
            with missed.of(name):
                for url in ctx.pages(
                    client, "ListFunctionUrlConfigs", "FunctionUrlConfigs", FunctionName=name
                ):
                    props = url_props(name, url)
                    ident = "/".join(filter(None, (name, props.get("qualifier"))))
                    yield ctx.resource(FUNCTION_URL, ident, props, id=ident)


COLLECTORS: list[Collector] = [
    Collector("lambda", (FUNCTION,), ("lambda:ListFunctions", "lambda:ListTags"), _functions),
    Collector("lambda", (PERMISSION,), ("lambda:GetPolicy", "lambda:ListFunctions"), _permissions),
    Collector(
        "lambda",
        (FUNCTION_URL,),
        ("lambda:ListFunctionUrlConfigs", "lambda:ListFunctions"),
        _urls,
    ),
]
