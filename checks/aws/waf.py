"""WAFv2: every internet-facing application load balancer sits behind a web ACL with rules, and
every web ACL logs (controls WAF-01, WAF-02).

An internal load balancer is not reachable from the internet and needs no WAF.
"""

from __future__ import annotations

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import referrers, resolve
from checks.support.props import flag, known
from checks.support.resource_types import LOAD_BALANCERS
from checks.support.web_acls import WEB_ACL, WEB_ACL_ASSOCIATION, rule_count

CHECKS: list[Check] = []

WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"


@check(
    into=CHECKS,
    id="alb_waf_attached",
    control="WAF-01",
    title="Internet-facing application load balancer is protected by a WAFv2 web ACL with rules",
    severity=Severity.MEDIUM,
    config_rule="alb-waf-enabled",
    resource_types=LOAD_BALANCERS,
    reads=(
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclRule:WebAclRule",
        "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
    ),
    remediation=(
        "Associate a regional aws.wafv2.WebAcl (with the AWS managed common, known-bad-inputs "
        "and SQLi rule groups) through aws.wafv2.WebAclAssociation."
    ),
    pulumi_fix='aws.wafv2.WebAclAssociation("web-waf", resource_arn=alb.arn,\n'
    "    web_acl_arn=web_acl.arn)",
)
def alb_waf_attached(res: Resource, inv: Inventory) -> Result:
    """Common web exploits are filtered before they reach code that handles ePHI."""
    if flag(known(res, "internal", False)):
        return not_applicable("an internal load balancer is not reachable from the internet")
    if str(known(res, "load_balancer_type", "application")) != "application":
        return not_applicable("WAF protects application load balancers only")
    associations = referrers(inv, res, (WEB_ACL_ASSOCIATION,), "resource_arn")
    if not associations:
        return failed(
            "no web ACL is associated with the internet-facing load balancer", web_acl=None
        )
    ref = known(associations[0], "web_acl_arn")
    acl = resolve(inv, ref, (WEB_ACL,), f"web_acl_arn of {associations[0].name}")
    if acl is None:
        raise Undecidable(f"the web ACL {ref} is not in the inventory, so its rules cannot be seen")
    rules = rule_count(acl, inv)
    if rules:
        return passed(
            f"web ACL {acl.name} with {rules} rule(s) protects it", web_acl=acl.name, rules=rules
        )
    return failed(f"web ACL {acl.name} has no rules: it filters nothing", web_acl=acl.name, rules=0)


@check(
    into=CHECKS,
    id="waf_logging_enabled",
    control="WAF-02",
    title="WAFv2 web ACL logs its traffic",
    severity=Severity.LOW,
    config_rule="wafv2-logging-enabled",
    resource_types=(WEB_ACL,),
    reads=("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",),
    remediation=(
        "Declare an aws.wafv2.WebAclLoggingConfiguration to a log group named 'aws-waf-logs-*' "
        "(or Firehose/S3), redacting authorization headers."
    ),
    pulumi_fix='aws.wafv2.WebAclLoggingConfiguration("web-waf-logs", resource_arn=web_acl.arn,\n'
    "    log_destination_configs=[waf_log_group.arn])",
)
def waf_logging_enabled(res: Resource, inv: Inventory) -> Result:
    """Blocked and allowed web requests are recorded for incident review."""
    configs = referrers(inv, res, (WEB_ACL_LOGGING,), "resource_arn")
    if configs:
        return passed("the web ACL logs its traffic", logging=[c.name for c in configs])
    return failed("the web ACL has no logging configuration", logging=[])
