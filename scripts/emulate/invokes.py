"""Data sources during an emulated deploy: answered by the emulator where it knows the answer.

Who the caller is and which availability zones exist are asked of the emulator; partition,
region, policy documents and the ELB log-delivery accounts are facts the scanner already
renders (`checks.sources.pulumi_invokes`). Any other data source gets the scanner's made-up
answer, and the deploy report names it: what was built from it is not the emulator's truth.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from checks.sources.pulumi_invokes import answer, is_real_answer
from checks.sources.pulumi_schema import Context

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
AVAILABILITY_ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"


class Invokes:
    def __init__(self, clients, account: str, partition: str, region: str) -> None:
        self.clients = clients
        self.account = account
        self.partition = partition
        self.region = region
        self.made_up: set[str] = set()
        self._lock = threading.Lock()

    def answer(self, token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
        if token == CALLER_IDENTITY:
            me = self.clients("sts", region).get_caller_identity()
            return {"id": me["Account"], "accountId": me["Account"], "arn": me["Arn"],
                    "userId": me["UserId"]}  # fmt: skip
        if token == AVAILABILITY_ZONES:
            return self._zones(args, region)
        ctx = Context(token, token.split(":")[-1], "data", region, self.account, self.partition)
        if not is_real_answer(token, args, ctx):
            with self._lock:
                self.made_up.add(token)
        return answer(token, args, ctx)

    def _zones(self, args: Mapping[str, Any], region: str) -> dict[str, Any]:
        filters = []
        if args.get("state"):
            filters.append({"Name": "state", "Values": [args["state"]]})
        zones = self.clients("ec2", region).describe_availability_zones(Filters=filters)
        excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
        found = [
            z
            for z in zones["AvailabilityZones"]
            if z["ZoneName"] not in excluded and z.get("ZoneId") not in excluded
        ]
        return {
            **args,
            "id": region,
            "names": [z["ZoneName"] for z in found],
            "zoneIds": [z.get("ZoneId") for z in found],
            "groupNames": sorted({z.get("GroupName", region) for z in found}),
        }
