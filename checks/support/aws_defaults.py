"""AWS defaults that changed over time, each once, with its date: what a resource has when the
source says nothing about it.

A default that came in on a date holds for a resource created after it. A program or a preview
describes resources as they will be created now, so today's defaults hold for what they leave
unset. The live account answers for itself (an absent setting there is really absent). A state
file records what was declared, not when the bucket behind it was made, so an undeclared
setting there could be either: undecidable, never taken for the default.
"""

from __future__ import annotations

import datetime as dt

from checks.model import Resource, Undecidable

# S3 turned on all four Block Public Access settings, and disabled ACLs (object ownership
# BucketOwnerEnforced), for every new bucket: rolled out in April 2023, complete by April 28.
S3_NEW_BUCKET_LOCKDOWN = dt.date(2023, 4, 28)
S3_DEFAULT_OBJECT_OWNERSHIP = "BucketOwnerEnforced"
# S3 encrypts every new object with SSE-S3 (AES256) when a bucket names no default encryption:
# from January 5, 2023.
S3_DEFAULT_ENCRYPTION_SINCE = dt.date(2023, 1, 5)
S3_DEFAULT_SSE_ALGORITHM = "AES256"
# SQS encrypts new queues with SQS-owned keys (SSE-SQS) unless told not to: from October 2022
# through 2023 for queues made by the API.
SQS_DEFAULT_SSE_SINCE = dt.date(2022, 10, 1)

# Sources describing resources as they will be created now (the CrossGuard pack judges them
# inside `pulumi preview` and `pulumi up`).
_INTENDED = ("program", "preview", "crossguard")


def _created_on(res: Resource) -> dt.date | None:
    """The day the source says `res` was created; None when it says nothing real (a preview
    gives Go's zero time, 0001-01-01, for an object whose creation it did not record)."""
    try:
        day = dt.date.fromisoformat(str(res.created)[:10])  # an RFC 3339 time: its day
    except ValueError:
        return None
    return day if day.year >= 2006 else None  # nothing on AWS predates 2006


def created_now(res: Resource, what: str, since: dt.date) -> bool:
    """Whether a default from `since` holds for `res`'s unset `what`: by its creation date where
    the source records one; else True for a program or a preview (created now), False for the
    live account (it reports the setting itself); Undecidable otherwise (a state file that does
    not say when)."""
    if res.created and (created := _created_on(res)) is not None:
        return created >= since
    if res.source in _INTENDED:
        return True
    if res.source == "aws":
        return False
    raise Undecidable(
        f"{res.name} declares no {what}: AWS has set it by default only on resources created "
        f"since {since:%B %Y}, and the {res.source} file does not say when this one was"
    )
