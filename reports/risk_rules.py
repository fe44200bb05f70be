"""Default likelihood of a finding being exploited, from its exposure: data, not code.

NIST SP 800-30 Rev. 1 rates likelihood from how reachable a vulnerability is to a threat
source. A configuration finding tells us most of that by what it is about: a resource open to
the internet or to any principal is found and exploited often (high); missing encryption or key
rotation bites only after another control fails (moderate); missing logs, backups or deletion
protection do not by themselves expose ePHI (low). The evidence can raise the default: an
ingress rule open to 0.0.0.0/0 or a wildcard principal is internet exposure whatever the check.

Keys are a check id, a control id ("RDS-02") or a control prefix ("NET-"); the most specific
key wins. A person confirms or overrides every default (`risk_overrides.yaml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.risk_scale import Level

_PUBLIC = "the resource is reachable from the internet or by any AWS principal"
_CREDENTIALS = "a leaked or misused credential would reach far beyond what the workload needs"
_ENCRYPTION = "exploitable only after another control fails (access to storage or backups)"
_TRANSIT = "exploitable by an attacker with a position on the network path"
_ROTATION = "a compromised key or secret stays usable longer than it should"
_DETECTION = "a gap in logging or detection: it delays discovery but exposes no data by itself"
_RESILIENCE = "a gap in backup or resilience: it matters when an accident or attack happens"

LIKELIHOOD_RULES: Mapping[str, tuple[Level, str]] = {
    # Checks, where the check says more than its control does.
    "sg_no_internet_admin_ports": (
        Level.VERY_HIGH,
        "SSH/RDP open to the internet: internet-wide scanners find such ports within minutes",
    ),
    "sg_no_internet_db_ports": (
        Level.VERY_HIGH,
        "database ports open to the internet: scanned and brute-forced continuously",
    ),
    "kms_key_policy_no_wildcard_principal": (Level.HIGH, _PUBLIC),
    # Controls and families.
    "S3-02": (Level.HIGH, _PUBLIC),
    "RDS-02": (Level.HIGH, _PUBLIC),
    "RDS-10": (Level.HIGH, _PUBLIC),
    "EC2-04": (Level.HIGH, _PUBLIC),
    "LAM-01": (Level.HIGH, _PUBLIC),
    "MSG-03": (Level.HIGH, _PUBLIC),
    "KMS-03": (Level.HIGH, _PUBLIC),
    "WAF-01": (Level.HIGH, "an internet-facing endpoint without a web application firewall"),
    "NET-": (Level.HIGH, "network exposure to the internet"),
    "NET-03": (Level.LOW, _DETECTION),
    "IAM-": (Level.HIGH, _CREDENTIALS),
    "IAM-05": (Level.MODERATE, _ROTATION),
    "IAM-06": (Level.MODERATE, "long sessions widen the window for a stolen session"),
    "SEC-03": (Level.HIGH, "a plaintext secret is readable by anyone who can read the config"),
    "RDS-03": (Level.MODERATE, _TRANSIT),
    "S3-03": (Level.MODERATE, _TRANSIT),
    "LB-01": (Level.MODERATE, _TRANSIT),
    "RDS-01": (Level.MODERATE, _ENCRYPTION),
    "RDS-04": (Level.MODERATE, "database passwords are a long-lived credential"),
    "S3-01": (Level.MODERATE, _ENCRYPTION),
    "EC2-01": (Level.MODERATE, _ENCRYPTION),
    "EC2-02": (Level.MODERATE, "IMDSv1 lets a server-side request forgery read credentials"),
    "EC2-03": (Level.MODERATE, "unpatched hosts accumulate known vulnerabilities"),
    "DDB-02": (Level.MODERATE, _ENCRYPTION),
    "SEC-02": (Level.MODERATE, _ENCRYPTION),
    "SEC-01": (Level.MODERATE, _ROTATION),
    "KMS-01": (Level.MODERATE, _ROTATION),
    "KMS-02": (Level.LOW, _RESILIENCE),
    "CWL-01": (Level.MODERATE, _ENCRYPTION),
    "MSG-01": (Level.MODERATE, _ENCRYPTION),
    "MSG-02": (Level.MODERATE, _ENCRYPTION),
    "BKP-02": (Level.MODERATE, _ENCRYPTION),
    "LAM-02": (Level.MODERATE, "a function outside a VPC reaches ePHI over public endpoints"),
    "LAM-03": (Level.MODERATE, _ENCRYPTION),
    "LOG-": (Level.LOW, _DETECTION),
    "LOG-03": (Level.MODERATE, _ENCRYPTION),
    "CWL-": (Level.LOW, _DETECTION),
    "DET-": (Level.LOW, _DETECTION),
    "S3-05": (Level.LOW, _DETECTION),
    "LB-02": (Level.LOW, _DETECTION),
    "WAF-02": (Level.LOW, _DETECTION),
    "RDS-09": (Level.LOW, _DETECTION),
    "BKP-": (Level.LOW, _RESILIENCE),
    "RDS-05": (Level.LOW, _RESILIENCE),
    "RDS-06": (Level.LOW, _RESILIENCE),
    "RDS-07": (Level.LOW, _RESILIENCE),
    "RDS-08": (Level.LOW, _RESILIENCE),
    "RDS-11": (Level.LOW, "missed minor versions accumulate known vulnerabilities slowly"),
    "S3-04": (Level.LOW, _RESILIENCE),
    "S3-06": (Level.LOW, _RESILIENCE),
    "DDB-01": (Level.LOW, _RESILIENCE),
    "DDB-03": (Level.LOW, _RESILIENCE),
    "LB-03": (Level.LOW, _RESILIENCE),
    "GOV-": (Level.MODERATE, "an administrative safeguard gap: it weakens every other control"),
}

FALLBACK = (Level.MODERATE, "no exposure rule for this check: moderate until a person rates it")

_WORLD_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
_PRINCIPAL_KEYS = frozenset({"principal", "principals"})


def _rule_for(check_id: str, control: str) -> tuple[Level, str] | None:
    if check_id in LIKELIHOOD_RULES:
        return LIKELIHOOD_RULES[check_id]
    if control in LIKELIHOOD_RULES:
        return LIKELIHOOD_RULES[control]
    prefixes = [key for key in LIKELIHOOD_RULES if key.endswith("-") and control.startswith(key)]
    return LIKELIHOOD_RULES[max(prefixes, key=len)] if prefixes else None


def _exposure_in(evidence: Any, key: str = "") -> str | None:
    """Why the evidence shows internet or any-principal exposure, if it does."""
    if isinstance(evidence, Mapping):
        if evidence.get("publicly_accessible") is True:
            return "the evidence shows the resource is publicly accessible"
        for k, v in evidence.items():
            found = _exposure_in(v, str(k).lower())
            if found:
                return found
        return None
    if isinstance(evidence, (list, tuple)):
        return next((why for v in evidence if (why := _exposure_in(v, key))), None)
    if evidence in _WORLD_CIDRS:
        return f"the evidence shows access open to the whole internet ({evidence})"
    if evidence == "*" and key in _PRINCIPAL_KEYS:
        return "the evidence shows a wildcard ('*') principal"
    return None


def default_likelihood(finding: Mapping[str, Any]) -> tuple[Level, str]:
    """The proposed likelihood of a finding and the reason for it."""
    level, why = _rule_for(finding["check_id"], finding.get("control") or "") or FALLBACK
    exposure = _exposure_in(finding.get("evidence") or {})
    if exposure and level < Level.HIGH:
        return Level.HIGH, f"{exposure} (raised from {level.label}: {why})"
    return level, why
