"""The ACM collector against the emulator: a certificate collects with the props the program
scan gives, and a denied call hides only what it read, with the reason. (No check of the library
reads certificates yet.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import botocore.client
import botocore.exceptions

from checks.sources.aws.emulator import EMULATED_ACCOUNT
from checks.sources.aws.services import acm as acm_collectors
from checks.sources.aws.services.acm import CERTIFICATE
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.base import Collected
from checks.sources.program import scan_program
from checks.sources.registry import SourceRequest

REPO = Path(__file__).resolve().parents[2]
# The emulator issues every certificate with an RSA 2048 key, whatever was asked.
NOT_EMULATED = {"key_algorithm"}


def collect(aws) -> Collected:
    source = AwsSource(acm_collectors.COLLECTORS)
    return source.collect(SourceRequest(extra={"aws": AwsOptions(endpoint_url=aws.endpoint)}))


def deny(monkeypatch, operation: str, when: Callable[[dict], bool] = lambda params: True):
    original = botocore.client.BaseClient._make_api_call

    def call(self, name, params):
        if name == operation and when(params):
            error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
            raise botocore.exceptions.ClientError(error, name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def request(aws, domain: str, **kwargs) -> str:
    return aws.client("acm").request_certificate(DomainName=domain, **kwargs)["CertificateArn"]


def test_a_certificate_collects_back_as_the_program_declared_it(aws):
    [declared] = [r for r in scan_program(REPO, "prod").resources if r.type == CERTIFICATE]
    props = declared.props
    arn = request(
        aws, props["domain_name"], ValidationMethod=props["validation_method"],
        KeyAlgorithm=props["key_algorithm"],
        Options={"CertificateTransparencyLoggingPreference":
                 props["options"]["certificate_transparency_logging_preference"]},
        Tags=[{"Key": k, "Value": v} for k, v in props["tags"].items()],
    )  # fmt: skip
    collected = collect(aws)
    assert collected.gaps == {}
    [cert] = collected.resources
    for key, value in props.items():
        if key not in NOT_EMULATED:
            assert cert.props[key] == value, key
    assert cert.id == cert.arn == arn and arn.startswith(
        f"arn:aws:acm:us-east-1:{EMULATED_ACCOUNT}:certificate/"
    )
    assert cert.name == "billing.example.com"
    assert cert.props["status"] == "PENDING_VALIDATION" and cert.props["type"] == "AMAZON_ISSUED"
    assert cert.props["not_after"] > cert.props["not_before"]
    assert cert.props["subject_alternative_names"] == ["billing.example.com"]


def test_a_denied_list_hides_the_certificates_with_the_reason(aws, monkeypatch):
    request(aws, "billing.example.com", ValidationMethod="DNS")
    deny(monkeypatch, "ListCertificates")
    collected = collect(aws)
    assert collected.resources == ()
    assert collected.gaps == {
        CERTIFICATE: f"us-east-1 ({EMULATED_ACCOUNT}): access denied to ListCertificates "
                     "(AccessDeniedException)"
    }  # fmt: skip


def test_one_unreadable_certificate_hides_it_not_every_certificate(aws, monkeypatch):
    shut = request(aws, "shut.example.com", ValidationMethod="DNS")
    request(aws, "open.example.com", ValidationMethod="DNS")
    deny(monkeypatch, "DescribeCertificate", lambda params: params["CertificateArn"] == shut)
    collected = collect(aws)
    assert [r.name for r in collected.resources] == ["open.example.com"]
    assert f"the certificate {shut}: access denied" in collected.gaps[CERTIFICATE]


def test_the_collector_never_exports_a_certificate(aws, monkeypatch):
    request(aws, "billing.example.com", ValidationMethod="DNS")
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, name, params):
        seen.append(name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    collect(aws)
    assert set(seen) - {"GetCallerIdentity"} == {
        "ListCertificates", "DescribeCertificate", "ListTagsForCertificate",
    }  # fmt: skip
