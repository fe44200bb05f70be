"""CloudFront checks on hand-built distributions: HTTPS to viewers on every cache behaviour,
HTTPS and TLS 1.2 only to custom origins, and the viewer security policy."""

from __future__ import annotations

import pytest

from checks.aws.cloudfront import (
    cloudfront_origin_https,
    cloudfront_origin_tls12,
    cloudfront_viewer_https,
    cloudfront_viewer_tls12,
)
from checks.model import SECRET, UNKNOWN, Inventory, MadeUp, Resource, Undecidable
from checks.registry import Status

CERT = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
S3_ORIGIN = {"origin_id": "static", "domain_name": "static.s3.us-east-1.amazonaws.com",
             "s3_origin_config": {"origin_access_identity": "oai"}}  # fmt: skip


def custom(origin_id="api", policy="https-only", protocols=("TLSv1.2",), **extra) -> dict:
    listed = protocols if protocols is UNKNOWN else list(protocols)
    config = {"http_port": 80, "https_port": 443, "origin_protocol_policy": policy,
              "origin_ssl_protocols": listed}  # fmt: skip
    return {"origin_id": origin_id, "domain_name": "alb.example.com",
            "custom_origin_config": config, **extra}  # fmt: skip


def behaviour(policy="redirect-to-https", path=None) -> dict:
    found = {"target_origin_id": "api", "viewer_protocol_policy": policy,
             "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"]}  # fmt: skip
    return {**found, "path_pattern": path} if path else found


def distribution(**props) -> Resource:
    base = {
        "enabled": True,
        "origins": [custom()],
        "default_cache_behavior": behaviour(),
        "viewer_certificate": {"acm_certificate_arn": CERT, "ssl_support_method": "sni-only",
                               "minimum_protocol_version": "TLSv1.2_2021"},
    }  # fmt: skip
    return Resource("aws:cloudfront/distribution:Distribution", "cdn", {**base, **props})


def run(fn, res: Resource):
    return fn(res, Inventory([res]))


# -- cloudfront_viewer_https ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["https-only", "redirect-to-https"])
def test_https_viewer_policies_on_every_behaviour_pass(policy):
    res = distribution(default_cache_behavior=behaviour(policy),
                       ordered_cache_behaviors=[behaviour(policy, "/api/*")])  # fmt: skip
    result = run(cloudfront_viewer_https, res)
    assert (result.status, result.evidence) == (Status.PASS, {"allow_all": []})


def test_allow_all_on_the_default_behaviour_fails():
    result = run(
        cloudfront_viewer_https, distribution(default_cache_behavior=behaviour("allow-all"))
    )
    assert (result.status, result.evidence) == (Status.FAIL, {"allow_all": ["(default)"]})


def test_one_ordered_behaviour_allowing_http_fails_though_the_default_holds():
    ordered = [behaviour("https-only", "/api/*"), behaviour("allow-all", "/legacy/*")]
    result = run(cloudfront_viewer_https, distribution(ordered_cache_behaviors=ordered))
    assert (result.status, result.evidence) == (Status.FAIL, {"allow_all": ["/legacy/*"]})


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET, MadeUp("https-only")])
def test_a_hidden_viewer_policy_is_not_evaluated(hidden):
    res = distribution(ordered_cache_behaviors=[behaviour(hidden, "/api/*")])
    with pytest.raises(Undecidable, match=r"viewer_protocol_policy of cdn \(/api/\*\)"):
        run(cloudfront_viewer_https, res)


def test_a_computed_cache_policy_beside_the_viewer_policy_does_not_hide_it():
    res = distribution(
        default_cache_behavior={**behaviour("allow-all"), "cache_policy_id": UNKNOWN}
    )
    result = run(cloudfront_viewer_https, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"allow_all": ["(default)"]})


# -- cloudfront_origin_https ---------------------------------------------------------------------


def test_https_only_custom_origins_pass():
    res = distribution(origins=[custom("a"), custom("b"), S3_ORIGIN])
    result = run(cloudfront_origin_https, res)
    assert (result.status, result.evidence) == (Status.PASS, {"plain_origins": []})


def test_an_http_only_origin_fails_naming_only_it():
    res = distribution(origins=[custom("a"), custom("b", "http-only")])
    result = run(cloudfront_origin_https, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"plain_origins": ["b (http-only)"]})


def test_match_viewer_passes_while_viewers_use_https_only():
    result = run(cloudfront_origin_https, distribution(origins=[custom("a", "match-viewer")]))
    assert (result.status, result.evidence) == (Status.PASS, {"plain_origins": []})


def test_match_viewer_fails_when_a_behaviour_allows_http_viewers():
    res = distribution(origins=[custom("a", "match-viewer")],
                       ordered_cache_behaviors=[behaviour("allow-all", "/x/*")])  # fmt: skip
    result = run(cloudfront_origin_https, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"plain_origins": ["a (match-viewer)"]},
    )


def test_only_s3_origins_is_not_applicable():
    result = run(cloudfront_origin_https, distribution(origins=[S3_ORIGIN]))
    assert result.status is Status.NOT_APPLICABLE


def test_a_computed_origin_domain_does_not_hide_its_protocol_policy():
    res = distribution(origins=[{**custom("a", "http-only"), "domain_name": UNKNOWN}])
    result = run(cloudfront_origin_https, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"plain_origins": ["a (http-only)"]})


@pytest.mark.parametrize("hidden", [UNKNOWN, MadeUp("https-only")])
def test_a_hidden_origin_protocol_policy_is_not_evaluated(hidden):
    with pytest.raises(Undecidable, match=r"origin_protocol_policy of cdn \(a\)"):
        run(cloudfront_origin_https, distribution(origins=[custom("a", hidden)]))


def test_hidden_origins_are_not_evaluated():
    with pytest.raises(Undecidable, match="origins of cdn is not known yet"):
        run(cloudfront_origin_https, distribution(origins=UNKNOWN))


# -- cloudfront_origin_tls12 ---------------------------------------------------------------------


def test_tls12_only_origins_pass():
    result = run(cloudfront_origin_tls12, distribution(origins=[custom("a"), custom("b")]))
    assert (result.status, result.evidence) == (Status.PASS, {"weak_origins": {}})


@pytest.mark.parametrize(
    ("protocols", "weak"),
    [(("TLSv1.1", "TLSv1.2"), ["TLSv1.1"]), (("SSLv3", "TLSv1", "TLSv1.2"), ["SSLv3", "TLSv1"])],
)
def test_an_origin_offering_older_protocols_fails(protocols, weak):
    res = distribution(origins=[custom("a"), custom("b", protocols=protocols)])
    result = run(cloudfront_origin_tls12, res)
    assert (result.status, result.evidence) == (Status.FAIL, {"weak_origins": {"b": weak}})


def test_unknown_origin_protocols_are_not_evaluated():
    with pytest.raises(Undecidable, match=r"origin_ssl_protocols of cdn \(a\)"):
        run(cloudfront_origin_tls12, distribution(origins=[custom("a", protocols=UNKNOWN)]))


def test_origin_tls_without_custom_origins_is_not_applicable():
    assert run(cloudfront_origin_tls12, distribution(origins=[S3_ORIGIN])).status is (
        Status.NOT_APPLICABLE
    )


# -- cloudfront_viewer_tls12 ---------------------------------------------------------------------


@pytest.mark.parametrize("version", ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"])
def test_a_custom_certificate_with_a_modern_policy_passes(version):
    cert = {"acm_certificate_arn": CERT, "ssl_support_method": "sni-only",
            "minimum_protocol_version": version}  # fmt: skip
    result = run(cloudfront_viewer_tls12, distribution(viewer_certificate=cert))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"certificate": "custom", "minimum_protocol_version": version},
    )


@pytest.mark.parametrize("version", ["TLSv1.2_2019", "TLSv1.2_2018", "TLSv1.1_2016", "TLSv1"])
def test_a_policy_older_than_tls12_2021_fails(version):
    cert = {"iam_certificate_id": "ASCA1", "ssl_support_method": "sni-only",
            "minimum_protocol_version": version}  # fmt: skip
    result = run(cloudfront_viewer_tls12, distribution(viewer_certificate=cert))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"certificate": "custom", "minimum_protocol_version": version},
    )


def test_an_unset_minimum_protocol_is_the_providers_tlsv1_and_fails():
    cert = {"acm_certificate_arn": CERT, "ssl_support_method": "sni-only"}
    result = run(cloudfront_viewer_tls12, distribution(viewer_certificate=cert))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"certificate": "custom", "minimum_protocol_version": "TLSv1"},
    )


def test_the_default_cloudfront_certificate_fails():
    res = distribution(viewer_certificate={"cloudfront_default_certificate": True})
    result = run(cloudfront_viewer_tls12, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"certificate": "cloudfront_default_certificate", "minimum_protocol_version": "TLSv1"},
    )


def test_a_computed_certificate_arn_still_names_a_custom_certificate():
    cert = {"acm_certificate_arn": UNKNOWN, "minimum_protocol_version": "TLSv1.2_2021"}
    result = run(cloudfront_viewer_tls12, distribution(viewer_certificate=cert))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"certificate": "custom", "minimum_protocol_version": "TLSv1.2_2021"},
    )


@pytest.mark.parametrize(
    "cert",
    [
        {"acm_certificate_arn": CERT, "minimum_protocol_version": UNKNOWN},
        {"cloudfront_default_certificate": UNKNOWN},
        {"ssl_support_method": "sni-only"},
    ],
)
def test_a_viewer_certificate_that_cannot_be_told_is_not_evaluated(cert):
    with pytest.raises(Undecidable, match="viewer_certificate of cdn"):
        run(cloudfront_viewer_tls12, distribution(viewer_certificate=cert))


# -- reasons and edges pinned by mutation testing (issue 15) -------------------------------------


def test_a_distribution_without_a_default_behaviour_is_not_evaluated():
    # cloudfront x__behaviours__mutmut_9
    res = distribution(default_cache_behavior=None)
    with pytest.raises(Undecidable) as raised:
        run(cloudfront_viewer_https, res)
    assert str(raised.value) == "cdn shows no default_cache_behavior"


def test_an_origin_computed_at_deployment_in_the_list_is_not_evaluated():
    # cloudfront x__blocks__mutmut_7, _9, _10: each block of the list is decided, with its label
    res = distribution(origins=[S3_ORIGIN, UNKNOWN])
    with pytest.raises(Undecidable) as raised:
        run(cloudfront_origin_https, res)
    assert str(raised.value) == (
        "a block of origins of cdn is not known yet (computed at deployment)"
    )


def test_a_computed_custom_origin_config_is_not_evaluated_naming_the_origin():
    # cloudfront x__custom_origins__mutmut_15
    res = distribution(origins=[custom("api", custom_origin_config=UNKNOWN)])
    with pytest.raises(Undecidable) as raised:
        run(cloudfront_origin_https, res)
    assert str(raised.value) == "an origin of cdn (api) is not known yet (computed at deployment)"


def test_only_the_first_custom_origin_config_block_of_an_origin_is_read():
    # cloudfront x__custom_origins__mutmut_23: the provider allows one block per origin
    second = {"origin_protocol_policy": "http-only", "origin_ssl_protocols": ["TLSv1"]}
    origin = custom("api")
    origin["custom_origin_config"] = [origin["custom_origin_config"], second]
    result = run(cloudfront_origin_https, distribution(origins=[origin]))
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "all 1 custom origin(s) are reached over HTTPS",
        {"plain_origins": []},
    )


@pytest.mark.parametrize("policy", ["", None])
def test_an_empty_viewer_policy_is_not_evaluated(policy):
    # cloudfront x__viewer_policy__mutmut_13 (""), _16 (the reason)
    res = distribution(default_cache_behavior=behaviour(policy))
    with pytest.raises(Undecidable) as raised:
        run(cloudfront_viewer_https, res)
    assert str(raised.value) == "the viewer_protocol_policy of cdn ((default)) is not set"
