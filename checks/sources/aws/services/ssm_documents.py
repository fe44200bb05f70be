"""Live collector: the account's own Systems Manager documents as `aws.ssm.Document` declares
them, with whom each is shared (`permissions`). A document's content is never read (no
GetDocument): runbooks may carry host names, paths or worse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import MAX_PAGES, CollectionError, Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present, tag_dict

DOCUMENT = "aws:ssm/document:Document"
# Documents this account owns (AWS's and other accounts' shared documents are not its own).
_OWNED = [{"Key": "Owner", "Values": ["Self"]}]


def document_props(document: Mapping[str, Any], shared_with: list[str]) -> dict[str, Any]:
    permissions = {"type": "Share", "account_ids": ",".join(shared_with)} if shared_with else None
    return present({
        "name": document["Name"],
        "document_type": document.get("DocumentType"),
        "document_format": document.get("DocumentFormat"),
        "target_type": document.get("TargetType"),
        "version_name": document.get("VersionName"),
        "permissions": permissions,
        "tags": tag_dict(document.get("Tags")),
    })  # fmt: skip


def _shared_with(ctx: Context, client: Any, name: str) -> list[str]:
    """The account ids the document is shared with ("all": every AWS account)."""
    accounts: list[str] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        more = {"NextToken": token} if token else {}
        answer = ctx.call(client, "DescribeDocumentPermission", Name=name,
                          PermissionType="Share", **more)  # fmt: skip
        accounts += answer.get("AccountIds") or []
        token = answer.get("NextToken")
        if not token:
            return accounts
    raise CollectionError(f"DescribeDocumentPermission was still handing out pages for {name}")


def _documents(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.pages(client, "ListDocuments", "DocumentIdentifiers", Filters=_OWNED))
    with Misses(ctx, (DOCUMENT,), "document") as missed:
        for document in listed:
            name = document["Name"]
            with missed.of(name):
                props = document_props(document, _shared_with(ctx, client, name))
                arn = f"arn:{ctx.partition}:ssm:{ctx.region}:{ctx.account_id}:document/{name}"
                yield ctx.resource(DOCUMENT, name, props, id=name, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "ssm",
        (DOCUMENT,),
        ("ssm:ListDocuments", "ssm:DescribeDocumentPermission"),
        _documents,
    )
]
