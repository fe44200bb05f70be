"""Waivers that cannot blanket: a pattern names a resource type and a literal part of a name,
every field has the shape it must, and the record says how far each waiver reaches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.evaluate import Finding
from checks.library import build_registry
from checks.model import Resource
from checks.registry import Status
from policies.waivers import apply_waivers, load_waivers

REGISTRY = build_registry()
KNOWN = {c.id for c in REGISTRY}
DAY = dt.date(2026, 11, 26)
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_URN = f"urn:pulumi:dev::demo::{SG}::ssh-from-anywhere"

WAIVER = """\
waivers:
  - id: W-1
    check: {check}
    {scope}
    type: risk_acceptance
    justification: A bastion host in front of it until the VPN lands.
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: 2027-05-01
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _pattern_file(tmp_path: Path, pattern: str, check: str = "sg_no_internet_admin_ports") -> Path:
    scope = "resource_pattern: '" + pattern.replace("'", "''") + "'"
    return _file(tmp_path, WAIVER.format(check=check, scope=scope))


# The issue's patterns first, then twins: every one would waive every security group of a
# critical check (or every resource of any type) if it were accepted.
BLANKET_PATTERNS = [
    "?*",
    "*?",
    "[u]*",
    "*",
    "**",
    "***?",
    "*::*",
    "*::*::*",
    "urn:*",
    "urn:pulumi:*",
    "[a-z]*",
    "[!x]*",
    "*Bucket*",
    "*SecurityGroup*",
    "*ssh*",
    "ssh-from-anywhere",
    # a type, but no literal name part (or too short a one)
    f"urn:pulumi:dev::demo::{SG}::*",
    f"*::{SG}::*",
    f"*::{SG}::?*",
    f"*::{SG}::[s]*",
    f"*::{SG}::[a-z][a-z][a-z]*",
    f"*::{SG}::s*",
    f"*::{SG}::ss*",
    f"*::{SG}::s?h*",
    f"*::{SG}::*::*",
    f"*::{SG}::*[ssh]*",
    # a literal name part, but no literal type
    "urn:pulumi:dev::demo::*::ssh-from-anywhere",
    "*::ssh-from-anywhere",
    "*SecurityGroup::ssh-from-anywhere",
    "urn:pulumi:dev::demo::aws:ec2/*:SecurityGroup::ssh-from-anywhere",
    "urn:pulumi:dev::demo::aws:ec2/securityGroup:Security?roup::ssh-from-anywhere",
    "urn:pulumi:dev::demo::aws:ec2/securityGroup:[S]ecurityGroup::ssh-from-anywhere",
    "urn:pulumi:dev::demo::aws:ec2::ssh-from-anywhere",
    "urn:pulumi:dev::demo::ssh-from-anywhere::*",
]


@pytest.mark.parametrize("pattern", BLANKET_PATTERNS)
def test_a_pattern_without_a_literal_type_and_name_part_is_refused(tmp_path, pattern):
    path = _pattern_file(tmp_path, pattern)
    with pytest.raises(InputError) as err:
        load_waivers(path, KNOWN)
    message = str(err.value)
    assert message.startswith(f"{path}: line 2: waiver W-1: resource_pattern must name ")
    assert repr(pattern) in message


NARROW_PATTERNS = [
    (f"urn:pulumi:dev::demo::{SG}::ssh-*", True),
    (f"*::{SG}::*-from-*", True),
    (f"urn:pulumi:*::{SG}::ssh?from?anywhere", True),
    (f"urn:pulumi:dev::demo::*${SG}::ssh-from-*", False),  # only under a parent
    (f"urn:pulumi:dev::demo::{SG}::web-*", False),
    (f"urn:pulumi:prod::demo::{SG}::ssh-*", False),
    ("urn:pulumi:dev::demo::aws:ec2/securityGroupRule:SecurityGroupRule::ssh-*", False),
]


@pytest.mark.parametrize(("pattern", "covers"), NARROW_PATTERNS)
def test_a_narrow_pattern_is_accepted_and_covers_only_what_it_names(tmp_path, pattern, covers):
    (waiver,) = load_waivers(_pattern_file(tmp_path, pattern), KNOWN)
    assert waiver.covers("sg_no_internet_admin_ports", SG_URN) is covers
    other = SG_URN.replace("ssh-from-anywhere", "db-open")
    assert not waiver.covers("sg_no_internet_admin_ports", other)
    assert not waiver.covers("s3_bucket_policy_not_public", SG_URN)


def test_a_parented_resource_is_named_through_its_parent_chain(tmp_path):
    child = f"urn:pulumi:dev::demo::my:net:Tier${SG}::ssh-from-anywhere"
    (waiver,) = load_waivers(_pattern_file(tmp_path, f"urn:pulumi:dev::demo::*${SG}::ssh-*"), KNOWN)
    assert waiver.covers("sg_no_internet_admin_ports", child)
    (literal,) = load_waivers(
        _pattern_file(tmp_path, f"urn:pulumi:dev::demo::my:net:Tier${SG}::ssh-*"), KNOWN
    )
    assert literal.covers("sg_no_internet_admin_ports", child)


def _sg_finding(urn: str, status: Status = Status.FAIL) -> Finding:
    res = Resource(SG, urn.rsplit("::", 1)[1], {}, urn=urn)
    return Finding(REGISTRY.get("sg_no_internet_admin_ports"), status, "", {}, res)


def test_the_issue_blanket_would_have_waived_every_group_now_nothing_is_waived(tmp_path):
    """The issue's case end to end: `?*` on the critical SG check is refused at load time; the
    narrow twin waives the one group it names and nothing else."""
    with pytest.raises(InputError):
        load_waivers(_pattern_file(tmp_path, "?*"), KNOWN)
    waivers = tuple(load_waivers(_pattern_file(tmp_path, f"*::{SG}::ssh-from-*"), KNOWN))
    findings = (_sg_finding(SG_URN), _sg_finding(SG_URN.replace("ssh-from-anywhere", "admin")))
    out, _ = apply_waivers(findings, waivers, DAY)
    assert [f.status for f in out] == [Status.WAIVED, Status.FAIL]


@pytest.mark.parametrize(
    ("field_yaml", "field"),
    [
        ("check: [sg_no_internet_admin_ports, rds_multi_az]", "check"),
        ("check: {a: 1}", "check"),
        ("check: 42", "check"),
        ("id: [W-1, W-2]", "id"),
        ("id: 7", "id"),
        ("type: [risk_acceptance]", "type"),
        ("justification: [because]", "justification"),
        ("approver: {name: Dana}", "approver"),
        ("approver: 12", "approver"),
        ("ticket: [SEC-1]", "ticket"),
        ("resource_pattern: [a, b]", "resource_pattern"),
        ("resources: urn:pulumi:dev::demo::x::y", "resources"),
        ("resources: [[a]]", "resources"),
        ("compensating_controls: {a: b}", "compensating_controls"),
    ],
)
def test_a_field_of_the_wrong_shape_is_an_input_error_with_file_and_line(
    tmp_path, field_yaml, field
):
    key = field_yaml.split(":", 1)[0]
    lines = WAIVER.format(
        check="sg_no_internet_admin_ports", scope=f'resources: ["{SG_URN}"]'
    ).splitlines()
    lines = [ln for ln in lines if not ln.strip().startswith(f"{key}:")]
    if key == "id":
        lines[1] = f"  - {field_yaml}"
    else:
        lines.insert(2, f"    {field_yaml}")
    if key == "resource_pattern":
        lines = [ln for ln in lines if "resources:" not in ln]
    path = _file(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        load_waivers(path, KNOWN)
    message = str(err.value)
    assert message.startswith(f"{path}: line 2: waiver ")
    assert f"'{field}'" in message


def test_a_non_text_key_is_an_unknown_field_not_a_crash(tmp_path):
    text = WAIVER.format(check="sg_no_internet_admin_ports", scope=f'resources: ["{SG_URN}"]')
    path = _file(tmp_path, text + "    1: one\n    null: nothing\n")
    # Refused by the YAML loader (keys must be text) or as unknown fields: either way one line
    # naming the file and the line, never a TypeError from sorting mixed keys.
    with pytest.raises(InputError) as err:
        load_waivers(path, KNOWN)
    assert str(err.value).startswith(f"{path}: line ")


def test_the_exact_issue_case_check_list_through_the_command(tmp_path, capsys):
    from scripts.cli import main

    text = WAIVER.format(
        check="[sg_no_internet_admin_ports, rds_multi_az]", scope=f'resources: ["{SG_URN}"]'
    )
    path = _file(tmp_path, text)
    preview = Path(__file__).parents[1] / "fixtures" / "pulumi" / "preview_first_create.json"
    code = main(
        ["scan", "--preview", str(preview), "--waivers", str(path), "--out", str(tmp_path / "o")]
    )
    assert code == 2
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("safeguard: error:")]
    assert line.startswith(f"safeguard: error: {path}: line 2: waiver W-1: 'check' must be")
    assert "Traceback" not in err
