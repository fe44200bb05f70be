"""Live collectors: Secrets Manager secrets' metadata (KMS key, rotation, resource policy).

Never a secret's value: ListSecrets and GetResourcePolicy return configuration only
(GetSecretValue is denied to the auditor role outright). Rotation is split off as the provider
splits it: a `SecretRotation` naming the secret by ARN in `secret_id`, present when rotation
is (or was) configured on the secret.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
# AWS's rotation rules, by the provider's names.
_RULES = {
    "AutomaticallyAfterDays": "automatically_after_days",
    "Duration": "duration",
    "ScheduleExpression": "schedule_expression",
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rotation(ctx: Context, entry: Mapping[str, Any]) -> Resource | None:
    configured = ("RotationEnabled", "RotationLambdaARN", "RotationRules")
    if not any(entry.get(key) for key in configured):
        return None  # rotation was never configured
    rules = {ours: entry["RotationRules"][theirs] for theirs, ours in _RULES.items()
             if (entry.get("RotationRules") or {}).get(theirs)}  # fmt: skip
    props: dict[str, Any] = {
        "secret_id": entry["ARN"],
        "rotation_enabled": bool(entry.get("RotationEnabled")),
        "rotation_rules": rules,
    }
    if entry.get("RotationLambdaARN"):
        props["rotation_lambda_arn"] = entry["RotationLambdaARN"]
    if entry.get("LastRotatedDate"):
        props["last_rotated_date"] = _iso(entry["LastRotatedDate"])
    return ctx.resource(SECRET_ROTATION, entry["Name"], props, id=entry["ARN"])


def _secret(ctx: Context, client: Any, entry: Mapping[str, Any]) -> Resource:
    arn = entry["ARN"]
    policy = ctx.setting(client, "GetResourcePolicy", SecretId=arn)
    props: dict[str, Any] = {
        "name": entry["Name"],
        "arn": arn,
        "description": entry.get("Description", ""),
        "kms_key_id": entry.get("KmsKeyId", ""),  # empty: the AWS-managed aws/secretsmanager
        "tags": {t["Key"]: t.get("Value", "") for t in entry.get("Tags") or ()},
    }
    if policy is not None and policy.get("ResourcePolicy"):
        props["policy"] = policy["ResourcePolicy"]
    if entry.get("Type"):
        props["type"] = entry["Type"]
    replicas = [
        {"region": r.get("Region"), "kms_key_id": r.get("KmsKeyId", ""),
         "status": r.get("Status"), "status_message": r.get("StatusMessage", "")}
        for r in entry.get("ReplicationStatus") or ()
    ]  # fmt: skip
    if replicas:
        props["replicas"] = replicas
    return ctx.resource(SECRET, entry["Name"], props, id=arn, arn=arn)


def collect_secrets(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    for entry in ctx.pages(client, "ListSecrets", "SecretList"):
        try:
            secret = _secret(ctx, client, entry)
        except CollectionError as exc:
            ctx.hide((SECRET,), f"the secret {entry.get('Name')}: {exc}")
            continue
        yield secret
        rotation = _rotation(ctx, entry)
        if rotation is not None:
            yield rotation


COLLECTORS: list[Collector] = [
    Collector(
        "secretsmanager",
        (SECRET, SECRET_ROTATION),
        ("secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"),
        collect_secrets,
    ),
]
