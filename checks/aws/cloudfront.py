"""CloudFront distributions: HTTPS to viewers, HTTPS with TLS 1.2 to custom origins, and a TLS
1.2+ viewer security policy (control CF-01; its AWS Config rules are outside the HIPAA pack).

A distribution has two legs: viewer to edge (cache behaviours, viewer certificate) and edge to
origin (each custom origin's protocol policy and SSL protocols). ePHI is protected only when
both legs are: every cache behaviour must hold, the default one and each ordered one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.props import blocks, flag, known_value

CHECKS: list[Check] = []

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HTTPS_VIEWER_POLICIES = frozenset({"https-only", "redirect-to-https"})
# Viewer security policies whose lowest protocol is TLS 1.2 with current ciphers: TLSv1.2_2021
# and every later one (TLSv1.2_2018 and _2019 still offer CBC-mode and SHA-1 suites).
MODERN_VIEWER_POLICIES = frozenset({"TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"})
RECOMMENDED_VIEWER_POLICY = "TLSv1.2_2021"
# The provider's default when a custom certificate names no minimum_protocol_version.
DEFAULT_VIEWER_POLICY = "TLSv1"


def _field(value: Any, what: str) -> Any:
    """One setting of a nested block, decided on its own: a distribution's blocks mix settings
    a program declares with outputs of other resources (an origin's `domain_name`, a
    behaviour's `cache_policy_id`), which must not hide the settings beside them."""
    if isinstance(value, (Mapping, list, tuple)):
        return value
    return known_value(value, what)


def _blocks(res: Resource, key: str) -> list[Mapping[str, Any]]:
    """The blocks of a block-list property, each kept as recorded (its settings are read with
    `_field`); Undecidable when the list, or one block of it, cannot be seen."""
    value = _field(res.raw(key), f"{key} of {res.name}")
    for item in value if isinstance(value, (list, tuple)) else [value]:
        _field(item, f"a block of {key} of {res.name}")
    return blocks(value)


def _behaviours(res: Resource) -> list[Mapping[str, Any]]:
    """The default cache behaviour (required) and every ordered one, each named by its path."""
    default = _blocks(res, "default_cache_behavior")
    if not default:
        raise Undecidable(f"{res.name} shows no default_cache_behavior")
    ordered = _blocks(res, "ordered_cache_behaviors")
    return [{**default[0], "path_pattern": "(default)"}, *ordered]


def _viewer_policy(behaviour: Mapping[str, Any], res: Resource) -> str:
    where = f"the viewer_protocol_policy of {res.name} ({behaviour.get('path_pattern')})"
    policy = _field(behaviour.get("viewer_protocol_policy"), where)
    if not isinstance(policy, str) or not policy:
        raise Undecidable(f"{where} is not set")
    return policy


def _plain_viewer_paths(res: Resource) -> list[str]:
    return [
        str(b.get("path_pattern"))
        for b in _behaviours(res)
        if _viewer_policy(b, res) not in HTTPS_VIEWER_POLICIES
    ]


@check(
    into=CHECKS,
    id="cloudfront_viewer_https",
    control="CF-01",
    title="CloudFront distribution serves viewers over HTTPS only (every cache behaviour)",
    severity=Severity.HIGH,
    config_rule="cloudfront-viewer-policy-https",
    resource_types=(DISTRIBUTION,),
    remediation=(
        "Set viewer_protocol_policy to 'redirect-to-https' (or 'https-only') on the default "
        "cache behaviour and on every ordered cache behaviour."
    ),
    pulumi_fix='aws.cloudfront.Distribution("cdn", ...,\n'
    '    default_cache_behavior={"target_origin_id": "api",\n'
    '        "viewer_protocol_policy": "redirect-to-https"},\n'
    '    ordered_cache_behaviors=[{"path_pattern": "/api/*",\n'
    '        "viewer_protocol_policy": "https-only"}])',
)
def cloudfront_viewer_https(res: Resource, inv: Inventory) -> Result:
    """No path of the distribution answers a viewer in plain text."""
    plain = _plain_viewer_paths(res)
    if plain:
        return failed(f"'allow-all' lets viewers use HTTP on: {', '.join(plain)}", allow_all=plain)
    return passed("every cache behaviour requires or redirects to HTTPS", allow_all=[])


def _custom_origins(res: Resource) -> list[tuple[str, Mapping[str, Any]]]:
    """(origin id, custom_origin_config) of each custom origin; S3 and VPC origins have none."""
    found = []
    for origin in _blocks(res, "origins"):
        name = str(origin.get("origin_id"))
        config = _field(origin.get("custom_origin_config"), f"an origin of {res.name} ({name})")
        found.extend((name, c) for c in blocks(config)[:1])
    return found


@check(
    into=CHECKS,
    id="cloudfront_origin_https",
    control="CF-01",
    title="CloudFront distribution reaches its custom origins over HTTPS",
    severity=Severity.HIGH,
    config_rule="cloudfront-traffic-to-origin-encrypted",
    resource_types=(DISTRIBUTION,),
    remediation=(
        "Set origin_protocol_policy 'https-only' on every custom origin ('match-viewer' is "
        "HTTPS only while no cache behaviour allows HTTP viewers)."
    ),
    pulumi_fix='aws.cloudfront.Distribution("cdn", ..., origins=[{"origin_id": "api",\n'
    '    "domain_name": alb.dns_name, "custom_origin_config": {"http_port": 80,\n'
    '    "https_port": 443, "origin_protocol_policy": "https-only",\n'
    '    "origin_ssl_protocols": ["TLSv1.2"]}}])',
)
def cloudfront_origin_https(res: Resource, inv: Inventory) -> Result:
    """ePHI is encrypted on the leg from the edge to the application too."""
    origins = _custom_origins(res)
    if not origins:
        return not_applicable("no custom origin: S3 and VPC origins are reached by AWS itself")
    viewers_plain = None
    plain = []
    for origin_id, config in origins:
        where = f"the origin_protocol_policy of {res.name} ({origin_id})"
        policy = _field(config.get("origin_protocol_policy"), where)
        if not isinstance(policy, str) or not policy:
            raise Undecidable(f"{where} is not set")
        if policy == "match-viewer" and viewers_plain is None:
            viewers_plain = bool(_plain_viewer_paths(res))
        if policy == "http-only" or (policy == "match-viewer" and viewers_plain):
            plain.append(f"{origin_id} ({policy})")
    if plain:
        return failed(f"plain HTTP to origins: {', '.join(plain)}", plain_origins=plain)
    return passed(f"all {len(origins)} custom origin(s) are reached over HTTPS", plain_origins=[])


@check(
    into=CHECKS,
    id="cloudfront_origin_tls12",
    control="CF-01",
    title="CloudFront distribution offers its custom origins TLS 1.2 only",
    severity=Severity.MEDIUM,
    config_rule="cloudfront-no-deprecated-ssl-protocols",
    resource_types=(DISTRIBUTION,),
    remediation="Set origin_ssl_protocols to ['TLSv1.2'] on every custom origin.",
    pulumi_fix='aws.cloudfront.Distribution("cdn", ..., origins=[{"origin_id": "api",\n'
    '    "custom_origin_config": {"origin_protocol_policy": "https-only",\n'
    '        "origin_ssl_protocols": ["TLSv1.2"]}}])',
)
def cloudfront_origin_tls12(res: Resource, inv: Inventory) -> Result:
    """No downgrade to SSLv3, TLS 1.0 or 1.1 between the edge and the application. (AWS Config's
    rule flags SSLv3 alone; this check asks for TLS 1.2 only, as the ALB checks do.)"""
    origins = _custom_origins(res)
    if not origins:
        return not_applicable("no custom origin: nothing negotiates TLS with an origin")
    weak: dict[str, list[str]] = {}
    for origin_id, config in origins:
        where = f"the origin_ssl_protocols of {res.name} ({origin_id})"
        protocols = known_value(config.get("origin_ssl_protocols"), where)
        if not isinstance(protocols, (list, tuple)) or not protocols:
            raise Undecidable(f"{where} are not set")
        older = sorted(str(p) for p in protocols if p != "TLSv1.2")
        if older:
            weak[origin_id] = older
    if weak:
        shown = "; ".join(f"{o}: {', '.join(p)}" for o, p in weak.items())
        return failed(f"origins accept protocols below TLS 1.2 ({shown})", weak_origins=weak)
    return passed(f"all {len(origins)} custom origin(s) offer TLSv1.2 only", weak_origins={})


@check(
    into=CHECKS,
    id="cloudfront_viewer_tls12",
    control="CF-01",
    title="CloudFront distribution's viewer security policy is TLSv1.2_2021 or later",
    severity=Severity.MEDIUM,
    config_rule="cloudfront-security-policy-check",
    resource_types=(DISTRIBUTION,),
    remediation=(
        "Serve a custom ACM certificate (us-east-1) for the distribution's aliases with "
        f"ssl_support_method 'sni-only' and minimum_protocol_version '{RECOMMENDED_VIEWER_POLICY}'"
        ": the default *.cloudfront.net certificate always accepts TLS 1.0."
    ),
    pulumi_fix='aws.cloudfront.Distribution("cdn", ..., aliases=["app.example.com"],\n'
    '    viewer_certificate={"acm_certificate_arn": cert.arn, "ssl_support_method": "sni-only",\n'
    f'        "minimum_protocol_version": "{RECOMMENDED_VIEWER_POLICY}"}})',
)
def cloudfront_viewer_tls12(res: Resource, inv: Inventory) -> Result:
    """Viewers cannot negotiate TLS 1.0 or 1.1 with the edge.

    The default certificate (`cloudfront_default_certificate`) fails: AWS fixes its security
    policy at TLSv1 and no setting raises it, so a distribution on it accepts TLS 1.0 whatever
    its viewer protocol policy says. (AWS Config's rule accepts TLSv1.2_2018 and later; this
    check asks for TLSv1.2_2021 and later, whose ciphers are all current.)"""
    certificate = _blocks(res, "viewer_certificate")
    if not certificate:
        raise Undecidable(f"{res.name} shows no viewer_certificate")
    cert = certificate[0]
    what = f"the viewer_certificate of {res.name}"
    if flag(_field(cert.get("cloudfront_default_certificate"), what)):
        return failed(
            "the default *.cloudfront.net certificate accepts TLS 1.0 (AWS fixes it at TLSv1)",
            certificate="cloudfront_default_certificate",
            minimum_protocol_version=DEFAULT_VIEWER_POLICY,
        )
    # Naming a certificate is a decision on presence: an ARN computed at deployment still names.
    if not any(cert.get(k) is not None for k in ("acm_certificate_arn", "iam_certificate_id")):
        raise Undecidable(f"{what} names neither the default nor a custom certificate")
    # The provider's default when the block names none: TLSv1.
    version = _field(cert.get("minimum_protocol_version"), what) or DEFAULT_VIEWER_POLICY
    evidence = {"certificate": "custom", "minimum_protocol_version": version}
    if version in MODERN_VIEWER_POLICIES:
        return passed(f"viewer security policy {version}", **evidence)
    return failed(f"viewer security policy {version} is older than TLSv1.2_2021", **evidence)
