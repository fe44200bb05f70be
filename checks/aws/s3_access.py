"""S3 access: ACLs disabled, no bucket policy open to anyone, and the account-wide public access
block (control S3-02, beside `s3_bucket_public_access_blocked` in `s3.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.aws_defaults import (
    S3_DEFAULT_OBJECT_OWNERSHIP,
    S3_NEW_BUCKET_LOCKDOWN,
    created_now,
)
from checks.support.buckets import companions
from checks.support.policydoc import has_wildcard_principal, parse_policy
from checks.support.props import blocks, flag, known
from checks.support.public_access import PUBLIC_ACCESS_BLOCK_FLAGS
from checks.support.resource_types import BUCKET

CHECKS: list[Check] = []

ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
DEFAULT_OWNERSHIP = S3_DEFAULT_OBJECT_OWNERSHIP  # checks/support/aws_defaults.py
HARMLESS_CANNED_ACLS = frozenset({None, "private"})


def _ownership(res: Resource, inv: Inventory) -> str:
    for comp in companions(res, inv, "ownership_controls"):
        for rule in blocks(known(comp, "rule")):
            return str(rule.get("object_ownership"))
    if created_now(res, "object ownership controls", S3_NEW_BUCKET_LOCKDOWN):
        return DEFAULT_OWNERSHIP
    return "ObjectWriter"  # a bucket without ownership controls honours ACLs (the old default)


def _owner_grant(grant: Mapping[str, Any]) -> bool:
    """The owner's own FULL_CONTROL grant, which AWS reports on every bucket (state, live)."""
    permissions = grant.get("permissions") or []
    return (
        grant.get("type") == "CanonicalUser"
        and not grant.get("uri")
        and list(permissions) == ["FULL_CONTROL"]
    )


def _grants_beyond_owner(policy: Any) -> bool:
    """An access_control_policy that grants anything but the owner's FULL_CONTROL (which state
    files and live reads fill in for every bucket)."""
    if not policy:
        return False
    owner = (blocks(policy.get("owner")) or [{}])[0].get("id")
    for grant in blocks(policy.get("grants")):
        grantee = (blocks(grant.get("grantee")) or [{}])[0]
        mine = grantee.get("type") == "CanonicalUser" and not grantee.get("uri")
        if not (
            mine
            and grantee.get("id") in (owner, None)
            and grant.get("permission") == "FULL_CONTROL"
        ):
            return True
    return False


def _acl_resources(res: Resource, inv: Inventory) -> list[str]:
    """BucketAcl companions that grant more than the owner's own access."""
    return [
        a.address
        for a in companions(res, inv, "acl")
        if known(a, "acl") not in HARMLESS_CANNED_ACLS
        or _grants_beyond_owner(known(a, "access_control_policy"))
    ]


@check(
    into=CHECKS,
    id="s3_bucket_acls_disabled",
    control="S3-02",
    title="S3 bucket has ACLs disabled (bucket owner enforced)",
    severity=Severity.MEDIUM,
    config_rule="s3-bucket-acl-prohibited",
    resource_types=(BUCKET,),
    reads=(
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    ),
    remediation=(
        "Declare aws.s3.BucketOwnershipControls with object_ownership 'BucketOwnerEnforced' (the "
        "default for new buckets) and drop ACL resources; grant access with policies instead."
    ),
    pulumi_fix=(
        'aws.s3.BucketOwnershipControls("phi-owner", bucket=bucket.id,\n'
        '    rule={"object_ownership": "BucketOwnerEnforced"})'
    ),
)
def s3_bucket_acls_disabled(res: Resource, inv: Inventory) -> Result:
    """Access to ePHI objects is decided by policies alone, never by per-object ACLs."""
    ownership = _ownership(res, inv)
    declared = [a for a in [known(res, "acl")] if a not in HARMLESS_CANNED_ACLS]
    declared += [g for g in blocks(known(res, "grants")) if not _owner_grant(g)]
    declared += _acl_resources(res, inv)
    evidence = {"object_ownership": ownership, "declared_acls": declared}
    if ownership != DEFAULT_OWNERSHIP:
        return failed(f"object ownership is {ownership}: ACLs are honoured", **evidence)
    if declared:
        return failed("ACLs are declared on a bucket that should use policies only", **evidence)
    return passed("ACLs are disabled (bucket owner enforced)", **evidence)


@check(
    into=CHECKS,
    id="s3_bucket_policy_not_public",
    control="S3-02",
    title="S3 bucket policy allows no one-and-all ('*') principal without a condition",
    severity=Severity.CRITICAL,
    config_rule="s3-bucket-public-write-prohibited",
    resource_types=(BUCKET,),
    reads=("aws:s3/bucketPolicy:BucketPolicy",),
    remediation=(
        "Name the principals that need access, or narrow a '*' principal with a Condition "
        "(aws:SourceArn, aws:PrincipalOrgID, aws:SourceVpce)."
    ),
    pulumi_fix=(
        'aws.s3.BucketPolicy("phi-read", bucket=bucket.id, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
        '        "Principal": {"AWS": app_role_arn}, "Action": "s3:GetObject",\n'
        '        "Resource": f"arn:aws:s3:::{bucket_name}/*"}]}))'
    ),
)
def s3_bucket_policy_not_public(res: Resource, inv: Inventory) -> Result:
    """No bucket policy hands ePHI to anyone on the internet."""
    documents = [(p.name, known(p, "policy")) for p in companions(res, inv, "policy")]
    if res.get("policy") is not None:
        documents.append((res.name, known(res, "policy")))
    open_statements = [
        {"policy": name, **s.evidence()}
        for name, doc in documents
        for s in has_wildcard_principal(parse_policy(doc, f"the bucket policy {name}"))
    ]
    if open_statements:
        return failed(
            "the bucket policy allows '*' without a condition", public_statements=open_statements
        )
    return passed("no bucket policy statement allows '*' unconditionally", public_statements=[])


@check(
    into=CHECKS,
    id="s3_account_public_access_block",
    control="S3-02",
    title="The account-level S3 public access block is fully on",
    severity=Severity.HIGH,
    config_rule="s3-account-level-public-access-blocks-periodic",
    scope="account",
    baseline=True,
    reads=(
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:s3/bucket:Bucket",
    ),
    remediation=(
        "Declare aws.s3.AccountPublicAccessBlock with all four settings true, so no bucket in "
        "the account (including ones created outside this program) can be made public."
    ),
    pulumi_fix=(
        'aws.s3.AccountPublicAccessBlock("account", block_public_acls=True,\n'
        "    block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)"
    ),
)
def s3_account_public_access_block(inv: Inventory) -> list[Result]:
    """A guard rail under every bucket: a public bucket needs two mistakes, not one."""
    if not inv.holds_any(BUCKET):
        return []
    blocks_ = inv.by_type(ACCOUNT_PUBLIC_ACCESS_BLOCK)
    if not blocks_:
        return [failed("no account-level public access block is declared", account_blocks=[])]
    best = max(
        blocks_, key=lambda b: sum(flag(known(b, f, False)) for f in PUBLIC_ACCESS_BLOCK_FLAGS)
    )
    settings = {f: flag(known(best, f, False)) for f in PUBLIC_ACCESS_BLOCK_FLAGS}
    if off := [f for f, on in settings.items() if not on]:
        return [
            replace(
                failed(f"the account block leaves {', '.join(off)} off", **settings), resource=best
            )
        ]
    verdict = passed("all four account-level public access block settings are on", **settings)
    return [replace(verdict, resource=best)]
