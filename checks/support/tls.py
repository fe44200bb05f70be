"""TLS security policies of load balancer listeners: the provider's default, the one we
recommend, and which ones refuse every protocol below TLS 1.2."""

from __future__ import annotations

import re

# The provider's default policy when an HTTPS/TLS listener names none: it allows TLS 1.0.
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
# The policy remediation names: TLS 1.3 and 1.2 only.
RECOMMENDED_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ELBv2 policy names state their lowest protocol version: TLS13-1-2, TLS-1-2, FS-1-2 and so on.
_TLS12_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-")


def is_tls12_policy(policy: str) -> bool:
    """True for an ELBv2 security policy whose lowest protocol is TLS 1.2 or later."""
    return _TLS12_POLICY.match(policy) is not None
