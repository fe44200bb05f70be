"""Who may do what: MFA for every person, access by role, and short sessions.

- the account password policy (14+ characters, all classes, reuse 24, expiry);
- a `require-mfa` policy on every group: without MFA a user may only set up MFA;
- roles people assume (sessions of one hour, MFA required to assume):
  * `auditor`: exactly the read-only actions of the live audit (auditor_permissions.py), with
    reads of the data itself denied;
  * `break-glass`: emergency operations; every assumption raises an alarm (billing.alarms);
- groups that may assume them, and a least-privilege role for the application's tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

import auditor_permissions
import pulumi
import pulumi_aws as aws

from billing import COMPONENT_PREFIX
from billing.context import StackContext
from billing.policy import Condition, document, document_output, statement, trust
from billing.service_roles import SERVICE_SESSION_SECONDS, attach_policy
from billing.tagging import INTERNAL

# A person's session on a role ends after an hour of use (automatic logoff, 164.312(a)(2)(iii)).
HUMAN_SESSION_SECONDS = 3600
# MFA must have been entered within this many seconds of assuming a role.
MFA_MAX_AGE_SECONDS = 3600
# A managed policy may hold 6,144 characters; the auditor's actions are split to fit.
MANAGED_POLICY_BUDGET = 5500
# Actions a user without MFA may still take: enough to enrol a device, nothing else.
MFA_SETUP_ACTIONS = (
    "iam:ChangePassword",
    "iam:CreateVirtualMFADevice",
    "iam:EnableMFADevice",
    "iam:GetAccountPasswordPolicy",
    "iam:GetMFADevice",
    "iam:GetUser",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ResyncMFADevice",
    "sts:GetSessionToken",
)
# What the break-glass role adds to PowerUserAccess: IAM reads and the incident-response
# actions that contain a compromised identity, and passing the stack's own service roles.
BREAK_GLASS_IAM_ACTIONS = (
    "iam:DeleteAccessKey",
    "iam:DeleteLoginProfile",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:Get*",
    "iam:List*",
    "iam:PutUserPermissionsBoundary",
    "iam:RemoveUserFromGroup",
    "iam:UpdateAccessKey",
    "iam:UpdateLoginProfile",
)


@dataclass(frozen=True)
class AppAccess:
    """The data the application's tasks may reach, and the keys that open it."""

    documents_bucket_arn: str
    documents_key_arn: pulumi.Input[str]
    sessions_table_arn: str
    sessions_key_arn: pulumi.Input[str]
    # `rds-db:connect` resource of the application's database user (IAM authentication).
    db_connect_arn: pulumi.Input[str]


@dataclass(frozen=True)
class IdentityArgs:
    """Knobs of identity and access."""

    app: AppAccess
    # Principals (account roots, roles or users) whose people may assume the auditor role,
    # with MFA. Empty: this account's IAM users in the auditors group.
    auditor_principal_arns: tuple[str, ...] = ()
    # Roles of audit automation (a scheduled `safeguard audit`), which assume the auditor role
    # without MFA; they must present `auditor_external_id` when it is set.
    auditor_automation_principal_arns: tuple[str, ...] = ()
    auditor_external_id: str | None = None
    # Manage the account-wide password policy (off when an organisation manages it).
    manage_password_policy: bool = True
    # Days before a password must be changed (1-90).
    password_max_age_days: int = 90
    # Service the application runs on, which assumes the app role.
    app_service: str = "ecs-tasks.amazonaws.com"


def _mfa_conditions() -> list[Condition]:
    return [
        ("Bool", "aws:MultiFactorAuthPresent", ["true"]),
        ("NumericLessThan", "aws:MultiFactorAuthAge", [str(MFA_MAX_AGE_SECONDS)]),
    ]


def require_mfa_policy() -> str:
    """AWS's self-managed-MFA pattern: deny everything but MFA enrolment until MFA is used."""
    own_user = "arn:aws:iam::*:user/${aws:username}"
    return document(
        statement(
            "AllowViewAccountInfo",
            ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
        ),
        statement("AllowManageOwnPassword", ["iam:ChangePassword", "iam:GetUser"], [own_user]),
        statement(
            "AllowManageOwnVirtualMfaDevice",
            ["iam:CreateVirtualMFADevice"],
            ["arn:aws:iam::*:mfa/*"],
        ),
        statement(
            "AllowManageOwnUserMfa",
            [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
            ],
            [own_user],
        ),
        statement(
            "DenyAllExceptMfaSetupWithoutMfa",
            MFA_SETUP_ACTIONS,
            effect="Deny",
            not_actions=True,
            conditions=[("BoolIfExists", "aws:MultiFactorAuthPresent", ["false"])],
        ),
    )


def auditor_policy_chunks() -> list[list[str]]:
    """The auditor's actions, split so each managed policy stays under the size limit."""
    chunks: list[list[str]] = [[]]
    size = 0
    for action in auditor_permissions.all_actions():
        if size + len(action) + 3 > MANAGED_POLICY_BUDGET:
            chunks.append([])
            size = 0
        chunks[-1].append(action)
        size += len(action) + 3
    return chunks


class Identity(pulumi.ComponentResource):
    """Password policy, MFA enforcement, groups and the app, auditor and break-glass roles."""

    def __init__(
        self,
        name: str,
        ctx: StackContext,
        args: IdentityArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{COMPONENT_PREFIX}:Identity", name, None, opts)
        self._ctx, self._child = ctx, pulumi.ResourceOptions(parent=self)
        if args.manage_password_policy:
            aws.iam.AccountPasswordPolicy(
                "password-policy",
                minimum_password_length=14,
                require_lowercase_characters=True,
                require_uppercase_characters=True,
                require_numbers=True,
                require_symbols=True,
                allow_users_to_change_password=True,
                password_reuse_prevention=24,
                max_password_age=args.password_max_age_days,
                hard_expiry=False,
                opts=self._child,
            )
        self.require_mfa = self._policy(
            "require-mfa",
            "Denies every action but MFA enrolment to a user who has not signed in with MFA",
            require_mfa_policy(),
        )
        self.app_role = self._app_role(args)
        self.auditor_role = self._auditor_role(args)
        self.break_glass_role = self._break_glass_role()
        self.auditors = self._group("auditors", self.auditor_role)
        self.responders = self._group("incident-responders", self.break_glass_role)
        self.register_outputs(
            {
                "app_role_arn": self.app_role.arn,
                "auditor_role_arn": self.auditor_role.arn,
                "break_glass_role_arn": self.break_glass_role.arn,
            }
        )

    @property
    def break_glass_role_arn(self) -> str:
        """Known before deployment, for the alarm that watches for its use."""
        return self._ctx.account.role_arn(self._ctx.name("break-glass"), self._ctx.iam_path)

    def _policy(self, name: str, description: str, policy: pulumi.Input[str]) -> aws.iam.Policy:
        return aws.iam.Policy(
            f"{name}-policy",
            name=self._ctx.name(name),
            path=self._ctx.iam_path,
            description=description,
            policy=policy,
            tags=self._ctx.tags(INTERNAL),
            opts=self._child,
        )

    def _human_role(
        self, name: str, description: str, trust_policy: str, tag: dict[str, str]
    ) -> aws.iam.Role:
        return aws.iam.Role(
            f"{name}-role",
            name=self._ctx.name(name),
            path=self._ctx.iam_path,
            description=description,
            assume_role_policy=trust_policy,
            max_session_duration=HUMAN_SESSION_SECONDS,
            tags={**self._ctx.tags(INTERNAL), **tag},
            opts=self._child,
        )

    def _group(self, name: str, role: aws.iam.Role) -> aws.iam.Group:
        group = aws.iam.Group(
            f"{name}-group", name=self._ctx.name(name), path=self._ctx.iam_path, opts=self._child
        )
        assume = self._policy(
            f"assume-{name}",
            f"Lets members of {name} assume their role (MFA required by the role's trust)",
            document_output(statement("AssumeRole", ["sts:AssumeRole"], [role.arn])),
        )
        for policy_name, policy in (("require-mfa", self.require_mfa), ("assume", assume)):
            aws.iam.GroupPolicyAttachment(
                f"{name}-{policy_name}", group=group.name, policy_arn=policy.arn, opts=self._child
            )
        return group

    def _app_role(self, args: IdentityArgs) -> aws.iam.Role:
        ctx, app = self._ctx, args.app
        role = aws.iam.Role(
            "app-role",
            name=ctx.name("app"),
            path=ctx.iam_path,
            description="The billing application's tasks: its documents, sessions and database",
            assume_role_policy=document(
                trust(
                    "ApplicationTasks",
                    {"Service": [args.app_service]},
                    [
                        ("StringEquals", "aws:SourceAccount", [ctx.account.account_id]),
                        ("ArnLike", "aws:SourceArn", [ctx.account.arn("ecs", "*")]),
                    ],
                )
            ),
            max_session_duration=SERVICE_SESSION_SECONDS,
            tags=ctx.tags(INTERNAL),
            opts=self._child,
        )
        via = ctx.account.region
        policy = document_output(
            statement(
                "ReadWriteBillingDocuments",
                ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                [f"{app.documents_bucket_arn}/*"],
            ),
            statement("ListBillingDocuments", ["s3:ListBucket"], [app.documents_bucket_arn]),
            statement(
                "UseDocumentsKeyThroughS3",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [app.documents_key_arn],
                conditions=[("StringEquals", "kms:ViaService", [f"s3.{via}.amazonaws.com"])],
            ),
            statement(
                "ReadWriteSessions",
                [
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                ],
                [app.sessions_table_arn],
            ),
            statement(
                "UseSessionsKeyThroughDynamoDb",
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                [app.sessions_key_arn],
                conditions=[("StringEquals", "kms:ViaService", [f"dynamodb.{via}.amazonaws.com"])],
            ),
            statement("ConnectToDatabaseWithIamToken", ["rds-db:connect"], [app.db_connect_arn]),
        )
        attach_policy(self, ctx, "app", role, "Least privilege for the billing application", policy)
        return role

    def _auditor_role(self, args: IdentityArgs) -> aws.iam.Role:
        ctx = self._ctx
        people = list(args.auditor_principal_arns) or [ctx.account.root_arn]
        statements = [trust("AuditorsWithMfa", {"AWS": people}, _mfa_conditions())]
        if args.auditor_automation_principal_arns:
            external = (
                [("StringEquals", "sts:ExternalId", [args.auditor_external_id])]
                if args.auditor_external_id
                else []
            )
            statements.append(
                trust(
                    "AuditAutomation",
                    {"AWS": list(args.auditor_automation_principal_arns)},
                    external,
                )
            )
        role = self._human_role(
            "auditor",
            "Read-only configuration access for HIPAA audits; cannot read ePHI",
            document(*statements),
            {"access-level": "read-only-audit"},
        )
        policies = {
            f"auditor-read-{index}": (
                "The read-only actions of the live HIPAA audit",
                document(statement("AuditReadOnly", actions)),
            )
            for index, actions in enumerate(auditor_policy_chunks(), start=1)
        }
        policies["auditor-deny-data"] = (
            "Keeps the auditor role away from the data itself, whatever else is attached",
            document(
                statement("DenyDataAccess", auditor_permissions.DATA_ACCESS_DENIED, effect="Deny")
            ),
        )
        for policy_name, (description, text) in policies.items():
            policy = self._policy(policy_name, description, text)
            aws.iam.RolePolicyAttachment(
                policy_name, role=role.name, policy_arn=policy.arn, opts=self._child
            )
        return role

    def _break_glass_role(self) -> aws.iam.Role:
        ctx = self._ctx
        role = self._human_role(
            "break-glass",
            "Emergency access to the billing system; every use raises an alarm",
            document(
                trust(
                    "IncidentRespondersWithMfa", {"AWS": [ctx.account.root_arn]}, _mfa_conditions()
                )
            ),
            {"emergency-access": "break-glass"},
        )
        aws.iam.RolePolicyAttachment(
            "break-glass-power-user",
            role=role.name,
            policy_arn=ctx.account.aws_managed_policy("PowerUserAccess"),
            opts=self._child,
        )
        own_roles = ctx.account.role_arn("*", ctx.iam_path)
        attach_policy(
            self,
            ctx,
            "break-glass",
            role,
            "Incident response on identities, and passing the stack's own service roles",
            document(
                statement("InvestigateAndContainIdentities", BREAK_GLASS_IAM_ACTIONS),
                statement("PassStackServiceRoles", ["iam:PassRole"], [own_roles]),
            ),
        )
        return role
