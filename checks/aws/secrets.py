"""Secrets: Secrets Manager secrets rotate and use a customer key; no plaintext secrets in Lambda
environments, EC2 user data or plain SSM parameters (controls SEC-01, SEC-02, SEC-03).

Secret detection is deliberately narrow, to stay quiet on correct programs: an AWS access key id
anywhere, a private key block, or a value under a secret-sounding name that is a literal rather
than a reference (an ARN, an SSM path, a `{{resolve:...}}`). Values are never put in evidence.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from checks.model import (
    SECRET_NAME,
    Inventory,
    MadeUp,
    Resource,
    Secret,
    Undecidable,
    is_unknown,
    undecidable,
)
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.credentials import ACCESS_KEY_ID
from checks.support.joins import referrers
from checks.support.props import blocks, flag, known
from checks.support.resource_types import (
    EC2_INSTANCE,
    LAMBDA_FUNCTION,
    LAUNCH_CONFIGURATION,
    LAUNCH_TEMPLATE,
)

CHECKS: list[Check] = []

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
USER_DATA_TYPES = (EC2_INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION)
MAX_ROTATION_DAYS = 90
AWS_MANAGED_SECRETS_KEY = "alias/aws/secretsmanager"
PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----")
REFERENCE = re.compile(r"^(arn:|\{\{resolve:|/|ssm:|secretsmanager:)")
# Names that hold a pointer to a secret, not the secret: DB_PASSWORD_SECRET_ARN, API_TOKEN_PARAM.
REFERENCE_NAME = re.compile(r"(_ARN|_NAME|_ID|_PATH|_PARAM|_PARAMETER|_URL)$", re.I)
ASSIGNMENT = re.compile(
    r"(?P<name>[\w.-]*(?:passw(?:or)?d|secret|token|api_?key|private_?key|access_?key)[\w.-]*)"
    r"\s*[=:]\s*['\"]?(?P<value>[^\s'\"$`{}]{6,})",
    re.I,
)


_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_ANY = ("*", "?")


def _months(field: str) -> set[int] | None:
    """The months a cron month field names (`*`, lists, ranges, steps, JAN-DEC); None if unread."""
    months: set[int] = set()
    for part in field.upper().split(","):
        span, _, step = part.partition("/")
        if span in _ANY:
            low, high = 1, 12
        else:
            ends = [_MONTHS.get(e) or (int(e) if e.isdigit() else None) for e in span.split("-")]
            if None in ends or len(ends) > 2:
                return None
            low, high = ends[0], ends[-1] if step == "" or len(ends) == 2 else 12
        if not (step == "" or step.isdigit()) or step == "0" or not 1 <= low <= high <= 12:
            return None
        months.update(range(low, high + 1, int(step or 1)))
    return months


def _cron_days(expression: str) -> int | None:
    """An upper bound of the days between two runs of a Secrets Manager cron schedule: 1 when
    it runs every day, 7 on named weekdays, 31 per month between runs; None if it cannot be read."""
    fields = expression.split()
    if len(fields) != 6:
        return None
    day_of_month, month, day_of_week = fields[2], fields[3], fields[4]
    months = _months(month)
    if not months:
        return None
    ordered = sorted(months)
    gap = max(b - a for a, b in zip(ordered, [*ordered[1:], ordered[0] + 12], strict=True))
    if gap > 1:
        return 31 * gap
    if day_of_month in _ANY and day_of_week in _ANY:
        return 1
    return 7 if day_of_month in _ANY else 31


def _rotation_days(rules: Mapping[str, Any]) -> int | None:
    days = rules.get("automatically_after_days")
    if days:
        return int(days)
    expression = str(rules.get("schedule_expression") or "").strip()
    if rate := re.match(r"rate\((\d+) (day|hour)s?\)$", expression):
        count = int(rate.group(1))
        return count if rate.group(2) == "day" else max(1, -(-count // 24))
    if cron := re.match(r"cron\((.+)\)$", expression):
        if (bound := _cron_days(cron.group(1))) is None:
            raise Undecidable(f"the rotation schedule {expression!r} cannot be read")
        return bound
    if expression:
        raise Undecidable(f"the rotation schedule {expression!r} cannot be read")
    return None


@check(
    into=CHECKS,
    id="secret_rotation_enabled",
    control="SEC-01",
    title=f"Secrets Manager secret rotates automatically within {MAX_ROTATION_DAYS} days",
    severity=Severity.MEDIUM,
    config_rule="secretsmanager-rotation-enabled-check",
    resource_types=(SECRET,),
    reads=("aws:secretsmanager/secretRotation:SecretRotation",),
    remediation=(
        "Declare an aws.secretsmanager.SecretRotation with a rotation Lambda and rotation_rules "
        f"automatically_after_days <= {MAX_ROTATION_DAYS}."
    ),
    pulumi_fix='aws.secretsmanager.SecretRotation("db-rotation", secret_id=secret.id,\n'
    '    rotation_lambda_arn=rotator.arn, rotation_rules={"automatically_after_days": 30})',
)
def secret_rotation_enabled(res: Resource, inv: Inventory) -> Result:
    """A leaked credential stops working on its own (password management)."""
    rotations = [
        r
        for r in referrers(inv, res, (SECRET_ROTATION,), "secret_id")
        if flag(known(r, "rotation_enabled", True))
    ]
    days = [
        d
        for r in rotations
        for rules in blocks(known(r, "rotation_rules"))
        if (d := _rotation_days(rules))
    ]
    if not days:
        return failed("the secret never rotates", rotation_days=None)
    if min(days) > MAX_ROTATION_DAYS:
        return failed(f"the secret rotates every {min(days)} days", rotation_days=min(days))
    return passed(f"the secret rotates every {min(days)} days", rotation_days=min(days))


@check(
    into=CHECKS,
    id="secret_encrypted_cmk",
    control="SEC-02",
    title="Secrets Manager secret is encrypted with a customer-managed key",
    severity=Severity.MEDIUM,
    config_rule="secretsmanager-using-cmk",
    resource_types=(SECRET,),
    remediation="Set kms_key_id to a customer-managed key (the default is aws/secretsmanager).",
    pulumi_fix='aws.secretsmanager.Secret("db", kms_key_id=key.arn)',
)
def secret_encrypted_cmk(res: Resource, inv: Inventory) -> Result:
    """Who can read the secret is decided by a key policy the entity controls."""
    key = known(res, "kms_key_id")
    if key and AWS_MANAGED_SECRETS_KEY not in str(key):
        return passed("the secret uses a customer-managed key", kms_key_id=key)
    return failed("the secret uses the AWS-managed aws/secretsmanager key", kms_key_id=key)


# A connection string carrying its password (postgres://app:pw@db/x), and name=value pairs
# inside a value (a DSN's "password=...", a query string's "token=...").
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_ASSIGNED = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*([^\s;&,]+)")


def _literal_secret(name: str, value: Any) -> str | None:
    """Why the variable holds a plaintext secret, or None."""
    if isinstance(value, Secret):
        return "a secret value stored in the configuration"
    if not isinstance(value, str) or not value:
        return None
    if ACCESS_KEY_ID.search(value) or PRIVATE_KEY_BLOCK.search(value):
        return "an AWS access key id or private key"
    if _URL_PASSWORD.search(value):
        return "a password inside a URL (scheme://user:password@host)"
    if any(SECRET_NAME.search(k) and not REFERENCE.match(v) for k, v in _ASSIGNED.findall(value)):
        return "a secret-sounding name=value inside the value"
    if SECRET_NAME.search(name) and not REFERENCE_NAME.search(name) and not REFERENCE.match(value):
        return "a literal value under a secret-sounding name"
    return None


@check(
    into=CHECKS,
    id="lambda_env_no_plaintext_secrets",
    control="SEC-03",
    title="Lambda environment variables hold no plaintext secrets",
    severity=Severity.HIGH,
    resource_types=(LAMBDA_FUNCTION,),
    remediation=(
        "Keep secrets in Secrets Manager or SSM SecureString and pass only their ARN or name; "
        "the function reads them at run time with its role."
    ),
    pulumi_fix='aws.lambda_.Function("api", ..., environment={"variables": {\n'
    '    "DB_SECRET_ARN": db_secret.arn}})',
)
def lambda_env_no_plaintext_secrets(res: Resource, inv: Inventory) -> Result:
    """Anyone who can read the function's configuration cannot read its credentials."""
    environment = _seen(res.raw("environment"), f"the environment of {res.name}")
    if isinstance(environment, Secret):
        whole = {"(every variable)": "a secret value stored in the configuration"}
        return failed("plaintext secret(s) in the whole environment", secret_variables=whole)
    variables: dict[str, Any] = {}
    for env in blocks(environment):
        raw = _seen(env.get("variables"), f"the variables of {res.name}")
        if isinstance(raw, Secret):
            whole = {"(every variable)": "a secret value stored in the configuration"}
            return failed("plaintext secret(s) in every variable", secret_variables=whole)
        variables.update(raw if isinstance(raw, Mapping) else {})
    unseen = [k for k, v in variables.items() if _unseen(v) and SECRET_NAME.search(k)]
    if unseen:
        raise undecidable(f"the variable {unseen[0]} of {res.name} cannot be seen")
    found = {k: why for k, v in variables.items() if (why := _literal_secret(k, v))}
    if found:
        return failed(f"plaintext secret(s) in {', '.join(sorted(found))}", secret_variables=found)
    return passed("no variable holds a plaintext secret", secret_variables={})


def _unseen(value: Any) -> bool:
    return is_unknown(value) or isinstance(value, MadeUp)


def _seen(value: Any, what: str) -> Any:
    """`value` unless it is unknown or made up as a whole (a secret is judged by its kind)."""
    if _unseen(value):
        raise undecidable(f"{what} cannot be seen ({value!r})")
    return value


def _user_data_text(res: Resource) -> str:
    texts = [str(known(res, "user_data") or "")]
    encoded = [str(known(res, "user_data_base64") or "")]
    if res.type == LAUNCH_TEMPLATE:  # launch templates take user data base64-encoded
        encoded.append(texts.pop())
    for blob in filter(None, encoded):
        try:
            texts.append(base64.b64decode(blob, validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            texts.append(blob)
    return "\n".join(texts)


def _is_literal(match: re.Match[str]) -> bool:
    value = match.group("value")
    return not (
        REFERENCE_NAME.search(match.group("name")) or REFERENCE.match(value) or "://" in value
    )


@check(
    into=CHECKS,
    id="ec2_user_data_no_secrets",
    control="SEC-03",
    title="EC2 user data holds no plaintext secrets",
    severity=Severity.HIGH,
    resource_types=USER_DATA_TYPES,
    remediation=(
        "Fetch secrets at boot from Secrets Manager or SSM SecureString with the instance "
        "profile; never write keys or passwords into user data."
    ),
    pulumi_fix='aws.ec2.Instance("app", ..., iam_instance_profile=profile.name, user_data="""\n'
    "#!/bin/bash\n"
    "export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db \\\n"
    "    --query SecretString --output text)\n"
    '""")',
)
def ec2_user_data_no_secrets(res: Resource, inv: Inventory) -> Result:
    """Anyone who can describe the instance cannot read its credentials."""
    text = _user_data_text(res)
    found = sorted({m.group("name") for m in ASSIGNMENT.finditer(text) if _is_literal(m)})
    if ACCESS_KEY_ID.search(text):
        found.append("AWS access key id")
    if PRIVATE_KEY_BLOCK.search(text):
        found.append("private key block")
    if found:
        return failed(
            f"user data holds plaintext secret(s): {', '.join(found)}", secrets_found=found
        )
    return passed("no plaintext secret found in user data", secrets_found=[])


@check(
    into=CHECKS,
    id="ssm_parameter_secrets_secure",
    control="SEC-03",
    title="SSM parameter with a secret-sounding name is a SecureString",
    severity=Severity.HIGH,
    resource_types=(SSM_PARAMETER,),
    remediation="Declare the parameter with type='SecureString' and key_id set to a CMK.",
    pulumi_fix='aws.ssm.Parameter("db-password", name="/billing/db/password",\n'
    '    type="SecureString", key_id=key.arn, value=db_password)',
)
def ssm_parameter_secrets_secure(res: Resource, inv: Inventory) -> Result:
    """Secrets kept in Parameter Store are encrypted and access to them is logged."""
    name, kind = str(known(res, "name", None) or res.name), str(known(res, "type", "String"))
    if not SECRET_NAME.search(name):
        return not_applicable(
            "the parameter's name does not suggest a secret", name=name, type=kind
        )
    if kind == "SecureString":
        return passed("the secret parameter is a SecureString", name=name, type=kind)
    return failed(f"the secret parameter is a plain {kind}", name=name, type=kind)
