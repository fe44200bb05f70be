"""IAM enforced by the emulator, for the audit's least-privilege tests.

moto authorizes requests only once `settings.INITIAL_NO_AUTH_ACTION_COUNT` requests have been
served; it is read at import (the `INITIAL_NO_AUTH_ACTION_COUNT` variable, infinite by default)
and set on a running server through `POST /moto-api/reset-auth` (the count, which also zeroes
the requests served). `enforced(emulator, monkeypatch)` sets it to 0 for the block and back to
infinite after: from then on every request must be signed with the keys of a principal moto
knows (an IAM user's, or a role session's from `AssumeRole`) and be allowed by that principal's
policies (Allow, Deny, actions; moto reads neither `Resource` nor `Condition`).

The emulator runs in this process (`Emulator`, a `ThreadedMotoServer`), so the block also
corrects moto 5.2 where it is wrong about AWS, each correction named below, and records every
action moto authorized, whoever asked (a `safeguard audit` subprocess included).
"""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from moto.iam import access_control
from moto.s3 import responses as s3_responses

# Bucket GETs moto authorizes as `s3:ListBucket` (its ACTION_MAP lacks them, and spells the
# public access block's query `public_access_block`), by their query: the action AWS's Service
# Authorization Reference names for each.
_S3_BUCKET_GETS = {
    "encryption": "GetEncryptionConfiguration",
    "object-lock": "GetBucketObjectLockConfiguration",
    "ownershipControls": "GetBucketOwnershipControls",
    "publicAccessBlock": "GetBucketPublicAccessBlock",
    "replication": "GetReplicationConfiguration",
}
# Actions moto names after the signing name or the operation, as AWS names them.
_ACTION_NAMES = {
    # S3 Control's GetPublicAccessBlock (the bucket's is an S3IAMRequest, named above).
    "s3:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
}
# Signing names that are not the IAM service prefix (CloudWatch signs as `monitoring`).
_PREFIXES = {"monitoring": "cloudwatch"}


@dataclass
class Enforcement:
    """What moto decided while enforcing: each (principal, action, allowed) in order, and the
    actions it is told to refuse whatever the policies say (as an SCP would)."""

    decisions: list[tuple[str, str, bool]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def refuse(self, *patterns: str) -> None:
        """From now on, answer AccessDenied to any action matching one of `patterns`."""
        self.refused[:] = patterns

    def actions(self, allowed: bool | None = None) -> set[str]:
        return {a for _, a, ok in self.decisions if allowed is None or ok is allowed}


def _reset_auth(endpoint: str, count: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},  # a form body would be parsed away
    )
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback only
        pass


@contextlib.contextmanager
def enforced(emulator: Any, monkeypatch: Any) -> Iterator[Enforcement]:
    """IAM enforced by the in-process emulator for the block (see the module doc)."""
    if emulator._server is None:
        raise RuntimeError("enforcement is corrected and recorded only in this process's emulator")
    seen = Enforcement()
    for query, action in _S3_BUCKET_GETS.items():
        monkeypatch.setitem(s3_responses.ACTION_MAP["BUCKET"]["GET"], query, action)
    base = access_control.IAMRequestBase
    init, request, permitted = base.__init__, base._create_aws_request, base.check_action_permitted

    def named(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        prefix, _, name = self._action.partition(":")
        action = f"{_PREFIXES.get(prefix, prefix)}:{name}"
        if not isinstance(self, access_control.S3IAMRequest):  # S3's: named by its ACTION_MAP
            action = _ACTION_NAMES.get(action, action)
        # API Gateway (REST and v2) authorizes by HTTP verb; moto names its operation instead.
        if prefix == "apigateway" and name.startswith("Get"):
            action = "apigateway:GET"
        self._action = action

    def signed(self: Any) -> Any:
        # A GET carries no body, but moto hashes its parsed parameters in place of the empty
        # one (for REST-JSON, a dict of the headers), so no signed GET to Backup, GuardDuty,
        # Lambda or Security Hub would match. (A form POST's body reaches moto as those
        # parameters, which it hashes right.)
        made = request(self)
        if self._method == "GET" and not self._body:
            made.data = b""
        return made

    def checked(self: Any, resource: str) -> None:
        principal = self._access_key.arn
        try:
            if matches(self._action, seen.refused):
                self._raise_access_denied()
            permitted(self, resource)
        except Exception:
            seen.decisions.append((principal, self._action, False))
            raise
        seen.decisions.append((principal, self._action, True))

    monkeypatch.setattr(base, "__init__", named)
    monkeypatch.setattr(base, "_create_aws_request", signed)
    monkeypatch.setattr(base, "check_action_permitted", checked)
    _reset_auth(emulator.endpoint, "0")
    try:
        yield seen
    finally:
        _reset_auth(emulator.endpoint, "inf")


@dataclass(frozen=True)
class RoleSession:
    """Temporary credentials of an assumed role."""

    role_arn: str
    access_key_id: str
    secret_access_key: str
    session_token: str

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


def assume(sts: Any, role_arn: str) -> RoleSession:
    """A session of the role (taken before enforcement: moto would hold the caller to the
    role's trust policy, whose MFA condition no access key can meet)."""
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="least-privilege-audit")
    creds = creds["Credentials"]
    return RoleSession(
        role_arn, creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )


def policy_actions(iam: Any, role_name: str) -> tuple[set[str], set[str]]:
    """The actions the role's attached managed policies allow and deny, as deployed."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"]
        )
        for statement in version["PolicyVersion"]["Document"]["Statement"]:
            actions = statement["Action"]
            into = allowed if statement["Effect"] == "Allow" else denied
            into.update([actions] if isinstance(actions, str) else actions)
    return allowed, denied


def matches(action: str, patterns: Iterable[str]) -> bool:
    """True when IAM would match `action` to one of `patterns` (case-insensitive wildcards)."""
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)
