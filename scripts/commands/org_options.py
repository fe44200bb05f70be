"""`--org` and its companions, for every command that reads the account live (audit, drift,
nightly): the organisation's member accounts become the roles `--role-arn` would name."""

from __future__ import annotations

import argparse
import dataclasses
import json

from checks.errors import InputError


def _ids(text: str) -> frozenset[str]:
    from checks.sources.aws.organization import account_ids

    try:
        return account_ids(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_org_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--org",
        action="store_true",
        help="audit every ACTIVE account of the AWS Organization the credentials can list "
        "(organizations:ListAccounts): the credentials' own account directly, each other one "
        "through --org-role",
    )
    parser.add_argument(
        "--org-role",
        metavar="NAME",
        help="the role to assume in each member account (default: OrganizationAccountAccessRole;"
        " a read-only auditor role deployed by a StackSet is the least-privilege choice)",
    )
    parser.add_argument(
        "--org-include", type=_ids, metavar="ID,...", help="with --org: only these accounts"
    )
    parser.add_argument(
        "--org-exclude", type=_ids, metavar="ID,...", help="with --org: leave these accounts out"
    )


def with_org(args: argparse.Namespace, options):
    """`options` with the organisation's roles added when `--org` asks for them."""
    from checks.sources.aws.organization import DEFAULT_ORG_ROLE, discover

    if not getattr(args, "org", False):
        given = [f for f in ("org_role", "org_include", "org_exclude") if getattr(args, f, None)]
        if given:
            raise InputError(f"--{given[0].replace('_', '-')} needs --org")
        return options
    found = discover(
        options,
        role=args.org_role or DEFAULT_ORG_ROLE,
        include=args.org_include,
        exclude=args.org_exclude or frozenset(),
    )
    roles = (*options.role_arns, *found.role_arns)
    # Only the caller's account kept: read it as a plain audit would.
    return dataclasses.replace(
        options, role_arns=roles, with_caller=bool(roles) and bool(found.caller)
    )


def list_accounts(args: argparse.Namespace) -> int:
    """`safeguard audit --org --list-accounts`: the accounts `--org` would audit, as one JSON
    list (a CI matrix reads it with fromJSON)."""
    from checks.sources.aws.organization import DEFAULT_ORG_ROLE, discover
    from checks.sources.aws.session import AwsOptions

    options = AwsOptions(endpoint_url=args.endpoint_url, profile=args.aws_profile)
    if not args.org:
        raise InputError("--list-accounts needs --org")
    found = discover(
        options,
        role=args.org_role or DEFAULT_ORG_ROLE,
        include=args.org_include,
        exclude=args.org_exclude or frozenset(),
    )
    print(json.dumps(list(found.accounts)))
    return 0
