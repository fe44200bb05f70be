"""Live collector for CodeBuild projects, as `aws.codebuild.Project` declares them: sources
(their repository URLs), build environment (its variables: names, types, and the values of the
plaintext ones, which the checks read for credentials and no report shows), role and key.

A project's buildspec, builds and their logs are never read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present, tag_dict

PROJECT = "aws:codebuild/project:Project"
_PROJECTS_PER_CALL = 100  # BatchGetProjects takes at most 100 names


def _source(source: Mapping[str, Any]) -> dict[str, Any]:
    auth = source.get("auth") or {}
    return present({
        "type": source.get("type"),
        "location": source.get("location"),
        "source_identifier": source.get("sourceIdentifier"),
        "git_clone_depth": source.get("gitCloneDepth"),
        "insecure_ssl": source.get("insecureSsl"),
        "report_build_status": source.get("reportBuildStatus"),
        "auth": present({"type": auth.get("type"), "resource": auth.get("resource")}) or None,
    })  # fmt: skip


def project_props(project: Mapping[str, Any]) -> dict[str, Any]:
    env = project.get("environment") or {}
    return present({
        "name": project.get("name"),
        "arn": project.get("arn"),
        "description": project.get("description"),
        "service_role": project.get("serviceRole"),
        "encryption_key": project.get("encryptionKey"),
        "source": _source(project["source"]) if project.get("source") else None,
        "secondary_sources": [_source(s) for s in project.get("secondarySources") or ()],
        "environment": present({
            "compute_type": env.get("computeType"),
            "image": env.get("image"),
            "type": env.get("type"),
            "privileged_mode": env.get("privilegedMode"),
            "image_pull_credentials_type": env.get("imagePullCredentialsType"),
            "environment_variables": [
                present({"name": v.get("name"), "value": v.get("value"), "type": v.get("type")})
                for v in env.get("environmentVariables") or ()
            ],
        }) or None,
        "tags": tag_dict(project.get("tags"), key="key", value="value"),
    })  # fmt: skip


def _projects(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    names = list(ctx.pages(client, "ListProjects", "projects"))
    for start in range(0, len(names), _PROJECTS_PER_CALL):
        chunk = names[start : start + _PROJECTS_PER_CALL]
        for project in ctx.call(client, "BatchGetProjects", names=chunk).get("projects") or ():
            name = project["name"]
            yield ctx.resource(
                PROJECT, name, project_props(project), id=name, arn=project.get("arn")
            )


COLLECTORS: list[Collector] = [
    Collector(
        "codebuild", (PROJECT,), ("codebuild:ListProjects", "codebuild:BatchGetProjects"), _projects
    )
]
