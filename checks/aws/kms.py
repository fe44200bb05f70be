"""KMS customer-managed keys: automatic rotation, enabled, no key policy open to anyone, and no
identity policy that decrypts with every key (controls KMS-01, KMS-02, KMS-03)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.policydoc import (
    Statement,
    has_wildcard_principal,
    parse_policy,
    policy_documents,
)
from checks.support.props import flag, known
from checks.support.resource_types import IAM_POLICY_TYPES, ROLE

CHECKS: list[Check] = []

KEY = "aws:kms/key:Key"
# AWS rotates only symmetric encryption keys automatically.
ROTATABLE_SPEC = "SYMMETRIC_DEFAULT"


@check(
    into=CHECKS,
    id="kms_key_rotation_enabled",
    control="KMS-01",
    title="KMS customer-managed key rotates automatically",
    severity=Severity.MEDIUM,
    citations=("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"),
    config_rule="cmk-backing-key-rotation-enabled",
    resource_types=(KEY,),
    remediation=(
        "Set enable_key_rotation=True (rotation_period_in_days defaults to 365) so key material "
        "is replaced without re-encrypting data."
    ),
    pulumi_fix='aws.kms.Key("phi", enable_key_rotation=True, rotation_period_in_days=365)',
)
def kms_key_rotation_enabled(res: Resource, inv: Inventory) -> Result:
    """The key's material is rotated, limiting how much ePHI any one version protects."""
    spec = known(res, "customer_master_key_spec", ROTATABLE_SPEC)
    if spec != ROTATABLE_SPEC:
        return not_applicable(
            f"{spec} keys cannot rotate automatically", customer_master_key_spec=spec
        )
    rotation = flag(known(res, "enable_key_rotation", False))
    evidence = {"enable_key_rotation": rotation, "customer_master_key_spec": spec}
    if not rotation:
        return failed("automatic key rotation is off", **evidence)
    return passed("automatic key rotation is on", **evidence)


@check(
    into=CHECKS,
    id="kms_key_policy_no_wildcard_principal",
    control="KMS-03",
    title="KMS key policy does not allow any principal ('*') without a condition",
    severity=Severity.HIGH,
    config_rule=None,  # AWS Config has no managed rule for key policies.
    resource_types=(KEY,),
    remediation=(
        "Name the account root or specific roles as principals, or add a Condition such as "
        "aws:PrincipalOrgID / kms:CallerAccount to any statement whose principal is '*'."
    ),
    pulumi_fix=(
        'aws.kms.Key("phi", enable_key_rotation=True, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{\n'
        '        "Sid": "AccountAdmin", "Effect": "Allow",\n'
        '        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},\n'
        '        "Action": "kms:*", "Resource": "*"}]}))'
    ),
)
def kms_key_policy_no_wildcard_principal(res: Resource, inv: Inventory) -> Result:
    """Only named principals can use or manage the key that protects ePHI."""
    policy = known(res, "policy")
    if policy is None:
        return passed(
            "no key policy declared: the default policy trusts only this account", policy=None
        )
    open_statements = has_wildcard_principal(parse_policy(policy, f"the key policy of {res.name}"))
    evidence = {"wildcard_statements": [s.evidence() for s in open_statements]}
    if open_statements:
        labels = ", ".join(s.label for s in open_statements)
        return failed(
            f"the key policy allows any principal without a condition ({labels})", **evidence
        )
    return passed("no key policy statement allows '*' without a condition", **evidence)


@check(
    into=CHECKS,
    id="kms_key_enabled",
    control="KMS-02",
    title="KMS customer-managed key is enabled",
    severity=Severity.MEDIUM,
    config_rule="kms-cmk-not-scheduled-for-deletion",
    resource_types=(KEY,),
    remediation=(
        "Leave is_enabled at its default (True); retire a key deliberately after re-encrypting "
        "what it protects, never by disabling it under live data."
    ),
    pulumi_fix='aws.kms.Key("phi", enable_key_rotation=True, is_enabled=True)',
)
def kms_key_enabled(res: Resource, inv: Inventory) -> Result:
    """The data the key protects stays readable by those entitled to it (availability)."""
    enabled = flag(known(res, "is_enabled", True))
    if enabled:
        return passed("the key is enabled", is_enabled=True)
    # Only the live account records the key's state; it says why the key is off.
    if res.shown("key_state") == "PendingDeletion":
        return failed(
            "the key is scheduled for deletion: everything it encrypts will be lost",
            is_enabled=False,
            key_state="PendingDeletion",
        )
    return failed("the key is disabled: everything it encrypts is unreadable", is_enabled=False)


# Actions that expose plaintext of data a key protects.
DECRYPT_ACTIONS = ("kms:decrypt", "kms:reencryptfrom")


def _allows_decrypt(s: Statement) -> bool:
    """The statement's actions (or everything its NotAction leaves out) include a decrypt action."""
    if s.not_actions:
        left_out = [a.lower() for a in s.not_actions]
        return any(not any(fnmatchcase(d, a) for a in left_out) for d in DECRYPT_ACTIONS)
    actions = [a.lower() for a in s.actions]
    return any(fnmatchcase(d, a) for a in actions for d in DECRYPT_ACTIONS)


def _names_every_key(resource: str) -> bool:
    """`*`, or a KMS ARN whose key part is a wildcard (`arn:aws:kms:*:111122223333:key/*`)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6 or not fnmatchcase("kms", parts[2].lower()):
        return False
    return parts[5] in ("*", "key/*", "key*")


def _decrypts_every_key(s: Statement) -> bool:
    """An unconditioned Allow of kms:Decrypt or kms:ReEncryptFrom on every key: Resource `*`, a
    key wildcard ARN, or NotResource (everything but the keys it lists)."""
    every_key = bool(s.not_resources) or any(_names_every_key(r) for r in s.resources)
    return s.effect == "Allow" and not s.condition and every_key and _allows_decrypt(s)


@check(
    into=CHECKS,
    id="iam_policy_no_kms_decrypt_all_keys",
    control="KMS-03",
    title="IAM policy does not allow kms:Decrypt or kms:ReEncrypt on all keys",
    severity=Severity.MEDIUM,
    config_rule="iam-customer-policy-blocked-kms-actions",
    resource_types=(*IAM_POLICY_TYPES, ROLE),
    remediation=(
        "Name the key ARNs the workload needs, or narrow the statement with a Condition such as "
        "kms:ViaService or kms:EncryptionContext."
    ),
    pulumi_fix=(
        'aws.iam.RolePolicy("app-kms", role=role.id,\n'
        "    policy=key.arn.apply(lambda arn: json.dumps({\n"
        '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        '        "Action": ["kms:Decrypt"], "Resource": arn}]})))'
    ),
)
def iam_policy_no_kms_decrypt_all_keys(res: Resource, inv: Inventory) -> Result:
    """An identity cannot decrypt with keys it was never meant to use."""
    broad = [
        {"policy": name, **s.evidence()}
        for name, doc in policy_documents(res)
        for s in parse_policy(doc, f"the policy {name} of {res.name}")
        if _decrypts_every_key(s)
    ]
    if broad:
        return failed(f"{len(broad)} statement(s) decrypt with every key", broad_statements=broad)
    return passed("no statement decrypts with every key", broad_statements=[])
