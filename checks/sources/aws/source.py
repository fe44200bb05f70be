"""The live account as a source: `safeguard audit` asks it through the source registry."""

from __future__ import annotations

from collections.abc import Iterable

from checks.errors import InputError
from checks.model import withhold_ephi
from checks.sources.aws.collect import CollectionError, Collector, Context, Gap, run
from checks.sources.aws.session import Account, AwsOptions, accounts, home_region
from checks.sources.base import Collected


def _regions(account: Account, options: AwsOptions, home: str) -> list[str]:
    """The regions to read in one account, each once; the first is where global services are
    read. None at all is an error, never an audit of nothing that passes."""
    wanted = list(dict.fromkeys(options.regions or (home,)))
    if wanted != ["all"]:
        return [home, *[r for r in wanted if r != home]] if home in wanted else wanted
    ctx = Context(account, home, "ec2")
    try:
        answer = ctx.call(ctx.client(), "DescribeRegions")
    except CollectionError as exc:
        raise InputError(f"--regions all: the enabled regions cannot be listed: {exc}") from None
    enabled = [r["RegionName"] for r in answer.get("Regions") or () if r.get("RegionName")]
    if not enabled:
        raise InputError(
            f"--regions all: account {account.account_id} lists no enabled region, so there is "
            "nothing to audit (name the regions with --regions)"
        )
    return [home, *sorted(r for r in enabled if r != home)] if home in enabled else sorted(enabled)


def plan(
    collectors: Iterable[Collector], needed: Iterable[str] | None
) -> tuple[list[Collector], dict[str, str]]:
    """The collectors that produce a type the selected checks read (every one when `needed` is
    None), and the types of the others, as gaps: a check that reads one after all is
    NOT_EVALUATED, never judged on an inventory that merely lacks it."""
    collectors = list(collectors)
    if needed is None:
        return collectors, {}
    needed = frozenset(needed)
    planned = [c for c in collectors if needed & set(c.types)]
    why = "not read: no selected check (--checks, --skip-checks) needs it"
    read = {t for c in planned for t in c.types}
    skipped = {t: why for c in collectors if c not in planned for t in c.types if t not in read}
    return planned, skipped


def merged_gaps(gaps: Iterable[Gap]) -> dict[str, str]:
    """Each type that could not be (fully) collected, with every place and reason."""
    by_type: dict[str, list[str]] = {}
    for gap in sorted(gaps, key=lambda g: (g.account, g.region, g.reason)):
        for token in gap.types:
            by_type.setdefault(token, []).append(f"{gap.region} ({gap.account}): {gap.reason}")
    return {t: "; ".join(dict.fromkeys(why)) for t, why in sorted(by_type.items())}


class AwsSource:
    """Deployed resources, read through boto3 with configuration calls only (never data)."""

    kind = "aws"
    option = None
    help = "the live AWS account (or the emulator, with --endpoint-url)"

    def __init__(self, collectors: Iterable[Collector]) -> None:
        self.collectors = tuple(collectors)

    def collect(self, request) -> Collected:
        options: AwsOptions = request.extra.get("aws") or AwsOptions()
        home = home_region(options)
        where = "the endpoint " + options.endpoint_shown if options.endpoint else "AWS"
        request.progress(f"reading the account(s) from {where}…")
        found = accounts(options)
        regions = {a.account_id: _regions(a, options, home) for a in found}
        detail = request.extra.get("detail", request.progress)
        planned, skipped = plan(self.collectors, request.extra.get("types"))
        # The change-triggered audit reads only the changed resource where it can (`only`).
        harvest = run(found, regions, planned, detail, only=request.extra.get("only"))
        request.progress(
            f"{len(harvest.resources)} resources from {len(found)} account(s), "
            f"{len({r for rs in regions.values() for r in rs})} region(s), "
            f"{harvest.calls} API calls; {len(harvest.gaps)} could not be read"
        )
        resources = tuple(withhold_ephi(r) for r in harvest.resources)
        ids = sorted(regions)
        every_region = sorted({r for rs in regions.values() for r in rs})
        provenance = {
            "kind": self.kind,
            "project": "aws:" + ",".join(ids),
            "stack": ",".join(every_region),
            "accounts": ids,
            "regions": every_region,
            "endpoint": options.endpoint_shown,
            "api_calls": harvest.calls,
            "not_collected": [g.as_record() for g in sorted(
                harvest.gaps, key=lambda g: (g.account, g.region, g.types)
            )],
        }  # fmt: skip
        return Collected(
            kind=self.kind,
            resources=resources,
            project=provenance["project"],
            stack=provenance["stack"],
            provenance=provenance,
            graph={"api_calls": harvest.calls},
            home=None,  # no program folder: waivers and other policy files are named
            gaps={**skipped, **merged_gaps(harvest.gaps)},
        )
