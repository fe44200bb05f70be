"""Load balancer listeners as more than one check reads them: the listener types, whether a
listener only redirects to HTTPS, and whether a certificate is one ACM issued or imported."""

from __future__ import annotations

import re
from typing import Any

from checks.model import Resource
from checks.support.props import blocks, known

LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
# An ACM certificate's ARN in any partition (an IAM server certificate's is arn:aws:iam::...).
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/\S+$")


def redirects_to_https(listener: Resource) -> bool:
    """Every default action of the listener is a redirect to HTTPS (an unset redirect protocol
    keeps the request's, `#{protocol}`: HTTP stays HTTP)."""
    actions = blocks(known(listener, "default_actions"))
    return bool(actions) and all(
        a.get("type") == "redirect"
        and any(
            str(r.get("protocol", "#{protocol}")).upper() == "HTTPS"
            for r in blocks(a.get("redirect"))
        )
        for a in actions
    )


def is_acm_certificate(arn: Any) -> bool:
    """True for the ARN of an ACM certificate (issued by ACM or imported into it)."""
    return isinstance(arn, str) and _ACM_ARN.match(arn) is not None
