"""The embedded AWS: moto in server mode on 127.0.0.1, for the demo and the tests.

Real boto3 clients talk to it over HTTP at `endpoint`, exactly as they would to AWS; only the
endpoint differs. It listens on loopback only, on a free port, and stops with the process that
started it.
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.request
from typing import Any

# moto answers for this account unless told otherwise (AWS's documentation account).
EMULATED_ACCOUNT = "123456789012"
# Credentials the emulator accepts (any would do; these say what they are).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "emulator",
    "AWS_SECRET_ACCESS_KEY": "emulator",
    "AWS_SESSION_TOKEN": "emulator",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Emulator:
    """`with Emulator() as emu:` runs moto on a free loopback port; `emu.endpoint` is its URL."""

    def __init__(self, port: int | None = None, *, aws_managed_policies: bool = False) -> None:
        self.port = port or _free_port()
        # AWS's managed policies (AdministratorAccess, ...), which moto loads only when asked:
        # about a thousand of them, so only for a run that attaches them (the demo).
        self.aws_managed_policies = aws_managed_policies
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server: Any = None

    def start(self) -> Emulator:
        # Without this, moto loads over a thousand stock AMIs (and their snapshots) per region,
        # which would flood every inventory it answers.
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
        if self.aws_managed_policies:
            os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        from moto import settings as moto_settings
        from moto.server import ThreadedMotoServer

        # moto marks a requested certificate ISSUED once MOTO_ACM_VALIDATION_WAIT seconds have
        # passed, a validation nobody made: it stays PENDING_VALIDATION, as the deploy says, so
        # two audits of one account a minute apart agree on it.
        moto_settings.ACM_VALIDATION_WAIT = 10**9

        logging.getLogger("werkzeug").setLevel(
            logging.CRITICAL
        )  # unimplemented calls are gaps, not noise
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        # moto keeps its accounts in this process's memory, shared by every server it runs: a new
        # emulator would see what an earlier one in this process left (a trail, a detector, a
        # password policy). Each starts as a fresh, empty account.
        self.reset()
        return self

    def reset(self) -> None:
        """Forget every resource (a fresh, empty account)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback only
            pass

    def set_root_mfa(self, enabled: bool = True) -> None:
        """Give the emulated account's root user an MFA device (or take it away).

        AWS has no API for this (it is a console step the root user takes), and moto, which
        stands for AWS here, keeps the fact as a flag no call can set; so the embedded emulator
        sets it in its own memory. Only for an emulator this process started."""
        if self._server is None:
            raise RuntimeError("the emulator is not running in this process")
        from moto.iam.models import iam_backends

        iam_backends[EMULATED_ACCOUNT]["aws"].account_summary._account_mfa_enabled = int(enabled)

    def drop_orphaned_network_acls(self, region: str) -> list[str]:
        """Forget network ACLs whose VPC is gone; return their ids.

        AWS deletes a VPC's default network ACL with the VPC; moto keeps it, still associated
        with the deleted subnets, and refuses to delete it through the API. Only for an
        emulator this process started."""
        if self._server is None:
            raise RuntimeError("the emulator is not running in this process")
        from moto.ec2.models import ec2_backends

        backend = ec2_backends[EMULATED_ACCOUNT][region]
        orphans = [i for i, acl in backend.network_acls.items() if acl.vpc_id not in backend.vpcs]
        for acl_id in orphans:
            del backend.network_acls[acl_id]
        return orphans

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
