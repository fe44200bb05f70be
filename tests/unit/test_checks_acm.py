"""ACM certificate expiry on hand-built certificates, the clock fixed: a recorded `not_after`
(live, state), an imported certificate's PEM body (program), or neither (a request)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from checks.aws import acm
from checks.aws.acm import acm_certificate_not_expiring
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(acm, "_now", lambda: NOW)


def certificate(**props) -> Resource:
    base = {"domain_name": "api.example.com", "validation_method": "DNS"}
    return Resource("aws:acm/certificate:Certificate", "api", {**base, **props})


def pem(not_after: dt.datetime) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "api.example.com")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(not_after - dt.timedelta(days=365)).not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def run(res: Resource):
    return acm_certificate_not_expiring(res, Inventory([res]))


def test_a_certificate_with_months_left_passes():
    result = run(certificate(status="ISSUED", not_after="2027-06-01T00:00:00+00:00"))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"not_after": "2027-06-01T00:00:00+00:00", "days_left": 181, "source": "not_after"},
    )


def test_just_past_14_days_passes_and_just_within_fails():
    past = NOW + dt.timedelta(days=14, minutes=1)
    within = NOW + dt.timedelta(days=14)
    passing = run(certificate(status="ISSUED", not_after=past.isoformat()))
    failing = run(certificate(status="ISSUED", not_after=within.isoformat()))
    assert (passing.status, passing.evidence["days_left"]) == (Status.PASS, 14)
    assert (failing.status, failing.evidence) == (
        Status.FAIL,
        {"not_after": within.isoformat(), "days_left": 14, "source": "not_after"},
    )


def test_a_lapsed_not_after_fails():
    result = run(certificate(not_after="2026-11-30T00:00:00Z"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"not_after": "2026-11-30T00:00:00+00:00", "days_left": -1, "source": "not_after"},
    )


def test_an_expired_status_fails():
    result = run(certificate(status="EXPIRED", not_after="2026-11-30T00:00:00Z"))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"status": "EXPIRED", "days_left": None},
    )


def test_an_imported_certificates_body_decides_in_a_program():
    far, near = NOW + dt.timedelta(days=90), NOW + dt.timedelta(days=3)
    passing = run(certificate(certificate_body=pem(far), private_key=SECRET))
    failing = run(certificate(certificate_body=pem(near), private_key=SECRET))
    assert (passing.status, passing.evidence) == (
        Status.PASS,
        {"not_after": far.isoformat(), "days_left": 90, "source": "certificate_body"},
    )
    assert (failing.status, failing.evidence) == (
        Status.FAIL,
        {"not_after": near.isoformat(), "days_left": 3, "source": "certificate_body"},
    )


def test_a_requested_certificate_without_an_expiry_is_not_applicable():
    result = run(certificate())
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"status": None})


@pytest.mark.parametrize("status", ["PENDING_VALIDATION", "FAILED", "REVOKED", "INACTIVE"])
def test_a_certificate_that_serves_no_tls_is_not_applicable(status):
    result = run(certificate(status=status, not_after="2026-12-02T00:00:00Z"))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, {"status": status})


@pytest.mark.parametrize(
    "props",
    [{"not_after": UNKNOWN}, {"certificate_body": SECRET}, {"status": UNKNOWN},
     {"status": "ISSUED"}, {"not_after": "soon"}, {"certificate_body": "not a certificate"}],
)  # fmt: skip
def test_an_expiry_that_cannot_be_read_is_not_evaluated(props):
    with pytest.raises(Undecidable, match="of api|api is ISSUED"):
        run(certificate(**props))


@pytest.mark.parametrize(
    ("not_after", "read_as", "days_left"),
    [
        # an offset other than UTC is kept: the instant, not the wall clock, decides
        ("2027-06-01T00:00:00+14:00", "2027-06-01T00:00:00+14:00", 180),
        # no offset at all: taken as UTC, not compared as a naive time
        ("2027-06-01T00:00:00", "2027-06-01T00:00:00+00:00", 181),
        # RFC 3339 allows the zone designator in lower case
        ("2027-06-01T00:00:00z", "2027-06-01T00:00:00+00:00", 181),
        # a date with a UTC designator (the xs:date form): midnight UTC that day
        ("2027-06-01Z", "2027-06-01T00:00:00+00:00", 181),
    ],
)
def test_a_recorded_expiry_is_read_in_its_own_time_zone(not_after, read_as, days_left):
    result = run(certificate(status="ISSUED", not_after=not_after))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"not_after": read_as, "days_left": days_left, "source": "not_after"},
    )
