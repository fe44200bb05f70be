"""Where the audit reads from: sessions per account (an AWS profile, assumed roles), clients per
service and region with adaptive retries, and the emulator's endpoint when there is one.

The same code runs against real AWS and against the emulator: `endpoint_url` (or the standard
`AWS_ENDPOINT_URL` variable, which boto3 honours itself) is the only difference.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.config
import botocore.exceptions
import botocore.loaders
import botocore.session

from checks.errors import InputError

# Retries: botocore's adaptive mode (client-side rate limiting on throttling), generous attempts.
_RETRIES = {"mode": "adaptive", "max_attempts": 10}
USER_AGENT = "hipaa-safeguard-audit"


class _Models:
    """One loader of botocore's service models for every account's session (a session of its
    own would load each model again per account), able to let a service's models go once the
    audit is done with it: they are most of an audit's memory."""

    def __init__(self) -> None:
        self.loader = botocore.loaders.create_loader()
        self._lock = threading.Lock()

    def session(self, **kwargs: Any) -> boto3.session.Session:
        core = botocore.session.Session()
        core.register_component("data_loader", self.loader)
        return boto3.session.Session(botocore_session=core, **kwargs)

    def release(self, service: str) -> None:
        """Forget the cached models of `service` (loaded again if it is asked for later)."""
        with self._lock:
            # botocore's per-loader cache: keyed (method, service, ...), and the files read
            # under (load_data_with_path, "service/version/kind")
            cache = self.loader._cache
            for key in [k for k in cache if len(k) > 1 and isinstance(k[1], str)]:
                if key[1] == service or key[1].startswith(service + "/"):
                    cache.pop(key, None)


MODELS = _Models()


@dataclass(frozen=True)
class AwsOptions:
    """What `safeguard audit` was asked to read."""

    endpoint_url: str | None = None
    regions: tuple[str, ...] | None = None  # None: the session's region; ("all",): every enabled
    profile: str | None = None
    role_arns: tuple[str, ...] = ()
    external_id: str | None = None

    @property
    def endpoint(self) -> str | None:
        return self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None


@dataclass
class Account:
    """One account the audit reads: its id, the session for it, and its clients (cached)."""

    account_id: str
    session: boto3.session.Session
    endpoint: str | None
    label: str  # how progress names it: the profile or role it was reached through
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def release(self, service: str) -> None:
        """Drop this account's clients of `service` (the audit is done with it)."""
        with self._lock:
            for key in [k for k in self._clients if k[0] == service]:
                del self._clients[key]

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.endpoint,
                    config=_config(service, self.endpoint),
                )
                if service == "s3control" and self.endpoint:
                    _route_to(client, self.endpoint)
                self._clients[key] = client
            return self._clients[key]


def _route_to(client: Any, endpoint: str) -> None:
    """S3 Control's endpoint rules put the account id in front of any host, the emulator's
    included (`inject_host_prefix` does not reach them): send each request to the host itself."""
    host = urlsplit(endpoint).netloc

    def strip_account(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc.endswith("." + host):
            request.url = urlunsplit(parts._replace(netloc=host))

    client.meta.events.register("before-sign.s3-control", strip_account)


def _config(service: str, endpoint: str | None) -> botocore.config.Config:
    # An emulator does not throttle; its 500s mean "not implemented", and retrying them only
    # waits: one retry there, the full adaptive budget against AWS.
    retries = {"mode": "adaptive", "max_attempts": 2} if endpoint else _RETRIES
    options: dict[str, Any] = {"retries": retries, "user_agent_extra": USER_AGENT}
    if endpoint:
        # An emulator answers at one host: no bucket or account name in front of it.
        if service == "s3":
            options["s3"] = {"addressing_style": "path"}
        if service == "s3control":
            options["inject_host_prefix"] = False
    return botocore.config.Config(**options)


def accounts(options: AwsOptions) -> list[Account]:
    """The accounts to read: the credentials' own, or each role assumed from them."""
    try:
        base = MODELS.session(profile_name=options.profile)
    except botocore.exceptions.ProfileNotFound:
        raise InputError(f"--aws-profile {options.profile!r}: no such AWS profile") from None
    region = base.region_name or "us-east-1"
    if base.get_credentials() is None:
        raise InputError(
            "no AWS credentials: set AWS_PROFILE or --aws-profile, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (any values for the emulator); with no account, "
            "`safeguard demo` audits an emulated one"
        )
    endpoint = options.endpoint
    if not options.role_arns:
        ident = _identity(base, region, endpoint, options.profile or "default credentials")
        return [Account(ident, base, endpoint, options.profile or "default credentials")]
    found = []
    sts = base.client("sts", region_name=region, endpoint_url=endpoint, config=_config("sts", None))
    for arn in options.role_arns:
        kwargs: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": "hipaa-safeguard-audit"}
        if options.external_id:
            kwargs["ExternalId"] = options.external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise InputError(f"--role-arn {arn}: cannot be assumed: {_reason(exc)}") from None
        session = MODELS.session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )
        found.append(Account(_identity(session, region, endpoint, arn), session, endpoint, arn))
    return found


def _identity(session: boto3.session.Session, region: str, endpoint: str | None, label: str) -> str:
    sts = session.client(
        "sts", region_name=region, endpoint_url=endpoint, config=_config("sts", None)
    )
    try:
        return str(sts.get_caller_identity()["Account"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        where = f" at {endpoint}" if endpoint else ""
        raise InputError(f"{label}: the credentials do not work{where}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip(": ")
    return str(exc).splitlines()[0]


def home_region(options: AwsOptions) -> str:
    """The region the credentials' profile names, else us-east-1."""
    try:
        return boto3.session.Session(profile_name=options.profile).region_name or "us-east-1"
    except botocore.exceptions.ProfileNotFound:
        raise InputError(f"--aws-profile {options.profile!r}: no such AWS profile") from None
