"""Answers to data-source calls (invokes) for a program run under mocks.

The answers that programs build security-relevant values from are computed for real:
`aws.iam.get_policy_document` renders the policy JSON from its arguments exactly as the
provider does, so checks see the statements the program wrote. Identity and placement
(`get_caller_identity`, `get_partition`, `get_region`, `get_availability_zones`) answer for
the scan's account and region. Every other data source gets a plausible value for each
property its result class declares, in the form its documentation gives (a base64 token that
decodes, a map with its documented keys). The arguments a provider echoes back (the query: an
AMI's `owners`, `most_recent`) come back as the result's declared types, never as given: an
argument that cannot be its declared type (a string for a bool that is not "true"/"false", a
resource object) gets the plausible value instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from checks.sources.pulumi_conform import conform_object
from checks.sources.pulumi_schema import Context, invoke_result_class, synthesize_object


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _sorted_unique(values: Any) -> list[Any]:
    # The provider models actions, resources and identifiers as sets: sorted, no duplicates.
    return sorted({str(v) for v in values or []})


def _render_statement(stmt: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stmt.get("sid"):
        out["Sid"] = stmt["sid"]
    out["Effect"] = stmt.get("effect") or "Allow"
    for key, field in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if stmt.get(key):
            out[field] = _one_or_many(_sorted_unique(stmt[key]))
    for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        blocks = stmt.get(key) or []
        if not blocks:
            continue
        if any(b.get("type") == "*" for b in blocks):
            out[field] = "*"
            continue
        principal: dict[str, Any] = {}
        for block in blocks:
            ids = _sorted_unique(
                list(principal.get(block["type"], [])) + list(block.get("identifiers") or [])
            )
            principal[block["type"]] = ids
        out[field] = {k: _one_or_many(v) for k, v in sorted(principal.items())}
    conditions = stmt.get("conditions") or []
    if conditions:
        rendered: dict[str, dict[str, Any]] = {}
        for cond in conditions:
            values = [str(v) for v in cond.get("values") or []]
            rendered.setdefault(cond["test"], {})[cond["variable"]] = _one_or_many(values)
        out["Condition"] = rendered
    return out


def _merge_by_sid(base: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = list(base)
    for stmt in extra:
        sid = stmt.get("Sid")
        index = next((i for i, s in enumerate(merged) if sid and s.get("Sid") == sid), None)
        if index is None:
            merged.append(stmt)
        else:
            merged[index] = stmt
    return merged


def _statements_of(document: str) -> list[dict[str, Any]]:
    parsed = json.loads(document)
    stmts = parsed.get("Statement", [])
    return [stmts] if isinstance(stmts, dict) else list(stmts)


_POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"


def render_policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The result of aws:iam/getPolicyDocument for the given (engine-named) arguments."""
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements = _merge_by_sid(statements, _statements_of(source))
    statements = _merge_by_sid(
        statements, [_render_statement(s) for s in args.get("statements") or []]
    )
    for override in args.get("overridePolicyDocuments") or []:
        statements = _merge_by_sid(statements, _statements_of(override))
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    text = json.dumps(document, indent=2)
    return {
        **_echoed(_POLICY_DOCUMENT, args),
        "id": hashlib.sha256(text.encode()).hexdigest()[:16],
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
    }


def _caller_identity(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": ctx.account,
        "accountId": ctx.account,
        "arn": f"arn:{ctx.partition}:iam::{ctx.account}:user/safeguard-scan",
        "userId": "AIDASAFEGUARDSCAN0001",
    }


def _partition(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": ctx.partition,
        "partition": ctx.partition,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _region(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or ctx.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "description": f"AWS region {region}",
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


def _availability_zones(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    letters = "abc"
    short = "".join(part[0] for part in ctx.region.split("-")[:-1]) + ctx.region.split("-")[-1]
    return {
        **_echoed("aws:index/getAvailabilityZones:getAvailabilityZones", args),
        "id": ctx.region,
        "names": [f"{ctx.region}{x}" for x in letters],
        "zoneIds": [f"{short}-az{i}" for i in range(1, len(letters) + 1)],
        "groupNames": [ctx.region],
    }


def _ami(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    ami_id = f"ami-{ctx.digest[:17]}"
    return {**_synthesized("aws:ec2/getAmi:getAmi", args, ctx), "id": ami_id, "imageId": ami_id}


# The AWS accounts Elastic Load Balancing writes access logs from, per region (AWS's published
# list, the one the provider's `aws_elb_service_account` answers from): facts, not guesses.
ELB_SERVICE_ACCOUNTS: Mapping[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-south-1": "718504428378",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}
_ELB_SERVICE_ACCOUNT = "aws:elb/getServiceAccount:getServiceAccount"


def _elb_region(ctx: Context, args: Mapping[str, Any]) -> str:
    return str(args.get("region") or ctx.region)


def _elb_service_account(ctx: Context, args: Mapping[str, Any]) -> dict[str, Any]:
    region = _elb_region(ctx, args)
    account = ELB_SERVICE_ACCOUNTS.get(region)
    if account is None:  # a region the list does not know: the answer below is made up
        return _synthesized(_ELB_SERVICE_ACCOUNT, args, ctx)
    return {"id": account, "arn": f"arn:{ctx.partition}:iam::{account}:root", "region": region}


def is_real_answer(token: str, args: Mapping[str, Any], ctx: Context) -> bool:
    """Whether a data source's answer is a fact a check may decide on (see FRAME_INVOKES)."""
    if token == _ELB_SERVICE_ACCOUNT:
        return _elb_region(ctx, args) in ELB_SERVICE_ACCOUNTS
    return token in FRAME_INVOKES


_HANDLERS: dict[str, Callable[[Context, Mapping[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _ami,
    _ELB_SERVICE_ACCOUNT: _elb_service_account,
}


# Data sources whose answers a check may decide on: the scan's frame (its account, partition,
# region and zones) and what is rendered from the program's own arguments (a policy document).
# Every other answer is made up, and so is anything a program builds from it.
FRAME_INVOKES = frozenset(
    {
        _POLICY_DOCUMENT,
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
    }
)


def answer(token: str, args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The result of the data source `token` called with `args` (engine naming both ways)."""
    if token == _POLICY_DOCUMENT:
        return render_policy_document(args)
    handler = _HANDLERS.get(token)
    if handler is not None:
        return handler(ctx, args)
    return _synthesized(token, args, ctx)


def _echoed(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the result of `token` declares, each as its declared type."""
    result_cls = invoke_result_class(token)
    return conform_object(dict(args), result_cls) if result_cls is not None else {}


def _synthesized(token: str, args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """A plausible value for every property of the result, with the arguments it echoes."""
    result_cls = invoke_result_class(token)
    base = synthesize_object(result_cls, ctx) if result_cls is not None else {}
    return {**base, **_echoed(token, args)}
