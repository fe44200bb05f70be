"""Account-level findings have a stable scope id a waiver can name, and every report says how
many resources each waiver reaches."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from checks.aws import detection, rds
from checks.errors import InputError
from checks.evaluate import account_scope, evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from policies.assess import assess
from policies.framework import load_framework
from policies.inputs import PolicyInputs
from policies.profiles import load_profile
from policies.record import build_record
from policies.waivers import load_waivers
from reports.html import render_html
from reports.markdown import render_markdown

REGISTRY = build_registry([detection, rds])
KNOWN = {c.id for c in REGISTRY}
GENERATED_AT = "2026-11-26T00:00:00Z"
GUARDDUTY = "guardduty_enabled_all_regions"


def _bucketless_db(name: str, account: str | None, region: str | None) -> Resource:
    urn = f"urn:pulumi:dev::demo::aws:rds/instance:Instance::{name}"
    props = {"engine": "postgres", "storage_encrypted": True, "deletion_protection": False}
    return Resource(
        "aws:rds/instance:Instance", name, props, urn=urn, id=name, account=account, region=region
    )


def _account_finding(resources: list[Resource]):
    evaluation = evaluate(Inventory(resources), REGISTRY)
    (finding,) = [f for f in evaluation.findings if f.check.id == GUARDDUTY]
    return finding


def test_an_account_level_finding_carries_the_account_and_region_as_its_scope():
    finding = _account_finding([_bucketless_db("db", "111122223333", "us-east-1")])
    assert finding.resource is None
    assert finding.status is Status.FAIL
    assert finding.scope == "account:111122223333:us-east-1"
    expected = hashlib.sha256(f"{GUARDDUTY}|account:111122223333:us-east-1".encode()).hexdigest()
    assert finding.id == "F-" + expected[:12]


def test_the_finding_id_is_check_times_scope_stable_across_runs_distinct_across_accounts():
    one = _account_finding([_bucketless_db("db", "111122223333", "us-east-1")])
    again = _account_finding([_bucketless_db("other-db", "111122223333", "us-east-1")])
    elsewhere = _account_finding([_bucketless_db("db", "444455556666", "us-east-1")])
    other_region = _account_finding([_bucketless_db("db", "111122223333", "eu-west-1")])
    assert one.id == again.id
    assert len({one.id, elsewhere.id, other_region.id}) == 3


@pytest.mark.parametrize(
    ("placements", "scope"),
    [
        ([(None, "us-east-1")], "account:unknown:us-east-1"),
        ([(None, None)], "account:unknown:unknown"),
        (
            [("444455556666", "us-west-2"), ("111122223333", "us-east-1")],
            "account:111122223333+444455556666:us-east-1+us-west-2",
        ),
        # values that are not an account id or a region never make it into the id
        ([("[secret]", "us-east-1"), ("12345", "not a region")], "account:unknown:us-east-1"),
    ],
)
def test_the_scope_says_unknown_or_lists_every_account_and_region(placements, scope):
    resources = [_bucketless_db(f"db{i}", a, r) for i, (a, r) in enumerate(placements)]
    assert account_scope(Inventory(resources)) == scope


WAIVER = """\
waivers:
  - id: W-ORG
    check: guardduty_enabled_all_regions
    resources: ["{scope}"]
    type: compensating_control
    justification: GuardDuty is run for the organization from the security account.
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: 2027-05-01
"""


def _assess(resources: list[Resource], waivers_path: Path):
    waivers = tuple(load_waivers(waivers_path, KNOWN))
    inputs = PolicyInputs(
        profile=load_profile("default"), framework=load_framework(), waivers=waivers
    )
    evaluation = evaluate(Inventory(resources), REGISTRY)
    return assess(evaluation, inputs, source={"kind": "state"}, generated_at=GENERATED_AT)


def test_a_waiver_names_an_account_scope_exactly(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(WAIVER.format(scope="account:111122223333:us-east-1"))
    here = _assess([_bucketless_db("db", "111122223333", "us-east-1")], path)
    (waived,) = [f for f in here.findings if f.check.id == GUARDDUTY]
    assert (waived.status, waived.waiver_id) == (Status.WAIVED, "W-ORG")
    # another account, or another region, is not what the waiver names
    for account, region in (("444455556666", "us-east-1"), ("111122223333", "eu-west-1")):
        there = _assess([_bucketless_db("db", account, region)], path)
        (finding,) = [f for f in there.findings if f.check.id == GUARDDUTY]
        assert finding.status is Status.FAIL


def test_the_record_carries_the_scope_and_how_far_each_waiver_reaches(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(WAIVER.format(scope="account:111122223333:us-east-1"))
    record = build_record(_assess([_bucketless_db("db", "111122223333", "us-east-1")], path))
    (finding,) = [f for f in record["findings"] if f["check_id"] == GUARDDUTY]
    assert finding["resource"] is None
    assert finding["scope"] == "account:111122223333:us-east-1"
    assert finding["status"] == "WAIVED"
    resource_findings = [f for f in record["findings"] if f["resource"] is not None]
    assert resource_findings and all(f["scope"] is None for f in resource_findings)
    (waiver,) = record["waivers"]
    assert waiver["covers_resources"] == 1
    assert waiver["covers_findings"] == [finding["id"]]


PATTERN_WAIVER = """\
waivers:
  - id: W-DBS
    check: rds_instance_deletion_protection
    resource_pattern: "urn:pulumi:dev::demo::aws:rds/instance:Instance::app-db-*"
    type: risk_acceptance
    justification: Dev databases hold synthetic data.
    approver: Dana Lee, Security Official
    approved: 2026-11-01
    expires: 2027-05-01
"""


def test_reach_counts_every_resource_a_pattern_names_whatever_its_status(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(PATTERN_WAIVER)
    dbs = [_bucketless_db(f"app-db-{i}", "111122223333", "us-east-1") for i in range(3)]
    protected = Resource(
        dbs[0].type,
        "app-db-protected",
        {**dbs[0].props, "deletion_protection": True},
        urn=dbs[0].urn.replace("app-db-0", "app-db-protected"),
        account="111122223333",
        region="us-east-1",
    )
    other = _bucketless_db("billing-db", "111122223333", "us-east-1")
    record = build_record(_assess([*dbs, protected, other], path))
    (waiver,) = record["waivers"]
    assert waiver["covers_resources"] == 4  # three failing, one passing; billing-db not named
    assert len(waiver["covers_findings"]) == 3
    markdown = render_markdown(record)
    assert (
        "| `W-DBS` | `rds_instance_deletion_protection` | active | names 4 resources, waives 3 |"
        in (markdown)
    )
    html = render_html(record)
    assert "names <b>4</b> resources of its check" in html


def test_a_pattern_never_matches_an_account_scope(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(PATTERN_WAIVER)
    (waiver,) = load_waivers(path, KNOWN)
    assert not waiver.covers("rds_instance_deletion_protection", "account:111122223333:us-east-1")


def test_an_account_scope_cannot_be_written_as_a_pattern(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        WAIVER.format(scope="x").replace('resources: ["x"]', 'resource_pattern: "account:*"')
    )
    with pytest.raises(InputError, match="resource_pattern must name"):
        load_waivers(path, KNOWN)


def test_the_command_waives_an_account_level_finding_of_a_state_file_by_its_scope(tmp_path):
    """The issue's case: a trail run from the organization's account, recorded as a waiver."""
    import json

    from scripts.cli import main

    state = Path(__file__).parents[1] / "fixtures" / "pulumi" / "state_diy_checkpoint.json"
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        WAIVER.format(scope="account:111122223333:us-east-1").replace(
            "guardduty_enabled_all_regions", "cloudtrail_enabled_multi_region"
        )
    )
    out = tmp_path / "out"
    args = ["scan", "--state", str(state), "--waivers", str(waivers), "--out", str(out), "-q"]
    args += ["--scope", "account"]  # the stack declares none of the baseline: judge it anyway
    main(args)
    record = json.loads((out / "safeguard-scan.json").read_text())
    (trail,) = [f for f in record["findings"] if f["check_id"] == "cloudtrail_enabled_multi_region"]
    assert (trail["status"], trail["waiver_id"]) == ("WAIVED", "W-ORG")
    assert trail["scope"] == "account:111122223333:us-east-1"
    assert record["waivers"][0]["covers_resources"] == 1
