"""API Gateway stage checks on hand-built inventories: execution logging through method settings
(REST) or access logs (v2), the backend client certificate, and the stage's web ACL."""

from __future__ import annotations

import pytest

from checks.aws.apigateway_stages import (
    apigateway_stage_client_certificate,
    apigateway_stage_logging,
    apigateway_stage_waf,
)
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/prod"
ACL_ARN = "arn:aws:wafv2:us-east-1:1:regional/webacl/api/abc"
LOG_GROUP = "arn:aws:logs:us-east-1:1:log-group:api-access"
RULE = {"name": "common", "priority": 1}


def stage(**props) -> Resource:
    base = {"rest_api": "a1b2c3", "stage_name": "prod", "deployment": "d1"}
    return Resource("aws:apigateway/stage:Stage", "prod", {**base, **props}, arn=STAGE_ARN)


def settings(path: str = "*/*", level: object = "ERROR", name="logs", **props) -> Resource:
    block = {} if level is None else {"logging_level": level}
    base = {"rest_api": "a1b2c3", "stage_name": "prod", "method_path": path, "settings": block}
    return Resource("aws:apigateway/methodSettings:MethodSettings", name, {**base, **props})


def stage_v2(**props) -> Resource:
    return Resource("aws:apigatewayv2/stage:Stage", "v2", {"api_id": "api-1", "name": "$default",
                                                         **props})  # fmt: skip


def acl(rules=(RULE,)) -> Resource:
    props = {"name": "api", "scope": "REGIONAL", "rules": list(rules)}
    return Resource("aws:wafv2/webAcl:WebAcl", "api-acl", props, id="abc", arn=ACL_ARN)


def association(resource_arn=STAGE_ARN) -> Resource:
    props = {"resource_arn": resource_arn, "web_acl_arn": ACL_ARN}
    return Resource("aws:wafv2/webAclAssociation:WebAclAssociation", "api-waf", props)


def run(fn, target: Resource, *others: Resource):
    return fn(target, Inventory([target, *others]))


# -- apigateway_stage_logging: REST --------------------------------------------------------------


@pytest.mark.parametrize("level", ["ERROR", "INFO"])
def test_all_methods_logging_passes(level):
    result = run(apigateway_stage_logging, stage(), settings(level=level))
    assert (result.status, result.evidence) == (Status.PASS, {"logging_levels": {"*/*": level}})


def test_a_stage_without_method_settings_fails():
    other = settings(stage_name="dev", name="dev-logs")
    result = run(apigateway_stage_logging, stage(), other)
    assert (result.status, result.evidence) == (Status.FAIL, {"logging_levels": {}})


@pytest.mark.parametrize(("level", "shown"), [("OFF", "OFF"), (None, "")])
def test_all_methods_settings_with_logging_off_or_unset_fail(level, shown):
    result = run(apigateway_stage_logging, stage(), settings(level=level))
    assert (result.status, result.evidence) == (Status.FAIL, {"logging_levels": {"*/*": shown}})


def test_one_method_turning_logging_off_fails_though_all_methods_log():
    found = (settings(), settings("claims/GET", "OFF", name="claims-off"))
    result = run(apigateway_stage_logging, stage(), *found)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"logging_levels": {"*/*": "ERROR", "claims/GET": "OFF"}},
    )


def test_one_method_logging_while_all_methods_do_not_fails():
    result = run(apigateway_stage_logging, stage(), settings("claims/GET", "INFO", name="one"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"logging_levels": {"claims/GET": "INFO"}},
    )


def test_a_method_override_leaving_the_level_unset_keeps_all_methods():
    found = (settings(), settings("claims/GET", None, name="claims-metrics"))
    result = run(apigateway_stage_logging, stage(), *found)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"logging_levels": {"*/*": "ERROR", "claims/GET": ""}},
    )


@pytest.mark.parametrize(
    "others",
    [(settings(level=UNKNOWN),), (settings(stage_name=UNKNOWN),), (settings(path=UNKNOWN),)],
)
def test_method_settings_that_cannot_be_seen_are_not_evaluated(others):
    with pytest.raises(Undecidable, match="of logs"):
        run(apigateway_stage_logging, stage(), *others)


def test_the_gapped_method_settings_type_is_not_evaluated():
    res = stage()
    inv = Inventory([res], gaps={"aws:apigateway/methodSettings:MethodSettings": "denied"})
    with pytest.raises(Undecidable, match="could not be collected: denied"):
        apigateway_stage_logging(res, inv)


# -- apigateway_stage_logging: v2 ----------------------------------------------------------------


def test_a_v2_stage_with_access_logs_passes():
    res = stage_v2(access_log_settings={"destination_arn": LOG_GROUP, "format": "$context"})
    result = run(apigateway_stage_logging, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"access_log_destination": LOG_GROUP, "logging_level": "OFF"},
    )


@pytest.mark.parametrize("level", ["ERROR", "INFO"])
def test_a_websocket_stage_with_default_route_logging_passes(level):
    res = stage_v2(default_route_settings={"logging_level": level})
    result = run(apigateway_stage_logging, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"access_log_destination": None, "logging_level": level},
    )


@pytest.mark.parametrize("props", [{}, {"default_route_settings": {"logging_level": "OFF"}}])
def test_a_v2_stage_logging_nothing_fails(props):
    result = run(apigateway_stage_logging, stage_v2(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"access_log_destination": None, "logging_level": "OFF"},
    )


def test_a_v2_stage_with_hidden_access_logs_is_not_evaluated():
    with pytest.raises(Undecidable, match="access_log_settings of v2"):
        run(apigateway_stage_logging, stage_v2(access_log_settings=UNKNOWN))


# -- apigateway_stage_client_certificate ---------------------------------------------------------


def test_a_stage_with_a_client_certificate_passes():
    result = run(apigateway_stage_client_certificate, stage(client_certificate_id="cert-1"))
    assert (result.status, result.evidence) == (Status.PASS, {"client_certificate": "cert-1"})


def test_a_stage_without_a_client_certificate_fails():
    result = run(apigateway_stage_client_certificate, stage())
    assert (result.status, result.evidence) == (Status.FAIL, {"client_certificate": None})


def test_a_computed_client_certificate_is_not_evaluated():
    with pytest.raises(Undecidable, match="client_certificate_id of prod is not known yet"):
        run(apigateway_stage_client_certificate, stage(client_certificate_id=UNKNOWN))


def test_an_unrecorded_client_certificate_is_not_evaluated():
    res = Resource("aws:apigateway/stage:Stage", "prod", {"stage_name": "prod"},
                   source="state", recorded=frozenset({"stage_name"}))  # fmt: skip
    with pytest.raises(Undecidable, match="client_certificate_id of prod is not recorded"):
        run(apigateway_stage_client_certificate, res)


# -- apigateway_stage_waf ------------------------------------------------------------------------


def test_an_associated_web_acl_with_rules_passes():
    result = run(apigateway_stage_waf, stage(), association(), acl())
    assert (result.status, result.evidence) == (Status.PASS, {"web_acl": "api-acl", "rules": 1})


def test_the_stages_own_web_acl_arn_passes():
    result = run(apigateway_stage_waf, stage(web_acl_arn=ACL_ARN), acl())
    assert (result.status, result.evidence) == (Status.PASS, {"web_acl": "api-acl", "rules": 1})


def test_a_web_acl_without_rules_fails():
    result = run(apigateway_stage_waf, stage(), association(), acl(rules=()))
    assert (result.status, result.evidence) == (Status.FAIL, {"web_acl": "api-acl", "rules": 0})


def test_no_web_acl_fails():
    other = association("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/1")
    result = run(apigateway_stage_waf, stage(), other, acl())
    assert (result.status, result.evidence) == (Status.FAIL, {"web_acl": None})


def test_a_web_acl_not_in_the_inventory_is_not_evaluated():
    with pytest.raises(Undecidable, match="is not in the inventory"):
        run(apigateway_stage_waf, stage(), association())


def test_an_association_naming_an_unknown_resource_is_not_evaluated():
    with pytest.raises(Undecidable, match="resource_arn of api-waf cannot be seen"):
        run(apigateway_stage_waf, stage(), association(UNKNOWN), acl())


# -- the exact messages and labels ---------------------------------------------------------------


def test_rest_logging_messages_name_the_level_and_every_path_off():
    good = run(apigateway_stage_logging, stage(), settings(level="INFO"))
    assert (good.status, good.evidence, good.message) == (
        Status.PASS,
        {"logging_levels": {"*/*": "INFO"}},
        "every method logs at INFO or finer",
    )
    found = (settings(level="OFF"), settings("claims/GET", "OFF", name="claims-off"))
    bad = run(apigateway_stage_logging, stage(), *found)
    assert (bad.status, bad.evidence, bad.message) == (
        Status.FAIL,
        {"logging_levels": {"*/*": "OFF", "claims/GET": "OFF"}},
        "execution logging is off for */*, claims/GET",
    )


@pytest.mark.parametrize("props", [{"stage_name": None}, {"rest_api": None}])
def test_a_stage_naming_no_api_or_no_stage_name_is_not_evaluated(props):
    with pytest.raises(Undecidable, match="^prod names no rest_api or stage_name$"):
        run(apigateway_stage_logging, stage(**props), settings())


def test_method_settings_of_another_stage_listed_first_do_not_hide_the_stages_own():
    found = (settings(stage_name="dev", name="dev-logs"), settings(level="INFO"))
    result = run(apigateway_stage_logging, stage(), *found)
    assert (result.status, result.evidence) == (Status.PASS, {"logging_levels": {"*/*": "INFO"}})


@pytest.mark.parametrize("path", [None, ""])
def test_method_settings_without_a_method_path_are_not_evaluated(path):
    with pytest.raises(Undecidable, match="^the method_path of logs is not set$"):
        run(apigateway_stage_logging, stage(), settings(path=path))


def test_a_method_override_without_a_settings_block_keeps_all_methods():
    found = (settings(), settings("claims/GET", name="claims-bare", settings=None))
    result = run(apigateway_stage_logging, stage(), *found)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"logging_levels": {"*/*": "ERROR", "claims/GET": ""}},
    )


def test_v2_logging_messages():
    res = stage_v2(access_log_settings={"destination_arn": LOG_GROUP})
    access = run(apigateway_stage_logging, res)
    assert (access.status, access.evidence, access.message) == (
        Status.PASS,
        {"access_log_destination": LOG_GROUP, "logging_level": "OFF"},
        "access logs go to their destination",
    )
    websocket = stage_v2(default_route_settings={"logging_level": "INFO"})
    route = run(apigateway_stage_logging, websocket)
    assert (route.status, route.evidence, route.message) == (
        Status.PASS,
        {"access_log_destination": None, "logging_level": "INFO"},
        "the default route logs at INFO",
    )
    none = run(apigateway_stage_logging, stage_v2())
    assert (none.status, none.evidence, none.message) == (
        Status.FAIL,
        {"access_log_destination": None, "logging_level": "OFF"},
        "neither access logs nor execution logging",
    )
