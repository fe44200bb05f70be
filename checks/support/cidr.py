"""Network facts shared by the security group and network ACL checks: internet CIDRs, protocols
and port coverage."""

from __future__ import annotations

import ipaddress
from typing import Any

# Protocol spellings that mean "every protocol, every port".
ALL_PROTOCOLS = frozenset({"-1", "all"})
# IANA numbers AWS accepts in place of the protocol names.
_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_MAX_PORT = 65535


def is_internet(cidr: Any) -> bool:
    """True when `cidr` is an any-address block (0.0.0.0/0, ::/0, ::0/0, ...).

    Only /0 counts: a set of narrower blocks that together span the internet is not detected.
    """
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def normalise_protocol(protocol: Any) -> str:
    """Lower-case protocol name: 'TCP' and '6' become 'tcp', -1 becomes '-1'."""
    text = str(protocol).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text)


def covers_port(protocol: Any, from_port: Any, to_port: Any, port: int, transport: str) -> bool:
    """True when a rule with this protocol and port range admits `port` over `transport`.

    An all-protocols rule covers every port; a missing bound is read as open on that side,
    because AWS only omits ports for rules that are not port-limited.
    """
    proto = normalise_protocol(protocol)
    if proto in ALL_PROTOCOLS:
        return True
    if proto != transport:
        return False
    low = 0 if from_port is None else int(from_port)
    high = _MAX_PORT if to_port is None else int(to_port)
    return low <= port <= high
