"""The emulated account a console user changes by hand, and what a change expects the next
audit to find.

A change (`Change.make`) applies itself through boto3 and returns what it expects:
`Caught(check_id, subject)` for each failure it explains, the first being the check that must
catch it. `subject` is the changed resource's id, name or ARN (the finding names it), or the
account's scope for a check of the whole account. Some changes explain more than one failure (a
hand-made bucket lacks everything the stack declares); each is listed, so that a failure no
change explains stands out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checks.sources.aws.emulator import Emulator
from scripts.emulate.clients import Clients
from scripts.emulate.report import CreatedResource, DeployReport

REGION = "us-east-1"


@dataclass(frozen=True)
class Caught:
    check_id: str
    subject: str  # the resource's id, name or ARN; the account's scope for an account check
    says: str = ""  # text the finding's message or evidence must hold (which part of it)


@dataclass(frozen=True)
class Account:
    """The emulated account the stack was deployed into, as a console user reaches it."""

    emulator: Emulator
    report: DeployReport
    clients: Clients

    def __call__(self, service: str) -> Any:
        return self.clients(service)

    def created(self, token: str, name: str) -> CreatedResource:
        (found,) = self.report.find(token, name)
        return found

    def bucket(self, name: str) -> str:
        return self.created("aws:s3/bucket:Bucket", name).id

    def group(self, name: str) -> str:
        return self.created("aws:ec2/securityGroup:SecurityGroup", name).id

    def key(self, name: str) -> str:
        return self.created("aws:kms/key:Key", name).id

    @property
    def database(self) -> CreatedResource:
        return self.created("aws:rds/instance:Instance", "billing-db")

    @property
    def trail(self) -> str:
        return str(self.created("aws:cloudtrail/trail:Trail", "audit-trail").arn)

    @property
    def scope(self) -> str:
        return f"account:{self.report.account}:{REGION}"


@dataclass(frozen=True)
class Change:
    what: str
    make: Callable[[Account], list[Caught]]
