"""Network ACLs: no SSH or RDP from the whole internet, rules read in number order as AWS does."""

from __future__ import annotations

import dataclasses

import pytest

from checks.aws.nacl import nacl_no_internet_admin_ingress
from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"


def acl(*ingress: dict, token: str = "aws:ec2/networkAcl:NetworkAcl") -> Resource:
    return Resource(
        token, "public-acl", {"vpc_id": "vpc-0abc", "ingress": list(ingress)}, id="acl-1"
    )


def entry(rule_no: int, action: str, from_port=0, to_port=0, protocol="tcp", cidr="0.0.0.0/0"):
    key = "ipv6_cidr_block" if ":" in str(cidr) else "cidr_block"
    return {
        "rule_no": rule_no,
        "action": action,
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        key: cidr,
    }


def shown(number, action, low=0, high=0, protocol="tcp", cidr="0.0.0.0/0", by="public-acl"):
    """A rule as the evidence shows it."""
    return {
        "rule_number": number,
        "action": action,
        "protocol": protocol,
        "from_port": low,
        "to_port": high,
        "cidr": cidr,
        "declared_by": by,
    }


def separate(name: str, number: int, action: str, low: int, high: int, **props) -> Resource:
    return Resource(
        ACL_RULE,
        name,
        {"network_acl_id": "acl-1", "rule_number": number, "egress": False, "protocol": "6",
         "rule_action": action, "cidr_block": "0.0.0.0/0", "from_port": low, "to_port": high,
         **props},
    )  # fmt: skip


def judge(*resources: Resource) -> tuple:
    result = nacl_no_internet_admin_ingress(resources[0], Inventory(resources))
    return result.status, dict(result.evidence)


SHUT = (Status.PASS, {"allowing_rules": {}})


def test_acl_allowing_everything_from_the_internet_fails():
    assert judge(acl(entry(100, "allow", protocol="-1"))) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", protocol="-1")],
                            "RDP": [shown(100, "allow", protocol="-1")]}},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("low", "high", "status", "admitted"),
    [
        (21, 21, Status.PASS, ()),
        (22, 22, Status.FAIL, ("SSH",)),
        (23, 23, Status.PASS, ()),
        (3388, 3388, Status.PASS, ()),
        (3389, 3389, Status.FAIL, ("RDP",)),
        (3390, 3390, Status.PASS, ()),
        (0, 1023, Status.FAIL, ("SSH",)),
        (1024, 65535, Status.FAIL, ("RDP",)),
        (23, 3388, Status.PASS, ()),
        (22, 3389, Status.FAIL, ("SSH", "RDP")),
        (10, 22, Status.FAIL, ("SSH",)),
        (3389, 4000, Status.FAIL, ("RDP",)),
    ],
)
def test_admin_port_boundaries(low, high, status, admitted):
    rule = entry(100, "allow", low, high)
    assert judge(acl(rule)) == (
        status,
        {"allowing_rules": {name: [shown(100, "allow", low, high)] for name in admitted}},
    )


@pytest.mark.parametrize("protocol", ["icmp", "1", "58"])
def test_other_transports_do_not_admit_ssh_or_rdp(protocol):
    assert judge(acl(entry(100, "allow", 0, 65535, protocol=protocol))) == SHUT


@pytest.mark.parametrize("protocol", ["udp", "17"])
def test_udp_admits_rdp_but_not_ssh(protocol):
    assert judge(acl(entry(100, "allow", 0, 65535, protocol=protocol))) == (
        Status.FAIL,
        {"allowing_rules": {"RDP": [shown(100, "allow", 0, 65535, protocol=protocol)]}},
    )


def test_ipv4_and_ipv6_rules_admitting_the_same_port_are_both_shown():
    both = acl(entry(100, "allow", 22, 22), entry(110, "allow", 22, 22, cidr="::/0"))
    assert judge(both) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22),
                                    shown(110, "allow", 22, 22, cidr="::/0")]}},
    )  # fmt: skip


def test_earlier_deny_wins_and_https_only_passes():
    guarded = acl(
        entry(50, "deny", 22, 22),
        entry(60, "deny", 3389, 3389),
        entry(70, "deny", 3389, 3389, protocol="udp"),
        entry(100, "allow", protocol="-1"),
    )
    assert judge(guarded) == SHUT
    tcp_only = acl(entry(50, "deny", 22, 22), entry(60, "deny", 3389, 3389),
                   entry(100, "allow", protocol="-1"))  # fmt: skip
    assert judge(tcp_only) == (
        Status.FAIL, {"allowing_rules": {"RDP": [shown(100, "allow", protocol="-1")]}}
    )  # fmt: skip
    https = acl(entry(100, "allow", 443, 443), entry(110, "allow", 1024, 65535, cidr="10.0.0.0/8"))
    assert judge(https) == SHUT


def test_a_later_deny_does_not_undo_an_earlier_allow_whatever_the_declared_order():
    late_deny = acl(entry(100, "deny", 22, 22), entry(10, "allow", 22, 22))
    assert judge(late_deny) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(10, "allow", 22, 22)]}},
    )


def test_a_narrower_deny_or_a_deny_of_other_ports_does_not_shut_the_door():
    narrow = acl(entry(50, "deny", 22, 22, cidr="10.0.0.0/8"), entry(100, "allow", 22, 22))
    assert judge(narrow) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22)]}},
    )
    other = acl(entry(50, "deny", 443, 443), entry(100, "allow", 22, 22))
    assert judge(other) == (Status.FAIL, {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22)]}})
    narrow_allow = acl(entry(100, "allow", 22, 22, cidr="203.0.113.0/24"))
    assert judge(narrow_allow) == SHUT


def test_ipv4_deny_does_not_close_ipv6():
    rules = acl(
        entry(50, "deny", 22, 22),
        entry(60, "deny", 3389, 3389),
        entry(100, "allow", 22, 22, cidr="::/0"),
    )
    assert judge(rules) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22, cidr="::/0")]}},
    )


def test_ipv6_deny_does_not_close_ipv4():
    rules = acl(entry(50, "deny", 22, 22, cidr="::/0"), entry(100, "allow", 22, 22))
    assert judge(rules) == (Status.FAIL, {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22)]}})


def test_the_action_is_read_in_any_case():
    assert judge(acl(entry(100, "ALLOW", 22, 22))) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", 22, 22)]}},
    )
    assert judge(acl(entry(50, "DENY", 22, 22), entry(100, "allow", 22, 22))) == SHUT


def test_an_acl_without_rules_admits_nothing():
    assert judge(acl()) == SHUT
    assert judge(acl(token="aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")) == SHUT


def test_the_default_acl_is_judged_like_any_other():
    default = acl(
        entry(100, "allow", protocol="-1"), token="aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
    )
    assert judge(default) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(100, "allow", protocol="-1")],
                            "RDP": [shown(100, "allow", protocol="-1")]}},
    )  # fmt: skip


# -- rules declared as resources of their own ------------------------------------------------------


def test_a_separate_rule_is_ordered_with_the_inline_ones():
    early_allow = separate("ssh-in", 10, "allow", 22, 22)
    assert judge(acl(entry(100, "deny", 22, 22)), early_allow) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(10, "allow", 22, 22, protocol="6", by="ssh-in")]}},
    )
    early_deny = separate("ssh-deny", 10, "deny", 22, 22)
    assert judge(acl(entry(100, "allow", 22, 22)), early_deny) == SHUT


def test_a_separate_rule_that_does_not_say_egress_is_ingress():
    said = separate("ssh-in", 10, "allow", 22, 22)
    unsaid = dataclasses.replace(said, props={k: v for k, v in said.props.items() if k != "egress"})
    assert judge(acl(), unsaid) == (
        Status.FAIL,
        {"allowing_rules": {"SSH": [shown(10, "allow", 22, 22, protocol="6", by="ssh-in")]}},
    )


def test_a_separate_egress_rule_or_a_rule_of_another_acl_is_ignored():
    egress = separate("ssh-out", 10, "allow", 22, 22, egress=True)
    theirs = separate("theirs", 10, "allow", 22, 22, network_acl_id="acl-9")
    assert judge(acl(), egress, theirs) == SHUT


@pytest.mark.parametrize(
    "others",
    [
        (),
        (separate("pending", 10, "allow", 22, 22, network_acl_id=UNKNOWN),),
        (separate("pending", 10, "allow", 22, 22, egress=UNKNOWN),),
    ],
    ids=["inline", "separate-acl", "separate-direction"],
)
def test_a_rule_that_cannot_be_seen_is_undecidable(others):
    target = acl(entry(100, "allow", cidr=UNKNOWN)) if not others else acl()
    with pytest.raises(Undecidable):
        judge(target, *others)


def test_a_rule_without_a_number_is_read_as_number_zero_and_comes_first():
    unnumbered = {**entry(0, "deny", 22, 22), "rule_no": None}
    target = acl(entry(1, "allow", 22, 22), unnumbered)
    result = nacl_no_internet_admin_ingress(target, Inventory([]))
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "SSH and RDP from the internet are not admitted",
        {"allowing_rules": {}},
    )


def test_a_rule_whose_acl_cannot_be_seen_leaves_the_acl_undecided_beside_a_seen_deny():
    seen = separate("deny-ssh", 10, "deny", 22, 22)
    pending = separate("pending", 5, "allow", 22, 22, network_acl_id=UNKNOWN)
    with pytest.raises(Undecidable) as caught:
        judge(acl(), seen, pending)
    assert str(caught.value) == (
        "the network_acl_id of pending cannot be seen, so whether it names public-acl "
        "cannot be told"
    )
