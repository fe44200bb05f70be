"""CloudTrail management events, as EventBridge delivers them, read as the resources they changed.

EventBridge hands a CloudTrail record over as the `detail` of an "AWS API Call via CloudTrail"
event. Which resource a call changed, and under which Pulumi type the live collectors produce
it, is knowledge of this source: each audited call has one reader here (a registry keyed by
event source and name), and a call no reader knows is `NotAudited`, never an error.

Only identifiers are taken from the record: never its request values, which may carry what a
report must not show (CloudTrail hides passwords, but not every secret a request may hold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.sources.aws.services.iam_credentials import SUMMARY_NAME
from checks.support.resource_types import (
    ACCOUNT_SUMMARY,
    BUCKET,
    CREDENTIAL_REPORT_ROW,
    GROUP_POLICY_ATTACHMENT,
    RDS_INSTANCE,
    ROLE,
    ROLE_POLICY_ATTACHMENT,
    ROOT_ACCOUNT,
    TRAIL,
    USER_POLICY_ATTACHMENT,
)

DETAIL_TYPE = "AWS API Call via CloudTrail"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
KMS_KEY = "aws:kms/key:Key"
USER = "aws:iam/user:User"
GROUP = "aws:iam/group:Group"


@dataclass(frozen=True)
class Target:
    """A resource a call changed: the types the collectors may produce it as, and the
    identifiers (id, ARN or name) it is recognised by."""

    types: tuple[str, ...]
    ids: tuple[str, ...]
    gone: bool = False  # the call deleted it: what is judged is the account without it

    def matches(self, type_: str, *names: str | None) -> bool:
        return type_ in self.types and any(n in self.ids for n in names if n)


@dataclass(frozen=True)
class Actor:
    """Who made the call, from the record's `userIdentity` (never its access key id)."""

    type: str
    arn: str | None = None
    principal_id: str | None = None
    account_id: str | None = None
    user_name: str | None = None
    issuer_arn: str | None = None  # an assumed role's session issuer: the role itself
    invoked_by: str | None = None  # the AWS service that called on the principal's behalf
    mfa_authenticated: bool | None = None

    @property
    def label(self) -> str:
        """One line naming the actor, as an alert shows it."""
        who = self.arn or self.principal_id or self.user_name or "an unnamed principal"
        parts = [f"{self.type} {who}"]
        if self.issuer_arn and self.issuer_arn != self.arn:
            parts.append(f"via {self.issuer_arn}")
        if self.invoked_by:
            parts.append(f"invoked by {self.invoked_by}")
        if self.mfa_authenticated is not None:
            parts.append("with MFA" if self.mfa_authenticated else "without MFA")
        return ", ".join(parts)

    def as_record(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "arn": self.arn,
            "principal_id": self.principal_id,
            "account_id": self.account_id,
            "user_name": self.user_name,
            "session_issuer_arn": self.issuer_arn,
            "invoked_by": self.invoked_by,
            "mfa_authenticated": self.mfa_authenticated,
        }


@dataclass(frozen=True)
class Change:
    """An audited call: what it changed, who made it, when and where."""

    event_source: str
    event_name: str
    event_id: str | None
    event_time: str | None
    region: str
    account: str | None
    actor: Actor
    targets: tuple[Target, ...]

    @property
    def types(self) -> frozenset[str]:
        return frozenset(t for target in self.targets for t in target.types)


@dataclass(frozen=True)
class NotAudited:
    """An event the handler does not judge, and why."""

    event_source: str | None
    event_name: str | None
    reason: str


Params = Mapping[str, Any]
Reader = Callable[[Params, Params, str], tuple[Target, ...]]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ids(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in map(_text, values) if v))


def _group(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    # A group in a default VPC may be named instead of given by id.
    ids = _ids(request.get("groupId"), request.get("groupName"))
    return (Target((SECURITY_GROUP, DEFAULT_SECURITY_GROUP), ids),) if ids else ()


def _bucket(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    name = _text(request.get("bucketName"))
    return (Target((BUCKET,), (name, f"arn:aws:s3:::{name}")),) if name else ()


def _trail(gone: bool) -> Reader:
    def read(request: Params, response: Params, region: str) -> tuple[Target, ...]:
        # `name` is the trail's name or its ARN; UpdateTrail answers with the ARN as well.
        name = _text(request.get("name"))
        ids = _ids(name, response.get("trailARN"), (name or "").rpartition("trail/")[2])
        return (Target((TRAIL,), ids, gone),) if ids else ()

    return read


def _database(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    ids = _ids(request.get("dBInstanceIdentifier"), response.get("dBInstanceArn"),
               response.get("dBInstanceIdentifier"))  # fmt: skip
    return (Target((RDS_INSTANCE,), ids),) if ids else ()


def _key(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    # `keyId` is a key id or a key ARN; the collector knows the key by both.
    key = _text(request.get("keyId"))
    return (Target((KMS_KEY,), _ids(key, (key or "").rpartition("key/")[2])),) if key else ()


def _mfa_device(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    # What a removed MFA device changes is the user's credential-report row (mfa_active).
    user = _text(request.get("userName"))
    return (Target((CREDENTIAL_REPORT_ROW,), (user,)),) if user else ()


def _own_mfa_device(identity: Any) -> tuple[Target, ...]:
    """DeactivateMFADevice with no `userName`: IAM took the user from the signing credentials,
    so the device was the caller's own. The root user's is the account's: its summary
    (`iam_root_mfa_enabled`) and the root row of the credential report."""
    identity = identity if isinstance(identity, Mapping) else {}
    if _text(identity.get("type")) == "Root":
        return (
            Target((ACCOUNT_SUMMARY,), (SUMMARY_NAME,)),
            Target((CREDENTIAL_REPORT_ROW,), (ROOT_ACCOUNT,)),
        )
    user = _text(identity.get("userName")) if _text(identity.get("type")) == "IAMUser" else None
    return (Target((CREDENTIAL_REPORT_ROW,), (user,)),) if user else ()


def _attachment(kind: str, attachment: str, principal: str) -> Reader:
    def read(request: Params, response: Params, region: str) -> tuple[Target, ...]:
        owner, policy = _text(request.get(f"{kind}Name")), _text(request.get("policyArn"))
        if not owner or not policy:
            return ()
        return (Target((attachment,), (f"{owner}/{policy}",)), Target((principal,), (owner,)))

    return read


def _new_user(request: Params, response: Params, region: str) -> tuple[Target, ...]:
    user = (response or {}).get("user") or {}
    ids = _ids(request.get("userName"), user.get("arn") if isinstance(user, Mapping) else None)
    return (Target((USER,), ids),) if ids else ()


# The audited calls: (event source, event name) → what the call changed.
READERS: Mapping[tuple[str, str], Reader] = {
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"): _group,
    ("ec2.amazonaws.com", "RevokeSecurityGroupIngress"): _group,
    ("s3.amazonaws.com", "DeleteBucketEncryption"): _bucket,
    ("s3.amazonaws.com", "PutBucketEncryption"): _bucket,
    ("s3.amazonaws.com", "PutBucketPolicy"): _bucket,
    ("s3.amazonaws.com", "DeleteBucketPolicy"): _bucket,
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock"): _bucket,
    ("s3.amazonaws.com", "DeleteBucketPublicAccessBlock"): _bucket,
    ("cloudtrail.amazonaws.com", "StopLogging"): _trail(gone=False),
    ("cloudtrail.amazonaws.com", "UpdateTrail"): _trail(gone=False),
    ("cloudtrail.amazonaws.com", "DeleteTrail"): _trail(gone=True),
    ("rds.amazonaws.com", "ModifyDBInstance"): _database,
    ("kms.amazonaws.com", "DisableKeyRotation"): _key,
    ("kms.amazonaws.com", "PutKeyPolicy"): _key,
    ("iam.amazonaws.com", "DeactivateMFADevice"): _mfa_device,
    ("iam.amazonaws.com", "AttachUserPolicy"): _attachment("user", USER_POLICY_ATTACHMENT, USER),
    ("iam.amazonaws.com", "AttachRolePolicy"): _attachment("role", ROLE_POLICY_ATTACHMENT, ROLE),
    ("iam.amazonaws.com", "AttachGroupPolicy"): _attachment(
        "group", GROUP_POLICY_ATTACHMENT, GROUP
    ),
    ("iam.amazonaws.com", "CreateUser"): _new_user,
}


def audited_sources() -> list[str]:
    """The event sources of the audited calls (what an EventBridge rule matches on)."""
    return sorted({source for source, _ in READERS})


def audited_names() -> list[str]:
    return sorted({name for _, name in READERS})


def read_actor(identity: Any) -> Actor:
    identity = identity if isinstance(identity, Mapping) else {}
    context = identity.get("sessionContext")
    context = context if isinstance(context, Mapping) else {}
    issuer = context.get("sessionIssuer")
    issuer = issuer if isinstance(issuer, Mapping) else {}
    attributes = context.get("attributes")
    mfa = attributes.get("mfaAuthenticated") if isinstance(attributes, Mapping) else None
    return Actor(
        type=_text(identity.get("type")) or "Unknown",
        arn=_text(identity.get("arn")),
        principal_id=_text(identity.get("principalId")),
        account_id=_text(identity.get("accountId")),
        user_name=_text(identity.get("userName")),
        issuer_arn=_text(issuer.get("arn")),
        invoked_by=_text(identity.get("invokedBy")),
        mfa_authenticated={"true": True, "false": False}.get(str(mfa).lower()),
    )


def read_event(event: Any) -> Change | NotAudited:
    """What an EventBridge event says was changed, or why it is not audited."""
    detail = event.get("detail") if isinstance(event, Mapping) else None
    if not isinstance(detail, Mapping):
        return NotAudited(None, None, "not a CloudTrail event: it has no detail")
    source, name = _text(detail.get("eventSource")), _text(detail.get("eventName"))
    if event.get("detail-type") not in (None, DETAIL_TYPE):
        return NotAudited(source, name, f"not an API call: detail-type {event['detail-type']!r}")
    if detail.get("errorCode"):
        return NotAudited(source, name, f"the call failed ({detail['errorCode']}): nothing changed")
    reader = READERS.get((source or "", name or ""))
    if reader is None:
        return NotAudited(source, name, f"{source} {name} is not an audited call")
    request, response = detail.get("requestParameters"), detail.get("responseElements")
    region = _text(detail.get("awsRegion")) or _text(event.get("region")) or "us-east-1"
    targets = reader(
        request if isinstance(request, Mapping) else {},
        response if isinstance(response, Mapping) else {},
        region,
    )
    if not targets and (source, name) == ("iam.amazonaws.com", "DeactivateMFADevice"):
        targets = _own_mfa_device(detail.get("userIdentity"))
    if not targets:
        return NotAudited(source, name, "the record does not name the resource it changed")
    return Change(
        event_source=source or "",
        event_name=name or "",
        event_id=_text(detail.get("eventID")),
        event_time=_text(detail.get("eventTime")) or _text(event.get("time")),
        region=region,
        account=_text(detail.get("recipientAccountId")) or _text(event.get("account")),
        actor=read_actor(detail.get("userIdentity")),
        targets=targets,
    )
