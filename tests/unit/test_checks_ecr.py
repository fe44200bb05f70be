"""ECR checks on hand-built inventories: repository policies open to anyone, image scanning (the
repository's own and the registry's rules), and tag immutability."""

from __future__ import annotations

import json

import pytest

from checks.aws.ecr import (
    ecr_image_scanning_enabled,
    ecr_repository_policy_not_public,
    ecr_tag_immutability,
)
from checks.model import HIDDEN_REGION, SECRET, UNKNOWN, Inventory, Resource, Undecidable
from checks.registry import Status

REPOSITORY = "aws:ecr/repository:Repository"
POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
REGISTRY = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
DEPLOY = {"AWS": "arn:aws:iam::111122223333:role/deploy"}


def repo(**props) -> Resource:
    return Resource(REPOSITORY, "claims-api", {"name": "claims-api", **props}, region="us-east-1")


def policy(*statements: dict) -> Resource:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Resource(POLICY, "claims-api", {"repository": "claims-api", "policy": document})


def registry(scan_type: str, *rules: dict, region: str | None = "us-east-1") -> Resource:
    return Resource(
        REGISTRY, "scanning", {"scan_type": scan_type, "rules": list(rules)}, region=region
    )


def rule(frequency: str, *filters: str) -> dict:
    return {
        "scan_frequency": frequency,
        "repository_filters": [{"filter": f, "filter_type": "WILDCARD"} for f in filters],
    }


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- ecr_repository_policy_not_public ------------------------------------------------------------

PULL = {"Sid": "Pull", "Effect": "Allow", "Action": ["ecr:BatchGetImage"]}


def test_named_principal_passes():
    result = run(ecr_repository_policy_not_public, policy({**PULL, "Principal": DEPLOY}))
    assert (result.status, result.evidence) == (Status.PASS, {"wildcard_statements": []})


def test_wildcard_narrowed_by_a_condition_passes():
    narrowed = {**PULL, "Principal": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}  # fmt: skip
    result = run(ecr_repository_policy_not_public, policy(narrowed))
    assert (result.status, result.evidence) == (Status.PASS, {"wildcard_statements": []})


def test_anyone_may_pull_fails():
    result = run(ecr_repository_policy_not_public, policy({**PULL, "Principal": "*"}))
    assert (result.status, result.message) == (
        Status.FAIL,
        "anyone may pull the repository's images",
    )
    assert result.evidence == {"wildcard_statements": [{
        "statement": "Pull", "effect": "Allow", "action": ["ecr:BatchGetImage"], "resource": [],
        "principal": "*"}]}  # fmt: skip


@pytest.mark.parametrize("action", ["ecr:PutImage", "ecr:DeleteRepository", "ecr:*", "*"])
def test_anyone_may_write_fails_saying_so(action):
    open_write = {"Sid": "Push", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": action}
    result = run(
        ecr_repository_policy_not_public, policy({**PULL, "Principal": DEPLOY}, open_write)
    )
    assert (result.status, result.message) == (
        Status.FAIL,
        "anyone may push, delete or re-permission images",
    )
    assert [s["statement"] for s in result.evidence["wildcard_statements"]] == ["Push"]


def test_a_denying_wildcard_statement_passes():
    deny = {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "ecr:DeleteRepository"}
    result = run(ecr_repository_policy_not_public, policy({**PULL, "Principal": DEPLOY}, deny))
    assert (result.status, result.evidence) == (Status.PASS, {"wildcard_statements": []})


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET])
def test_a_policy_that_cannot_be_read_is_not_evaluated(hidden):
    res = Resource(POLICY, "claims-api", {"repository": "claims-api", "policy": hidden})
    with pytest.raises(Undecidable):
        run(ecr_repository_policy_not_public, res)


# -- ecr_image_scanning_enabled ------------------------------------------------------------------


def test_scan_on_push_passes():
    result = run(
        ecr_image_scanning_enabled, repo(image_scanning_configuration={"scan_on_push": True})
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"scan_on_push": True, "registry_scan_frequencies": []},
    )


@pytest.mark.parametrize("props", [{}, {"image_scanning_configuration": {"scan_on_push": False}}])
def test_no_scanning_fails_and_is_the_default(props):
    result = run(ecr_image_scanning_enabled, repo(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"scan_on_push": False, "registry_scan_frequencies": []},
    )


@pytest.mark.parametrize("frequency", ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"])
@pytest.mark.parametrize("pattern", ["*", "claims-*", "claims-api"])
def test_a_matching_registry_rule_passes(frequency, pattern):
    result = run(ecr_image_scanning_enabled, repo(), registry("ENHANCED", rule(frequency, pattern)))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"scan_on_push": False, "registry_scan_frequencies": [frequency]},
    )


def test_a_registry_rule_for_other_repositories_or_manual_fails():
    others = registry("BASIC", rule("SCAN_ON_PUSH", "billing-*"), rule("MANUAL", "*"))
    result = run(ecr_image_scanning_enabled, repo(), others)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"scan_on_push": False, "registry_scan_frequencies": ["MANUAL"]},
    )


def test_enhanced_scanning_ignores_the_repository_setting():
    pushed = repo(image_scanning_configuration={"scan_on_push": True})
    result = run(
        ecr_image_scanning_enabled, pushed, registry("ENHANCED", rule("CONTINUOUS_SCAN", "x"))
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"scan_on_push": False, "registry_scan_frequencies": []},
    )


def test_a_registry_rule_of_another_region_does_not_count():
    elsewhere = registry("ENHANCED", rule("CONTINUOUS_SCAN", "*"), region="eu-west-1")
    result = run(ecr_image_scanning_enabled, repo(), elsewhere)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"scan_on_push": False, "registry_scan_frequencies": []},
    )


def test_an_autonamed_repository_matches_only_the_catch_all_filter():
    autonamed = Resource(REPOSITORY, "claims-api", {}, region="us-east-1")
    result = run(
        ecr_image_scanning_enabled, autonamed, registry("ENHANCED", rule("SCAN_ON_PUSH", "*"))
    )
    assert (result.status, result.evidence["registry_scan_frequencies"]) == (
        Status.PASS,
        ["SCAN_ON_PUSH"],
    )
    with pytest.raises(Undecidable, match="name of claims-api is not known"):
        run(ecr_image_scanning_enabled, autonamed, registry("ENHANCED", rule("SCAN_ON_PUSH", "c*")))


def test_a_hidden_region_is_not_evaluated():
    with pytest.raises(Undecidable, match="region"):
        run(ecr_image_scanning_enabled, repo(),
            registry("ENHANCED", rule("SCAN_ON_PUSH", "*"), region=HIDDEN_REGION))  # fmt: skip


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET])
def test_hidden_scanning_settings_are_not_evaluated(hidden):
    with pytest.raises(Undecidable):
        run(ecr_image_scanning_enabled, repo(image_scanning_configuration=hidden))


# -- ecr_tag_immutability ------------------------------------------------------------------------


def test_immutable_tags_pass():
    result = run(ecr_tag_immutability, repo(image_tag_mutability="IMMUTABLE"))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"image_tag_mutability": "IMMUTABLE", "mutable_tags": []},
    )


def test_immutable_with_exclusions_passes_naming_them():
    dev = {"filter": "dev-*", "filter_type": "WILDCARD"}
    res = repo(
        image_tag_mutability="IMMUTABLE_WITH_EXCLUSION",
        image_tag_mutability_exclusion_filters=[dev],
    )
    result = run(ecr_tag_immutability, res)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "mutable_tags": ["dev-*"]},
    )


@pytest.mark.parametrize(
    ("props", "shown"),
    [({}, "MUTABLE"), ({"image_tag_mutability": "MUTABLE"}, "MUTABLE"),
     ({"image_tag_mutability": "MUTABLE_WITH_EXCLUSION"}, "MUTABLE_WITH_EXCLUSION")],
)  # fmt: skip
def test_mutable_tags_fail_and_are_the_default(props, shown):
    result = run(ecr_tag_immutability, repo(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"image_tag_mutability": shown, "mutable_tags": ["*"]},
    )


def test_hidden_mutability_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(ecr_tag_immutability, repo(image_tag_mutability=UNKNOWN))


# -- reasons and edges pinned by mutation testing (issue 15) -------------------------------------


def test_a_wildcard_statement_with_not_action_may_write():
    # ecr x__writes__mutmut_4: NotAction grants every action it does not list, writes included
    open_but = {"Sid": "AllBut", "Effect": "Allow", "Principal": "*",
                "NotAction": "ecr:DeleteRepository"}  # fmt: skip
    result = run(ecr_repository_policy_not_public, policy(open_but))
    assert (result.status, result.message, result.evidence) == (
        Status.FAIL,
        "anyone may push, delete or re-permission images",
        {"wildcard_statements": [{"statement": "AllBut", "effect": "Allow", "action": [],
          "not_action": ["ecr:DeleteRepository"], "resource": [], "principal": "*"}]},
    )  # fmt: skip


def test_a_registry_rule_of_the_region_counts_after_one_of_another_region():
    # ecr x__registry_rules__mutmut_9: a configuration of another region is skipped, not the end
    west = Resource(REGISTRY, "scanning-west", {"scan_type": "ENHANCED",
                    "rules": [rule("CONTINUOUS_SCAN", "*")]}, region="eu-west-1")  # fmt: skip
    east = Resource(REGISTRY, "scanning-east", {"scan_type": "BASIC",
                    "rules": [rule("SCAN_ON_PUSH", "claims-*")]}, region="us-east-1")  # fmt: skip
    result = run(ecr_image_scanning_enabled, repo(), west, east)
    assert (result.status, result.message, result.evidence) == (
        Status.PASS,
        "a registry scanning rule scans it (SCAN_ON_PUSH)",
        {"scan_on_push": False, "registry_scan_frequencies": ["SCAN_ON_PUSH"]},
    )


def test_a_registry_rule_counts_when_one_side_names_no_region():
    # ecr x__same_region__mutmut_4: no region is the program's one default region, which matches
    result = run(
        ecr_image_scanning_enabled,
        repo(),
        registry("BASIC", rule("CONTINUOUS_SCAN", "*"), region=None),
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"scan_on_push": False, "registry_scan_frequencies": ["CONTINUOUS_SCAN"]},
    )


def test_an_autonamed_repository_and_a_narrow_filter_give_the_reason():
    # ecr x__matches__mutmut_26, _27
    autonamed = Resource(REPOSITORY, "claims-api", {}, region="us-east-1")
    with pytest.raises(Undecidable) as raised:
        run(ecr_image_scanning_enabled, autonamed, registry("BASIC", rule("SCAN_ON_PUSH", "c*")))
    assert str(raised.value) == (
        "the name of claims-api is not known, so whether 'c*' matches it cannot be told"
    )
