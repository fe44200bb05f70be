"""CodeBuild: no credentials in a project's source repository URLs (control CB-01), and no AWS
access keys as plaintext environment variables (control SEC-03).

Neither value is ever put in evidence: a finding names the source or the variable, not what it
holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.credentials import ACCESS_KEY_ID
from checks.support.props import blocks, known

CHECKS: list[Check] = []

PROJECT = "aws:codebuild/project:Project"
# The variable names AWS's rule looks for, which the AWS SDKs and CLI read keys from.
AWS_KEY_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# A user part that is a token, not a user name: GitHub and GitLab token prefixes, or a long
# opaque string (a user name of 32 characters or more is taken for a token).
TOKEN_USER = re.compile(r"^(gh[pousr]_|github_pat_|glpat-)|^[A-Za-z0-9_\-]{32,}$")


def _has_credentials(location: Any) -> bool:
    """True when a repository URL carries a password or a token before its host."""
    if not isinstance(location, str) or "@" not in location:
        return False
    parts = urlsplit(location.strip())
    # Any scheme: a password in the project's configuration is exposed whether or not CodeBuild
    # could use the URL.
    if "@" not in parts.netloc:
        return False
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    return bool(password) or bool(TOKEN_USER.search(user))


def _sources(res: Resource) -> list[tuple[str, Mapping[str, Any]]]:
    primary = [("source", s) for s in blocks(known(res, "source"))]
    secondary = [
        (f"secondary_sources[{s.get('source_identifier') or i}]", s)
        for i, s in enumerate(blocks(known(res, "secondary_sources")))
    ]
    return primary + secondary


@check(
    into=CHECKS,
    id="codebuild_source_url_no_credentials",
    control="CB-01",
    title="CodeBuild project source URLs carry no credentials",
    severity=Severity.HIGH,
    config_rule="codebuild-project-source-repo-url-check",
    resource_types=(PROJECT,),
    remediation=(
        "Take the token or password out of the repository URL: connect the source provider "
        "with aws.codebuild.SourceCredential (token from Secrets Manager) or a CodeConnections "
        "connection, and rotate the exposed credential."
    ),
    pulumi_fix='aws.codebuild.Project("build", ..., source={"type": "GITHUB",\n'
    '    "location": "https://github.com/example/claims.git",\n'
    '    "auth": {"type": "CODECONNECTIONS", "resource": connection.arn}})',
)
def codebuild_source_url_no_credentials(res: Resource, inv: Inventory) -> Result:
    """Anyone who can read the project's configuration cannot take its repository credentials."""
    exposed = [label for label, s in _sources(res) if _has_credentials(s.get("location"))]
    if exposed:
        return failed(
            f"credentials in the URL of {', '.join(exposed)}", sources_with_credentials=exposed
        )
    return passed("no source URL carries credentials", sources_with_credentials=[])


def _plaintext_keys(res: Resource) -> list[str]:
    found = []
    for environment in blocks(known(res, "environment")):
        for var in blocks(environment.get("environment_variables")):
            # Unset type: the provider's and AWS's default, PLAINTEXT.
            if str(var.get("type") or "PLAINTEXT") != "PLAINTEXT":
                continue
            name, value = str(var.get("name")), var.get("value")
            if name in AWS_KEY_NAMES or (isinstance(value, str) and ACCESS_KEY_ID.search(value)):
                found.append(name)
    return found


@check(
    into=CHECKS,
    id="codebuild_env_no_plaintext_aws_keys",
    control="SEC-03",
    title="CodeBuild project holds no AWS access keys in plaintext environment variables",
    severity=Severity.HIGH,
    config_rule="codebuild-project-envvar-awscred-check",
    resource_types=(PROJECT,),
    remediation=(
        "Remove the keys and let the build use its service role; a secret the build must have "
        "goes in as type SECRETS_MANAGER or PARAMETER_STORE, by name."
    ),
    pulumi_fix='aws.codebuild.Project("build", ..., service_role=build_role.arn, environment={\n'
    '    "compute_type": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER",\n'
    '    "image": "aws/codebuild/standard:7.0", "environment_variables": [{\n'
    '        "name": "REGISTRY_TOKEN", "type": "SECRETS_MANAGER",\n'
    '        "value": "claims/registry-token"}]})',
)
def codebuild_env_no_plaintext_aws_keys(res: Resource, inv: Inventory) -> Result:
    """Long-lived keys are not readable by anyone who can read the build's configuration."""
    found = _plaintext_keys(res)
    if found:
        return failed(f"plaintext AWS credentials in {', '.join(found)}", plaintext_aws_keys=found)
    return passed("no AWS credentials in plaintext variables", plaintext_aws_keys=[])
