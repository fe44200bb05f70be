"""Live collectors: ACM certificates (their configuration and validity; never a private key,
so no ExportCertificate and no GetCertificate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context

CERTIFICATE = "aws:acm/certificate:Certificate"
# ListCertificates lists only RSA-2048 certificates unless asked for every key type.
KEY_TYPES = (
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _certificate(ctx: Context, acm: Any, arn: str) -> Resource:
    cert = ctx.call(acm, "DescribeCertificate", CertificateArn=arn)["Certificate"]
    tags = ctx.call(acm, "ListTagsForCertificate", CertificateArn=arn).get("Tags") or ()
    validation = cert.get("DomainValidationOptions") or ()
    props: dict[str, Any] = {
        "arn": arn,
        "domain_name": cert.get("DomainName"),
        "subject_alternative_names": list(cert.get("SubjectAlternativeNames") or ()),
        "key_algorithm": cert.get("KeyAlgorithm"),
        "status": cert.get("Status"),
        "type": cert.get("Type"),
        "not_before": _iso(cert.get("NotBefore")),
        "not_after": _iso(cert.get("NotAfter")),
        "renewal_eligibility": cert.get("RenewalEligibility"),
        "tags": {t["Key"]: t.get("Value", "") for t in tags},
    }
    if validation and validation[0].get("ValidationMethod"):
        props["validation_method"] = validation[0]["ValidationMethod"]
    preference = (cert.get("Options") or {}).get("CertificateTransparencyLoggingPreference")
    if preference:
        props["options"] = {"certificate_transparency_logging_preference": preference}
    if cert.get("CertificateAuthorityArn"):
        props["certificate_authority_arn"] = cert["CertificateAuthorityArn"]
    return ctx.resource(CERTIFICATE, cert.get("DomainName") or arn, props, id=arn, arn=arn)


def collect_certificates(ctx: Context) -> Iterator[Resource]:
    acm = ctx.client()
    listed = ctx.pages(acm, "ListCertificates", "CertificateSummaryList",
                       Includes={"keyTypes": list(KEY_TYPES)})  # fmt: skip
    for summary in listed:
        arn = summary["CertificateArn"]
        try:
            yield _certificate(ctx, acm, arn)
        except CollectionError as exc:
            ctx.hide((CERTIFICATE,), f"the certificate {arn}: {exc}")


COLLECTORS: list[Collector] = [
    Collector(
        "acm",
        (CERTIFICATE,),
        ("acm:ListCertificates", "acm:DescribeCertificate", "acm:ListTagsForCertificate"),
        collect_certificates,
    ),
]
