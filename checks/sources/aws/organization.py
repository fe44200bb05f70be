"""`--org`: the member accounts of an AWS Organization, turned into the roles the audit assumes.

The caller's credentials list the organisation's accounts (`organizations:ListAccounts`, allowed
in the management account or a delegated administrator), keep the ACTIVE ones the include and
exclude lists leave, and name in each the role to assume. The caller's own account is read with
its own credentials (no role into itself). Least privilege: the role should be a read-only
auditor role deployed to every member by a StackSet (stacks/auditor_permissions.py lists the
actions), not the all-powerful `OrganizationAccountAccessRole` that is only the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from checks.errors import InputError
from checks.sources.aws.session import MODELS, AwsOptions, _config, _reason

DEFAULT_ORG_ROLE = "OrganizationAccountAccessRole"
_DENIED = {"AccessDeniedException", "AccessDenied", "AccessDeniedForDependencyException"}


@dataclass(frozen=True)
class OrgAccounts:
    """What `--org` found: the caller's own account, and a role into every other one kept."""

    caller: str | None  # None when --org-exclude leaves the caller's account out
    members: tuple[str, ...]
    role_arns: tuple[str, ...]

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({*self.members, *([self.caller] if self.caller else [])}))


def account_ids(text: str) -> frozenset[str]:
    """`--org-include` / `--org-exclude`: comma-separated twelve-digit account ids."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    odd = [i for i in ids if not (len(i) == 12 and i.isdigit())]
    if odd or not ids:
        raise ValueError(f"{(odd or [text])[0]!r} is not a twelve-digit AWS account id")
    return frozenset(ids)


def _active_accounts(client: Any) -> list[str]:
    found = []
    for page in client.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts", []):
            # `State` replaces the deprecated `Status`; either may be the one an API returns.
            if (account.get("State") or account.get("Status")) == "ACTIVE":
                found.append(str(account["Id"]))
    return found


def discover(
    options: AwsOptions,
    role: str = DEFAULT_ORG_ROLE,
    include: frozenset[str] | None = None,
    exclude: frozenset[str] = frozenset(),
) -> OrgAccounts:
    """The organisation's ACTIVE accounts that `include` (all when None) and `exclude` leave."""
    endpoint = options.endpoint
    try:
        session = MODELS.session(profile_name=options.profile)
        region = session.region_name or "us-east-1"
        orgs = session.client(
            "organizations",
            region_name=region,
            endpoint_url=endpoint,
            config=_config("organizations", endpoint),
        )
        sts = session.client(
            "sts", region_name=region, endpoint_url=endpoint, config=_config("sts", endpoint)
        )
        identity = sts.get_caller_identity()
        caller, partition = str(identity["Account"]), str(identity["Arn"]).split(":")[1]
        listed = _active_accounts(orgs)
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _DENIED:
            raise InputError(
                f"--org: organizations:ListAccounts was denied ({_reason(exc)}): run from the "
                "management account or a delegated administrator, with that action allowed"
            ) from None
        if code == "AWSOrganizationsNotInUseException":
            raise InputError("--org: the credentials' account is in no AWS Organization") from None
        raise InputError(
            f"--org: the organisation's accounts cannot be listed: {_reason(exc)}"
        ) from None
    except (botocore.exceptions.BotoCoreError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"--org: the organisation's accounts cannot be listed: {_reason(exc)}"
        ) from None
    if not listed:
        raise InputError("--org: the credentials' organisation lists no ACTIVE account")
    kept = [a for a in listed if (include is None or a in include) and a not in exclude]
    if unknown := sorted((include or frozenset()) - set(listed)):
        raise InputError(f"--org-include {unknown[0]}: not an ACTIVE account of the organisation")
    if not kept:
        raise InputError("--org: no ACTIVE account is left after --org-include/--org-exclude")
    members = tuple(sorted(a for a in kept if a != caller))
    return OrgAccounts(
        caller=caller if caller in kept else None,
        members=members,
        role_arns=tuple(f"arn:{partition}:iam::{a}:role/{role}" for a in members),
    )
