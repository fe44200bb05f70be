"""API Gateway stages: execution logging (APIGW-02), a client certificate toward the backend
(APIGW-03) and a WAFv2 web ACL in front (WAF-01).

A REST stage's execution logging is set by `aws.apigateway.MethodSettings` resources of the
stage (the live account's `methodSettings` of the stage, one per method path): `*/*` sets every
method, and any other path overrides it for one method. HTTP APIs have no execution logs; a v2
stage logs through its access log settings, or a WebSocket stage through its default route's
logging level.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import referrers, resolve
from checks.support.props import blocks, known
from checks.support.web_acls import WEB_ACL, WEB_ACL_ASSOCIATION, rule_count

CHECKS: list[Check] = []

STAGE = "aws:apigateway/stage:Stage"
STAGE_V2 = "aws:apigatewayv2/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
LOGGING_LEVELS = frozenset({"ERROR", "INFO"})
ALL_METHODS = "*/*"


def _settings_of(stage: Resource, inv: Inventory) -> dict[str, str]:
    """The logging level each method path of the REST stage sets ('' where a path's settings
    leave it unset), from the MethodSettings naming the stage's API and stage name."""
    api, name = known(stage, "rest_api"), known(stage, "stage_name")
    if not api or not name:
        raise Undecidable(f"{stage.name} names no rest_api or stage_name")
    levels: dict[str, str] = {}
    for settings in inv.of_type(METHOD_SETTINGS):
        if known(settings, "rest_api") != api or known(settings, "stage_name") != name:
            continue
        path = known(settings, "method_path")
        if not path:
            raise Undecidable(f"the method_path of {settings.name} is not set")
        block = blocks(known(settings, "settings"))
        levels[str(path)] = str((block[0].get("logging_level") if block else None) or "")
    return levels


def _rest_logging(res: Resource, inv: Inventory) -> Result:
    levels = _settings_of(res, inv)
    # A stage's execution logging is OFF until method settings turn it on.
    every = levels.get(ALL_METHODS) or "OFF"
    off = sorted(p for p, level in levels.items() if level and level not in LOGGING_LEVELS)
    if every not in LOGGING_LEVELS:
        off = sorted({ALL_METHODS, *off})
    if off:
        return failed(f"execution logging is off for {', '.join(off)}", logging_levels=levels)
    return passed(f"every method logs at {every} or finer", logging_levels=levels)


def _v2_logging(res: Resource) -> Result:
    access = [b for b in blocks(known(res, "access_log_settings")) if b.get("destination_arn")]
    route = blocks(known(res, "default_route_settings"))
    # default_route_settings.logging_level: the provider's default is OFF (WebSocket APIs only).
    level = str((route[0].get("logging_level") if route else None) or "OFF")
    evidence = {"access_log_destination": access[0]["destination_arn"] if access else None}
    if access:
        return passed("access logs go to their destination", **evidence, logging_level=level)
    if level in LOGGING_LEVELS:
        return passed(f"the default route logs at {level}", **evidence, logging_level=level)
    return failed("neither access logs nor execution logging", **evidence, logging_level=level)


@check(
    into=CHECKS,
    id="apigateway_stage_logging",
    control="APIGW-02",
    title="API Gateway stage logs its executions (REST, WebSocket) or its access (HTTP)",
    severity=Severity.MEDIUM,
    config_rule="api-gw-execution-logging-enabled",
    resource_types=(STAGE, STAGE_V2),
    reads=(METHOD_SETTINGS,),
    remediation=(
        "REST: an aws.apigateway.MethodSettings for method_path '*/*' with logging_level "
        "'ERROR' or 'INFO' (the account's API Gateway CloudWatch role set); HTTP and "
        "WebSocket: access_log_settings to a log group."
    ),
    pulumi_fix='aws.apigateway.MethodSettings("prod-logging", rest_api=api.id,\n'
    '    stage_name=stage.stage_name, method_path="*/*",\n'
    '    settings={"logging_level": "ERROR", "metrics_enabled": True})',
)
def apigateway_stage_logging(res: Resource, inv: Inventory) -> Result:
    """Every call into the API is recorded (audit controls); all methods must log."""
    if res.type == STAGE_V2:
        return _v2_logging(res)
    return _rest_logging(res, inv)


@check(
    into=CHECKS,
    id="apigateway_stage_client_certificate",
    control="APIGW-03",
    title="API Gateway REST stage presents a client certificate to its backend",
    severity=Severity.MEDIUM,
    config_rule="api-gw-ssl-enabled",
    resource_types=(STAGE,),
    remediation=(
        "Generate an aws.apigateway.ClientCertificate, set the stage's client_certificate_id, "
        "and have the backend accept only that certificate."
    ),
    pulumi_fix='backend_cert = aws.apigateway.ClientCertificate("backend")\n'
    'aws.apigateway.Stage("prod", ..., client_certificate_id=backend_cert.id)',
)
def apigateway_stage_client_certificate(res: Resource, inv: Inventory) -> Result:
    """The backend can tell API Gateway's calls from anyone else's (mutual TLS)."""
    cert = known(res, "client_certificate_id")
    if cert:
        return passed("the stage presents a client certificate", client_certificate=cert)
    return failed("the stage presents no client certificate", client_certificate=None)


def _web_acl(res: Resource, inv: Inventory) -> tuple[Any, str | None]:
    """The web ACL reference of the stage: its own `web_acl_arn` (a state file or the live
    account) or the first association naming it."""
    own = known(res, "web_acl_arn")
    if own:
        return own, res.name
    associations = referrers(inv, res, (WEB_ACL_ASSOCIATION,), "resource_arn")
    if not associations:
        return None, None
    return known(associations[0], "web_acl_arn"), associations[0].name


@check(
    into=CHECKS,
    id="apigateway_stage_waf",
    control="WAF-01",
    title="API Gateway REST stage is protected by a WAFv2 web ACL with rules",
    severity=Severity.MEDIUM,
    config_rule="api-gw-associated-with-waf",
    resource_types=(STAGE,),
    reads=(
        WEB_ACL,
        WEB_ACL_ASSOCIATION,
        "aws:wafv2/webAclRule:WebAclRule",
        "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
    ),
    remediation=(
        "Associate a regional aws.wafv2.WebAcl (AWS managed common, known-bad-inputs and SQLi "
        "rule groups) with the stage through aws.wafv2.WebAclAssociation."
    ),
    pulumi_fix='aws.wafv2.WebAclAssociation("api-waf", resource_arn=stage.arn,\n'
    "    web_acl_arn=web_acl.arn)",
)
def apigateway_stage_waf(res: Resource, inv: Inventory) -> Result:
    """Common web exploits are filtered before they reach code that handles ePHI."""
    ref, holder = _web_acl(res, inv)
    if ref is None:
        return failed("no web ACL protects the stage", web_acl=None)
    acl = resolve(inv, ref, (WEB_ACL,), f"web_acl_arn of {holder}")
    if acl is None:
        raise Undecidable(f"the web ACL {ref} is not in the inventory, so its rules cannot be seen")
    rules = rule_count(acl, inv)
    evidence: Mapping[str, Any] = {"web_acl": acl.name, "rules": rules}
    if rules:
        return passed(f"web ACL {acl.name} with {rules} rule(s) protects it", **evidence)
    return failed(f"web ACL {acl.name} has no rules: it filters nothing", **evidence)
