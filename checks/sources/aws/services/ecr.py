"""Live collectors for ECR: repositories (scanning, tag mutability, encryption), their policies
as `aws.ecr.RepositoryPolicy` declares them, and the registry's scanning configuration as
`aws.ecr.RegistryScanningConfiguration`. Images and their layers are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, snake_keys

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"


def repository_props(repo: Mapping[str, Any]) -> dict[str, Any]:
    scanning = repo.get("imageScanningConfiguration")
    exclusions = repo.get("imageTagMutabilityExclusionFilters") or []
    encryption = repo.get("encryptionConfiguration")
    return present({
        "name": repo.get("repositoryName"),
        "arn": repo.get("repositoryArn"),
        "registry_id": repo.get("registryId"),
        "repository_url": repo.get("repositoryUri"),
        "image_tag_mutability": repo.get("imageTagMutability"),
        "image_tag_mutability_exclusion_filters": snake_keys(exclusions) or None,
        "image_scanning_configuration": (
            {"scan_on_push": bool(scanning.get("scanOnPush"))} if scanning is not None else None
        ),
        "encryption_configurations": [
            present({"encryption_type": encryption.get("encryptionType"),
                     "kms_key": encryption.get("kmsKey")})
        ] if encryption else None,
    })  # fmt: skip


def _repositories(ctx: Context) -> Iterator[Resource]:
    for repo in ctx.pages(ctx.client(), "DescribeRepositories", "repositories"):
        name = repo["repositoryName"]
        arn = repo.get("repositoryArn")
        yield ctx.resource(REPOSITORY, name, repository_props(repo), id=name, arn=arn)


def _policies(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    repositories = list(ctx.pages(client, "DescribeRepositories", "repositories"))
    with Misses(ctx, (REPOSITORY_POLICY,), "repository") as missed:
        for repo in repositories:
            name = repo["repositoryName"]
            with missed.of(name):
                answer = ctx.setting(client, "GetRepositoryPolicy", repositoryName=name)
                if answer is None or not answer.get("policyText"):
                    continue  # no policy: only the account's own principals reach it
                props = {"repository": name, "registry_id": answer.get("registryId"),
                         "policy": answer["policyText"]}  # fmt: skip
                yield ctx.resource(REPOSITORY_POLICY, name, present(props), id=name)


def _registry_scanning(ctx: Context) -> Iterator[Resource]:
    answer = ctx.call(ctx.client(), "GetRegistryScanningConfiguration")
    config = answer.get("scanningConfiguration") or {}
    props = {
        "registry_id": answer.get("registryId"),
        "scan_type": config.get("scanType"),
        "rules": snake_keys(config.get("rules") or []),
    }
    ident = answer.get("registryId") or ctx.account_id
    yield ctx.resource(
        REGISTRY_SCANNING, "registry-scanning-configuration", present(props), id=ident
    )


COLLECTORS: list[Collector] = [
    Collector("ecr", (REPOSITORY,), ("ecr:DescribeRepositories",), _repositories),
    Collector(
        "ecr",
        (REPOSITORY_POLICY,),
        ("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy"),
        _policies,
    ),
    Collector(
        "ecr", (REGISTRY_SCANNING,), ("ecr:GetRegistryScanningConfiguration",), _registry_scanning
    ),
]
