"""`safeguard audit`: the live account (or the emulator) judged by the same checks as a scan."""

from __future__ import annotations

import argparse
import re

from checks.sources.catalog import build_sources
from checks.sources.registry import SourceRequest
from scripts.commands.org_options import add_org_options, list_accounts, with_org
from scripts.commands.pipeline import add_gate_and_output_options, assess_and_write, prepare


def _regions(value: str) -> tuple[str, ...]:
    regions = tuple(r.strip() for r in value.split(",") if r.strip())
    if not regions:
        raise argparse.ArgumentTypeError("name at least one region, or all")
    if "all" in regions and len(regions) > 1:
        raise argparse.ArgumentTypeError("all means every enabled region: give it alone")
    odd = [r for r in regions if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r)]
    if odd:
        raise argparse.ArgumentTypeError(f"{odd[0]!r} is not a region name (e.g. us-east-1)")
    return tuple(dict.fromkeys(regions))


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    audit = sub.add_parser(
        "audit",
        help="read the deployed AWS account (or the emulator) and judge it with the same checks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    add_aws_options(audit)
    audit.add_argument(
        "--list-accounts",
        action="store_true",
        help="with --org: print the accounts it would audit as a JSON list, and stop",
    )
    add_gate_and_output_options(audit, "json,md")
    audit.set_defaults(handler=run)


def add_aws_options(audit: argparse.ArgumentParser) -> None:
    """Where and how to read the account: the same for every command that reads it live."""
    audit.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="an AWS-compatible endpoint, e.g. the emulator (default: AWS_ENDPOINT_URL, else AWS)",
    )
    audit.add_argument(
        "--regions",
        type=_regions,
        metavar="R1,R2|all",
        help="regions to read (default: the profile's region; all: every enabled region)",
    )
    audit.add_argument(
        "--aws-profile", metavar="NAME", help="AWS CLI profile for the credentials (AWS_PROFILE)"
    )
    audit.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="audit the account of this role, assumed from the credentials (repeatable)",
    )
    audit.add_argument(
        "--external-id", metavar="ID", help="the external id the auditor role requires, if any"
    )
    add_org_options(audit)


def run(args: argparse.Namespace) -> int:
    if args.list_accounts:
        return list_accounts(args)
    prepared = prepare(args)
    request = aws_request(args, prepared[0])
    return assess_and_write(args, build_sources().get("aws"), request, prepared)


def aws_request(args: argparse.Namespace, progress) -> SourceRequest:
    """What to ask the live source, from the options `add_aws_options` added."""
    from checks.sources.aws.session import AwsOptions

    options = AwsOptions(
        endpoint_url=args.endpoint_url,
        regions=args.regions,
        profile=args.aws_profile,
        role_arns=tuple(args.role_arn),
        external_id=args.external_id,
    )
    options = with_org(args, options)
    return SourceRequest(progress=progress, extra={"aws": options, "detail": progress.detail})
