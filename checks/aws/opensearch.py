"""OpenSearch and Elasticsearch domains: encrypted at rest, inside a VPC, logging to CloudWatch
Logs, node-to-node encryption and HTTPS only (controls SRCH-01 to SRCH-04).

`aws.opensearch.Domain` and the older `aws.elasticsearch.Domain` declare the same AWS resource
with the same blocks, so one judgement serves both; AWS Config names a rule for each type, and
each rule has its own check here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"


def _block(res: Resource, key: str) -> Mapping[str, Any]:
    """The domain's one `key` block, or an empty one when it is not declared."""
    found = blocks(known(res, key))
    return found[0] if found else {}


def _encrypted_at_rest(res: Resource) -> Result:
    # No encrypt_at_rest block: the provider leaves encryption off.
    block = _block(res, "encrypt_at_rest")
    on = flag(block.get("enabled"))
    evidence = {"encrypt_at_rest": on, "kms_key_id": block.get("kms_key_id") if on else None}
    if not on:
        return failed("the domain's indices are not encrypted at rest", **evidence)
    return passed("the domain's indices are encrypted at rest", **evidence)


def _in_vpc(res: Resource) -> Result:
    # No vpc_options block (or no subnet in it): the domain gets a public endpoint.
    subnets = list(_block(res, "vpc_options").get("subnet_ids") or [])
    if not subnets:
        return failed("the domain has a public endpoint (no VPC subnets)", subnet_ids=[])
    return passed("the domain is reachable only inside its VPC", subnet_ids=subnets)


def _logs_to_cloudwatch(res: Resource) -> Result:
    # A log publishing option is enabled unless it says `enabled: false` (the provider's default).
    published = sorted(
        str(o.get("log_type"))
        for o in blocks(known(res, "log_publishing_options"))
        if o.get("cloudwatch_log_group_arn") and flag(o.get("enabled", True))
    )
    if not published:
        return failed("the domain publishes no log to CloudWatch Logs", log_types=[])
    return passed("the domain publishes its logs to CloudWatch Logs", log_types=published)


def _node_to_node(res: Resource) -> Result:
    # No node_to_node_encryption block: the provider leaves it off.
    on = flag(_block(res, "node_to_node_encryption").get("enabled"))
    if not on:
        return failed("traffic between the domain's nodes is not encrypted", node_to_node=False)
    return passed("traffic between the domain's nodes is encrypted", node_to_node=True)


def _https_required(res: Resource) -> Result:
    # Without a domain_endpoint_options block nothing is sent and AWS accepts plain HTTP; inside
    # the block the provider's default for enforce_https is true.
    declared = blocks(known(res, "domain_endpoint_options"))
    enforced = bool(declared) and flag(declared[0].get("enforce_https", True))
    policy = declared[0].get("tls_security_policy") if declared else None
    evidence = {"enforce_https": enforced, "tls_security_policy": policy}
    if not enforced:
        return failed("the domain endpoint accepts plain HTTP", **evidence)
    return passed("the domain endpoint accepts HTTPS only", **evidence)


def _fix(engine: str, body: str) -> str:
    return f'aws.{engine}.Domain("search", ..., {body})'


_ENCRYPTED = (
    "Set encrypt_at_rest {enabled: True} with kms_key_id naming a customer-managed key; an "
    "existing domain on an older engine cannot be encrypted in place: migrate its indices to a "
    "new encrypted domain."
)
_ENCRYPTED_FIX = 'encrypt_at_rest={"enabled": True, "kms_key_id": key.arn}'
_VPC = (
    "Declare vpc_options with private subnet_ids and a security group; a public domain cannot "
    "be moved into a VPC: create a VPC domain and restore a snapshot into it."
)
_VPC_FIX = 'vpc_options={\n    "subnet_ids": [private_a.id], "security_group_ids": [search_sg.id]}'
_LOGS = (
    "Add log_publishing_options for AUDIT_LOGS (with fine-grained access control) and "
    "ES_APPLICATION_LOGS, to a log group whose resource policy lets the service write to it."
)
_LOGS_FIX = (
    'log_publishing_options=[{\n    "log_type": "AUDIT_LOGS", '
    '"cloudwatch_log_group_arn": group.arn}]'
)
_NODES = "Set node_to_node_encryption {enabled: True}."
_NODES_FIX = 'node_to_node_encryption={"enabled": True}'


@check(
    into=CHECKS,
    id="opensearch_encrypted_at_rest",
    control="SRCH-01",
    title="OpenSearch domain is encrypted at rest",
    severity=Severity.HIGH,
    config_rule="opensearch-encrypted-at-rest",
    resource_types=(OPENSEARCH_DOMAIN,),
    remediation=_ENCRYPTED,
    pulumi_fix=_fix("opensearch", _ENCRYPTED_FIX),
)
def opensearch_encrypted_at_rest(res: Resource, inv: Inventory) -> Result:
    """Indices, logs, swap files and snapshots of the domain are encrypted at rest."""
    return _encrypted_at_rest(res)


@check(
    into=CHECKS,
    id="elasticsearch_encrypted_at_rest",
    control="SRCH-01",
    title="Elasticsearch domain is encrypted at rest",
    severity=Severity.HIGH,
    config_rule="elasticsearch-encrypted-at-rest",
    resource_types=(ELASTICSEARCH_DOMAIN,),
    remediation=_ENCRYPTED,
    pulumi_fix=_fix("elasticsearch", _ENCRYPTED_FIX),
)
def elasticsearch_encrypted_at_rest(res: Resource, inv: Inventory) -> Result:
    """Indices, logs, swap files and snapshots of the domain are encrypted at rest."""
    return _encrypted_at_rest(res)


@check(
    into=CHECKS,
    id="opensearch_in_vpc_only",
    control="SRCH-02",
    title="OpenSearch domain is inside a VPC",
    severity=Severity.HIGH,
    config_rule="opensearch-in-vpc-only",
    resource_types=(OPENSEARCH_DOMAIN,),
    remediation=_VPC,
    pulumi_fix=_fix("opensearch", _VPC_FIX),
)
def opensearch_in_vpc_only(res: Resource, inv: Inventory) -> Result:
    """The domain's endpoint is reachable only from inside its VPC."""
    return _in_vpc(res)


@check(
    into=CHECKS,
    id="elasticsearch_in_vpc_only",
    control="SRCH-02",
    title="Elasticsearch domain is inside a VPC",
    severity=Severity.HIGH,
    config_rule="elasticsearch-in-vpc-only",
    resource_types=(ELASTICSEARCH_DOMAIN,),
    remediation=_VPC,
    pulumi_fix=_fix("elasticsearch", _VPC_FIX),
)
def elasticsearch_in_vpc_only(res: Resource, inv: Inventory) -> Result:
    """The domain's endpoint is reachable only from inside its VPC."""
    return _in_vpc(res)


@check(
    into=CHECKS,
    id="opensearch_logs_to_cloudwatch",
    control="SRCH-03",
    title="OpenSearch domain publishes its logs to CloudWatch Logs",
    severity=Severity.MEDIUM,
    config_rule="opensearch-logs-to-cloudwatch",
    resource_types=(OPENSEARCH_DOMAIN,),
    remediation=_LOGS,
    pulumi_fix=_fix("opensearch", _LOGS_FIX),
)
def opensearch_logs_to_cloudwatch(res: Resource, inv: Inventory) -> Result:
    """What the domain does is recorded where it can be examined (audit controls)."""
    return _logs_to_cloudwatch(res)


@check(
    into=CHECKS,
    id="elasticsearch_logs_to_cloudwatch",
    control="SRCH-03",
    title="Elasticsearch domain publishes its logs to CloudWatch Logs",
    severity=Severity.MEDIUM,
    config_rule="elasticsearch-logs-to-cloudwatch",
    resource_types=(ELASTICSEARCH_DOMAIN,),
    remediation=_LOGS,
    pulumi_fix=_fix("elasticsearch", _LOGS_FIX),
)
def elasticsearch_logs_to_cloudwatch(res: Resource, inv: Inventory) -> Result:
    """What the domain does is recorded where it can be examined (audit controls)."""
    return _logs_to_cloudwatch(res)


@check(
    into=CHECKS,
    id="opensearch_node_to_node_encryption",
    control="SRCH-04",
    title="OpenSearch domain encrypts traffic between its nodes",
    severity=Severity.HIGH,
    config_rule="opensearch-node-to-node-encryption-check",
    resource_types=(OPENSEARCH_DOMAIN,),
    remediation=_NODES,
    pulumi_fix=_fix("opensearch", _NODES_FIX),
)
def opensearch_node_to_node_encryption(res: Resource, inv: Inventory) -> Result:
    """Data moving between the domain's nodes is encrypted in transit."""
    return _node_to_node(res)


@check(
    into=CHECKS,
    id="elasticsearch_node_to_node_encryption",
    control="SRCH-04",
    title="Elasticsearch domain encrypts traffic between its nodes",
    severity=Severity.HIGH,
    config_rule="elasticsearch-node-to-node-encryption-check",
    resource_types=(ELASTICSEARCH_DOMAIN,),
    remediation=_NODES,
    pulumi_fix=_fix("elasticsearch", _NODES_FIX),
)
def elasticsearch_node_to_node_encryption(res: Resource, inv: Inventory) -> Result:
    """Data moving between the domain's nodes is encrypted in transit."""
    return _node_to_node(res)


@check(
    into=CHECKS,
    id="opensearch_https_required",
    control="SRCH-04",
    title="OpenSearch/Elasticsearch domain endpoint accepts HTTPS only",
    severity=Severity.HIGH,
    # The rule names AWS::OpenSearch::Domain; an Elasticsearch domain's endpoint is the same
    # setting of the same service, judged alike (AWS Config has no Elasticsearch twin).
    config_rule="opensearch-https-required",
    resource_types=(OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
    remediation=(
        "Declare domain_endpoint_options with enforce_https=True and a TLS 1.2 policy "
        "(Policy-Min-TLS-1-2-PFS-2023-10)."
    ),
    pulumi_fix=(
        'aws.opensearch.Domain("search", ..., domain_endpoint_options={\n'
        '    "enforce_https": True, "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10"})'
    ),
)
def opensearch_https_required(res: Resource, inv: Inventory) -> Result:
    """Clients reach the domain over TLS only: queries and results never cross in clear text."""
    return _https_required(res)
