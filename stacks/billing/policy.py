"""Policy documents, written as data and rendered by `aws.iam.get_policy_document`.

The same renderer the provider uses, so checks (and reviewers) see exactly the JSON AWS gets.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

Condition = tuple[str, str, Sequence[str]]  # (test, variable, values)


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]] = ("*",),
    *,
    effect: str = "Allow",
    principals: dict[str, Sequence[str]] | None = None,
    conditions: Sequence[Condition] = (),
    not_actions: bool = False,
    not_resources: bool = False,
) -> aws.iam.GetPolicyDocumentStatementArgs:
    """One statement; ``principals`` maps a principal type ("AWS", "Service", "*") to ids.

    ``not_actions`` / ``not_resources`` turn the actions / resources into NotAction /
    NotResource: the statement applies to everything except what they list.
    """
    return aws.iam.GetPolicyDocumentStatementArgs(
        sid=sid,
        effect=effect,
        actions=None if not_actions else list(actions),
        not_actions=list(actions) if not_actions else None,
        resources=None if not_resources else list(resources),
        not_resources=list(resources) if not_resources else None,
        principals=[
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(type=kind, identifiers=list(ids))
            for kind, ids in (principals or {}).items()
        ]
        or None,
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(
                test=test, variable=variable, values=list(values)
            )
            for test, variable, values in conditions
        ]
        or None,
    )


def trust(
    sid: str,
    principals: dict[str, Sequence[str]],
    conditions: Sequence[Condition] = (),
    actions: Sequence[str] = ("sts:AssumeRole",),
) -> aws.iam.GetPolicyDocumentStatementArgs:
    """A trust-policy statement (no Resource element)."""
    return aws.iam.GetPolicyDocumentStatementArgs(
        sid=sid,
        effect="Allow",
        actions=list(actions),
        principals=[
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(type=kind, identifiers=list(ids))
            for kind, ids in principals.items()
        ],
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(
                test=test, variable=variable, values=list(values)
            )
            for test, variable, values in conditions
        ]
        or None,
    )


def document(*statements: aws.iam.GetPolicyDocumentStatementArgs) -> str:
    """Render statements whose values are all known now."""
    return aws.iam.get_policy_document(statements=list(statements)).json


def document_output(*statements: aws.iam.GetPolicyDocumentStatementArgs) -> pulumi.Output[str]:
    """Render statements that name resources known only after they are created."""
    return aws.iam.get_policy_document_output(statements=list(statements)).json


def service_trust(service: str, account_id: str | None, source_arn: str | None = None) -> str:
    """Let one AWS service assume a role, only when acting for this account (confused deputy).

    ``account_id=None`` leaves the account condition out, for the few services that do not
    send ``aws:SourceAccount`` when they assume a role.
    """
    conditions: list[Condition] = []
    if account_id is not None:
        conditions.append(("StringEquals", "aws:SourceAccount", [account_id]))
    if source_arn is not None:
        conditions.append(("ArnLike", "aws:SourceArn", [source_arn]))
    return document(trust("TrustedService", {"Service": [service]}, conditions))


def deny_insecure_transport(
    resources: Sequence[pulumi.Input[str]], actions: Sequence[str]
) -> aws.iam.GetPolicyDocumentStatementArgs:
    """Deny any request made without TLS. A wildcard principal is safe on a Deny."""
    return statement(
        "DenyInsecureTransport",
        actions,
        resources,
        effect="Deny",
        principals={"*": ["*"]},
        conditions=[("Bool", "aws:SecureTransport", ["false"])],
    )
