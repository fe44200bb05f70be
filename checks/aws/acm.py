"""ACM: certificates are not close to expiry (control ACM-01).

An expiry is a fact of an issued certificate, not of a request for one. The live account and a
state file record it (`not_after`); an imported certificate carries it in its PEM body, which a
program declares. A program or preview that requests a certificate from ACM (DNS or e-mail
validation, or a private CA) declares no expiry: there the check is NOT_APPLICABLE, saying so.
That is a decision, not a gap: ACM issues such certificates for 395 days and renews them itself
while they are in use, so the request has no expiry to judge until the live audit (or a state
export) sees the certificate issued. A certificate that is not issued (pending validation,
failed, revoked, inactive) serves no TLS and is not applicable either (a revoked one is
refused by clients whatever its expiry); an EXPIRED one fails.

Days are counted to when the check runs.
"""

from __future__ import annotations

import datetime as dt

from checks.model import Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.props import known

CHECKS: list[Check] = []

CERTIFICATE = "aws:acm/certificate:Certificate"
# AWS Config acm-certificate-expiration-check's default daysToExpiration.
MIN_DAYS_LEFT = 14
_NOT_SERVING = frozenset(
    {"PENDING_VALIDATION", "FAILED", "VALIDATION_TIMED_OUT", "INACTIVE", "REVOKED"}
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(res: Resource, text: object) -> dt.datetime:
    try:
        # RFC 3339 allows a lower-case "z" for UTC; fromisoformat reads only "Z".
        when = dt.datetime.fromisoformat(str(text).upper().replace("Z", "+00:00"))
    except ValueError:
        raise Undecidable(f"not_after of {res.name} is not a time ({text!r})") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _pem_expiry(res: Resource, body: object) -> dt.datetime:
    from cryptography import x509  # only an imported certificate's body needs it

    try:
        cert = x509.load_pem_x509_certificate(str(body).encode())
    except ValueError:
        raise Undecidable(f"the certificate_body of {res.name} is not a PEM certificate") from None
    return cert.not_valid_after_utc


def _expiry(res: Resource) -> tuple[dt.datetime | None, str]:
    """When the certificate expires and what said so; None when the source cannot know."""
    not_after = known(res, "not_after")
    if not_after:
        return _time(res, not_after), "not_after"
    body = known(res, "certificate_body")
    if body:
        return _pem_expiry(res, body), "certificate_body"
    return None, ""


@check(
    into=CHECKS,
    id="acm_certificate_not_expiring",
    control="ACM-01",
    title=f"ACM certificate does not expire within {MIN_DAYS_LEFT} days",
    severity=Severity.MEDIUM,
    config_rule="acm-certificate-expiration-check",
    resource_types=(CERTIFICATE,),
    remediation=(
        "Request certificates from ACM with DNS validation (validation records kept in "
        "place, so ACM renews them); re-import an imported certificate before it expires."
    ),
    pulumi_fix='cert = aws.acm.Certificate("api", domain_name="api.example.com",\n'
    '    validation_method="DNS")\n'
    'aws.acm.CertificateValidation("api", certificate_arn=cert.arn,\n'
    "    validation_record_fqdns=[record.fqdn for record in validation_records])",
)
def acm_certificate_not_expiring(res: Resource, inv: Inventory) -> Result:
    """TLS keeps protecting ePHI in transit: no certificate lapses into errors that push
    clients to bypass it."""
    status = str(known(res, "status") or "").upper()
    if status == "EXPIRED":
        return failed("the certificate has expired", status=status, days_left=None)
    if status in _NOT_SERVING:
        return not_applicable(f"the certificate serves no TLS ({status})", status=status)
    expires, said_by = _expiry(res)
    if expires is None:
        if status:
            raise Undecidable(f"{res.name} is {status} but its expiry is not recorded")
        return not_applicable(
            "a certificate requested from ACM: its expiry exists once issued (ACM issues for "
            "395 days and renews it), judged on the live account or a state export",
            status=None,
        )
    days = (expires - _now()) / dt.timedelta(days=1)
    evidence = {"not_after": expires.isoformat(), "days_left": int(days), "source": said_by}
    if days > MIN_DAYS_LEFT:
        return passed(f"expires in {int(days)} days ({expires:%Y-%m-%d})", **evidence)
    if days <= 0:
        return failed(f"expired on {expires:%Y-%m-%d}", **evidence)
    return failed(f"expires in {days:.1f} days ({expires:%Y-%m-%d})", **evidence)
