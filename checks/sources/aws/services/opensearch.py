"""Live collector: OpenSearch Service domains, as `aws.opensearch.Domain` declares them, or as
`aws.elasticsearch.Domain` for a domain that runs the Elasticsearch engine (the two Pulumi types
manage the same AWS resource). Encryption, VPC placement, log publishing and endpoint settings
only: never an index, a document or a query.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present

OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain"
ELASTICSEARCH_DOMAIN = "aws:elasticsearch/domain:Domain"
# DescribeDomains takes at most five domain names a call.
_PER_CALL = 5
_ELASTICSEARCH_PREFIX = "Elasticsearch_"


def _log_publishing(options: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """AWS's map of log type to destination, as the provider's list of option blocks."""
    found = [
        present(
            {
                "log_type": log_type,
                "cloudwatch_log_group_arn": option.get("CloudWatchLogsLogGroupArn"),
                "enabled": option.get("Enabled"),
            }
        )  # fmt: skip
        for log_type, option in sorted((options or {}).items())
    ]
    return found or None


def _vpc(options: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not options or not options.get("SubnetIds"):
        return None  # a public domain: AWS reports an empty block or none
    return present({
        "subnet_ids": options.get("SubnetIds"),
        "security_group_ids": options.get("SecurityGroupIds"),
        "availability_zones": options.get("AvailabilityZones"),
        "vpc_id": options.get("VPCId"),
    })  # fmt: skip


def _endpoint(options: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if options is None:
        return None
    return present({
        "enforce_https": options.get("EnforceHTTPS"),
        "tls_security_policy": options.get("TLSSecurityPolicy"),
        "custom_endpoint_enabled": options.get("CustomEndpointEnabled"),
        "custom_endpoint": options.get("CustomEndpoint"),
        "custom_endpoint_certificate_arn": options.get("CustomEndpointCertificateArn"),
    })  # fmt: skip


def domain_props(domain: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Pulumi type of a DescribeDomains entry, and its properties as that type names them."""
    version = str(domain.get("EngineVersion") or "")
    rest = domain.get("EncryptionAtRestOptions") or {}
    props = {
        "domain_name": domain["DomainName"],
        "domain_id": domain.get("DomainId"),
        "arn": domain.get("ARN"),
        "encrypt_at_rest": present(
            {"enabled": bool(rest.get("Enabled")), "kms_key_id": rest.get("KmsKeyId")}
        ),
        "node_to_node_encryption": {
            "enabled": bool((domain.get("NodeToNodeEncryptionOptions") or {}).get("Enabled"))
        },
        "vpc_options": _vpc(domain.get("VPCOptions")),
        "log_publishing_options": _log_publishing(domain.get("LogPublishingOptions")),
        "domain_endpoint_options": _endpoint(domain.get("DomainEndpointOptions")),
    }
    if version.startswith(_ELASTICSEARCH_PREFIX):
        props["elasticsearch_version"] = version.removeprefix(_ELASTICSEARCH_PREFIX)
        return ELASTICSEARCH_DOMAIN, present(props)
    props["engine_version"] = version or None
    return OPENSEARCH_DOMAIN, present(props)


def _domains(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    names = [d["DomainName"] for d in ctx.pages(client, "ListDomainNames", "DomainNames")]
    for start in range(0, len(names), _PER_CALL):
        chunk = names[start : start + _PER_CALL]
        for domain in ctx.pages(client, "DescribeDomains", "DomainStatusList", DomainNames=chunk):
            if domain.get("Deleted"):
                continue
            token, props = domain_props(domain)
            name = domain["DomainName"]
            yield ctx.resource(token, name, props, id=name, arn=domain.get("ARN"))


COLLECTORS: list[Collector] = [
    Collector(
        "opensearch",
        (OPENSEARCH_DOMAIN, ELASTICSEARCH_DOMAIN),
        ("es:ListDomainNames", "es:DescribeDomains"),
        _domains,
    )
]
