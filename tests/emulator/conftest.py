"""An emulated AWS for the live-audit tests: moto on a loopback port, one per test process,
emptied before each test. Real boto3 clients over HTTP, as against AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import pytest

from checks.sources.aws.emulator import CREDENTIALS, Emulator

REGION = "us-east-1"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def aws(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """A fresh emulated account, and credentials for it in the environment."""
    emulator.reset()
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield Aws(emulator.endpoint)


class Aws:
    """boto3 clients for the emulated account, to set it up as a test needs."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = boto3.session.Session(
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
            region_name=REGION,
        )

    def client(self, service: str, region: str = REGION) -> Any:
        config = botocore.config.Config(
            s3={"addressing_style": "path"}, inject_host_prefix=service != "s3control"
        )
        return self.session.client(
            service, region_name=region, endpoint_url=self.endpoint, config=config
        )

    @property
    def env(self) -> dict[str, str]:
        """The environment a `safeguard audit` subprocess needs for this account."""
        return {**os.environ, **CREDENTIALS, "AWS_DEFAULT_REGION": REGION}
