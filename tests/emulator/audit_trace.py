"""What a live audit asks AWS and what it writes, for the guarantee tests.

`trace_calls(monkeypatch)` records every API call the collectors make from then on (service,
operation, parameters), on the client side; `Call.action` is the IAM action AWS authorizes it
as. `types_of(service)` and `types_needing(service)` say what a refusal of a service hides.
`artifact_texts(out)` reads every file of a run as text, the PDF as a reader sees it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.sources.aws.collectors import all_collectors
from checks.sources.aws.session import Account

# The IAM service prefix of a boto3 client, where the two differ.
_PREFIXES = {
    "efs": "elasticfilesystem",
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "s3control": "s3",
    "apigatewayv2": "apigateway",
    "opensearch": "es",
    "emr": "elasticmapreduce",
}
# Operations whose IAM action has another name (AWS's Service Authorization Reference).
_ACTIONS = {
    # API Gateway authorizes its control plane by HTTP verb: every read is `apigateway:GET`.
    **{
        (client, operation): "GET"
        for client, operations in {
            "apigateway": ("GetRestApis", "GetResources", "GetStages", "GetDomainNames"),
            "apigatewayv2": ("GetApis", "GetRoutes", "GetStages", "GetDomainNames"),
        }.items()
        for operation in operations
    },
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "GetBucketObjectLockConfiguration",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
}
# Reads of the data itself (object bodies, items, secret and parameter values, log events):
# never called by an audit, whatever a policy would allow.
DATA_READS = frozenset(
    {
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "kms:Decrypt",
        "lambda:GetFunction",
        "logs:FilterLogEvents",
        "logs:GetLogEvents",
        "logs:StartQuery",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
    }
)
# A configuration read: the verbs an audit's calls may have. Generating the credential report
# writes nothing but the report the audit then reads.
READ_VERBS = ("Describe", "List", "Get")
ALSO_READS = frozenset({"iam:GenerateCredentialReport"})


def iam_prefix(client: str) -> str:
    """The IAM service prefix of the actions a boto3 client calls."""
    return _PREFIXES.get(client, client)


@dataclass(frozen=True)
class Call:
    service: str  # the boto3 client's name
    operation: str
    params: dict[str, Any]

    @property
    def action(self) -> str:
        operation = _ACTIONS.get((self.service, self.operation), self.operation)
        return f"{iam_prefix(self.service)}:{operation}"

    @property
    def reads_configuration(self) -> bool:
        return self.operation.startswith(READ_VERBS) or self.action in ALSO_READS


def trace_calls(monkeypatch: Any) -> list[Call]:
    """Every API call the collectors make from now on (each page of a list included)."""
    calls: list[Call] = []
    original = Account.client

    def client(self: Account, name: str, region: str) -> Any:
        made = original(self, name, region)

        def note(params: dict[str, Any], model: Any, **_: Any) -> None:
            calls.append(Call(name, model.name, dict(params)))

        made.meta.events.register("provide-client-params", note, unique_id="trace-calls")
        return made

    monkeypatch.setattr(Account, "client", client)
    return calls


def types_of(service: str) -> set[str]:
    """The types of the collectors that read `service` (an IAM prefix) itself."""
    return {t for c in all_collectors() if iam_prefix(c.service) == service for t in c.types}


def types_needing(service: str) -> set[str]:
    """The types of every collector that may call an action of `service`: a refusal of any of
    its calls hides what it reads (the data stores' collectors read KMS's aliases too)."""
    return {t for c in all_collectors() if any(a.startswith(f"{service}:") for a in c.actions)
            for t in c.types}  # fmt: skip


def artifact_texts(out: Path) -> dict[str, str]:
    """Every file of a run by name, as text; the PDF through pdftotext, as a reader sees it."""
    texts = {}
    for path in sorted(out.iterdir()):
        if path.suffix == ".pdf":
            if shutil.which("pdftotext") is None:
                raise RuntimeError("poppler-utils (pdftotext) is needed to read the PDF")
            texts[path.name] = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
        else:
            texts[path.name] = path.read_text(encoding="utf-8", errors="replace")
    return texts
