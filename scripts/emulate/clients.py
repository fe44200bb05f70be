"""boto3 clients for the emulator, as the creators use them.

Every client talks to the emulator's endpoint with its credentials (never to AWS), S3 with
path-style addressing, S3 Control without the account id in front of the host (as the live
audit's clients do: the emulator has no such host names), and no retries: an error is the
emulator's answer, reported at once. Calls to one service are serialized, because the
emulator's backends are not safe for concurrent writers (resources register from several
threads).
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.config

from checks.sources.aws.emulator import CREDENTIALS
from checks.sources.aws.session import _route_to as route_to_endpoint


class _Serialized:
    """A boto3 client whose API calls hold the service's lock."""

    def __init__(self, client: Any, lock: threading.Lock) -> None:
        self._client = client
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name.startswith(("_", "get_paginator", "get_waiter")) or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


class Clients:
    """`clients("ec2")` (or `clients("ec2", region)`): a client of the emulator."""

    def __init__(self, endpoint: str, region: str) -> None:
        self.endpoint = endpoint
        self.region = region
        self._session = boto3.session.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
            region_name=region,
        )
        self._made: dict[tuple[str, str], _Serialized] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()  # boto3 sessions are not thread-safe

    def __call__(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._guard:
            if key not in self._made:
                config = botocore.config.Config(
                    s3={"addressing_style": "path"},
                    inject_host_prefix=service != "s3control",
                    retries={"mode": "standard", "total_max_attempts": 1},
                )
                client = self._session.client(
                    service, region_name=key[1], endpoint_url=self.endpoint, config=config
                )
                if service == "s3control":
                    route_to_endpoint(client, self.endpoint)
                lock = self._locks.setdefault(service, threading.Lock())
                self._made[key] = _Serialized(client, lock)
            return self._made[key]
