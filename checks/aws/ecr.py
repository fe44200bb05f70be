"""ECR: no repository policy open to anyone, images scanned for known vulnerabilities, and image
tags that cannot be moved to other images (controls ECR-01, ECR-02, ECR-03).

A repository's policy is a resource of its own (`aws.ecr.RepositoryPolicy`), judged where it is
declared. Registry-wide scanning rules (`aws.ecr.RegistryScanningConfiguration`) cover the
repositories their filters match in their region.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from checks.model import HIDDEN_REGION, Inventory, Resource, Undecidable
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.policydoc import Statement, has_wildcard_principal, parse_policy
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"
# Scan frequencies that scan every image without a person asking (MANUAL does not).
AUTOMATIC_SCANS = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")
IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")
# Actions that change what the repository holds, or the repository itself.
WRITE_ACTIONS = (
    "ecr:putimage",
    "ecr:initiatelayerupload",
    "ecr:uploadlayerpart",
    "ecr:completelayerupload",
    "ecr:batchdeleteimage",
    "ecr:deleterepository",
    "ecr:setrepositorypolicy",
    "ecr:deleterepositorypolicy",
)


def _writes(s: Statement) -> bool:
    actions = [a.lower() for a in s.actions]
    return bool(s.not_actions) or any(fnmatchcase(w, a) for a in actions for w in WRITE_ACTIONS)


@check(
    into=CHECKS,
    id="ecr_repository_policy_not_public",
    control="ECR-01",
    title="ECR repository policy does not allow any principal ('*') without a condition",
    severity=Severity.HIGH,
    resource_types=(REPOSITORY_POLICY,),
    remediation=(
        "Name the accounts or roles that pull and push, or narrow a '*' principal with a "
        "Condition such as aws:PrincipalOrgID."
    ),
    pulumi_fix=(
        'aws.ecr.RepositoryPolicy("api", repository=repo.name, policy=json.dumps({\n'
        '    "Version": "2012-10-17", "Statement": [{"Sid": "DeployPull", "Effect": "Allow",\n'
        '        "Principal": {"AWS": deploy_role_arn},\n'
        '        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}))'
    ),
)
def ecr_repository_policy_not_public(res: Resource, inv: Inventory) -> Result:
    """Images that carry the code handling ePHI are pulled, and replaced, only by named parties."""
    policy = known(res, "policy")
    open_statements = has_wildcard_principal(parse_policy(policy, f"the policy of {res.name}"))
    evidence = {"wildcard_statements": [s.evidence() for s in open_statements]}
    if any(_writes(s) for s in open_statements):
        return failed("anyone may push, delete or re-permission images", **evidence)
    if open_statements:
        return failed("anyone may pull the repository's images", **evidence)
    return passed("no statement allows '*' without a condition", **evidence)


def _same_region(a: Resource, b: Resource) -> bool:
    if HIDDEN_REGION in (a.region, b.region):
        raise Undecidable(f"the region of {a.name} or {b.name} cannot be read")
    return a.region is None or b.region is None or a.region == b.region


def _matches(rule: Mapping[str, Any], repo: Resource) -> bool:
    filters = [f for f in blocks(rule.get("repository_filters")) if f.get("filter") is not None]
    for f in filters:
        pattern = str(f["filter"])
        if pattern == "*":
            return True
        name = known(repo, "name")
        if not isinstance(name, str):  # autonamed: the name is chosen at deployment
            raise Undecidable(
                f"the name of {repo.name} is not known, so whether {pattern!r} matches it "
                "cannot be told"
            )
        if fnmatchcase(name, pattern):
            return True
    return False


def _registry_rules(res: Resource, inv: Inventory) -> tuple[bool, list[str]]:
    """Whether a registry scanning configuration of the repository's region is ENHANCED, and the
    frequencies of its rules that match the repository."""
    enhanced, found = False, []
    for config in inv.by_type(REGISTRY_SCANNING):
        if not _same_region(res, config):
            continue
        enhanced = enhanced or str(known(config, "scan_type", "BASIC")) == "ENHANCED"
        for rule in blocks(known(config, "rules")):
            if _matches(rule, res):
                found.append(str(rule.get("scan_frequency")))
    return enhanced, found


@check(
    into=CHECKS,
    id="ecr_image_scanning_enabled",
    control="ECR-02",
    title="ECR repository images are scanned for vulnerabilities on push or continuously",
    severity=Severity.MEDIUM,
    config_rule="ecr-private-image-scanning-enabled",
    resource_types=(REPOSITORY,),
    reads=(REGISTRY_SCANNING,),
    remediation=(
        "Set image_scanning_configuration scan_on_push=True, or declare an "
        "aws.ecr.RegistryScanningConfiguration whose rule scans the repository on push or "
        "continuously."
    ),
    pulumi_fix=(
        'aws.ecr.RegistryScanningConfiguration("scanning", scan_type="ENHANCED", rules=[{\n'
        '    "scan_frequency": "CONTINUOUS_SCAN",\n'
        '    "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}])'
    ),
)
def ecr_image_scanning_enabled(res: Resource, inv: Inventory) -> Result:
    """Known vulnerabilities in the images that run ePHI workloads are found, not waited for."""
    enhanced, frequencies = _registry_rules(res, inv)
    automatic = [f for f in frequencies if f in AUTOMATIC_SCANS]
    # Unset image_scanning_configuration: AWS's default, scan_on_push off. Under ENHANCED
    # scanning (Amazon Inspector) the registry's rules alone decide.
    on_push = not enhanced and any(
        flag(b.get("scan_on_push")) for b in blocks(known(res, "image_scanning_configuration"))
    )
    evidence = {"scan_on_push": on_push, "registry_scan_frequencies": frequencies}
    if automatic:
        return passed(f"a registry scanning rule scans it ({automatic[0]})", **evidence)
    if on_push:
        return passed("images are scanned on push", **evidence)
    return failed("images are scanned only when someone asks", **evidence)


@check(
    into=CHECKS,
    id="ecr_tag_immutability",
    control="ECR-03",
    title="ECR repository image tags are immutable",
    severity=Severity.LOW,
    config_rule="ecr-private-tag-immutability-enabled",
    resource_types=(REPOSITORY,),
    remediation=(
        "Set image_tag_mutability='IMMUTABLE', so a tag a deployment names always means the "
        "image that was scanned and approved."
    ),
    pulumi_fix='aws.ecr.Repository("api", image_tag_mutability="IMMUTABLE",\n'
    '    image_scanning_configuration={"scan_on_push": True})',
)
def ecr_tag_immutability(res: Resource, inv: Inventory) -> Result:
    """A pushed image cannot be swapped for another under the same tag (integrity)."""
    # Unset: AWS's default, MUTABLE.
    mutability = str(known(res, "image_tag_mutability", "MUTABLE"))
    if mutability == "IMMUTABLE":
        return passed("tags are immutable", image_tag_mutability=mutability, mutable_tags=[])
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        filters = blocks(known(res, "image_tag_mutability_exclusion_filters"))
        mutable = [str(f.get("filter")) for f in filters]
        return passed(
            f"tags are immutable except {', '.join(mutable) or 'none'}",
            image_tag_mutability=mutability,
            mutable_tags=mutable,
        )
    return failed(
        f"tags are {mutability.lower()}: a push can move a tag to another image",
        image_tag_mutability=mutability,
        mutable_tags=["*"],
    )
