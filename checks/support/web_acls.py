"""WAFv2 web ACLs as more than one check reads them: the types, and how many rules an ACL has
(declared inside it, as JSON text, or as resources of their own)."""

from __future__ import annotations

import json
from typing import Any

from checks.model import Inventory, Resource, Undecidable
from checks.support.joins import referrers
from checks.support.props import known

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
# Rules may be declared inside the web ACL or as resources of their own.
WEB_ACL_RULE_RESOURCES = (
    "aws:wafv2/webAclRule:WebAclRule",
    "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
)


def rule_count(acl: Resource, inv: Inventory) -> int:
    inline = len(known(acl, "rules") or []) + len(_json_rules(acl))
    return inline + len(referrers(inv, acl, WEB_ACL_RULE_RESOURCES, "web_acl_arn"))


def _json_rules(acl: Resource) -> list[Any]:
    """The rules a web ACL declares as JSON text (`rule_json`), which the provider sends as is."""
    text = known(acl, "rule_json")
    if not text:
        return []
    try:
        rules = json.loads(text)
    except (TypeError, ValueError):
        raise Undecidable(f"rule_json of {acl.name} is not JSON") from None
    if not isinstance(rules, list):
        raise Undecidable(f"rule_json of {acl.name} is not a list of rules")
    return rules
