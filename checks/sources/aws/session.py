"""Where the audit reads from: sessions per account (an AWS profile, assumed roles), clients per
service and region with adaptive retries, and the emulator's endpoint when there is one.

The same code runs against real AWS and against the emulator: `endpoint_url` (or the standard
`AWS_ENDPOINT_URL` variable, which boto3 honours itself) is the only difference.
"""

from __future__ import annotations

import os
import re
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
    # `--org`: the credentials' own account is read too, beside the roles assumed from it.
    with_caller: bool = False

    @property
    def endpoint(self) -> str | None:
        """The endpoint to call (checked: http or https, a host), or None for AWS itself."""
        given = self.endpoint_url if self.endpoint_url is not None else None
        where = "--endpoint-url"
        if given is None:
            given, where = os.environ.get("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"
        if given is None:
            return None
        parts = urlsplit(given)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                f"{where} {shown_endpoint(given)!r}: not an http(s) URL with a host "
                "(e.g. http://127.0.0.1:5000)"
            )
        return given

    @property
    def endpoint_shown(self) -> str | None:
        """The endpoint as outputs may show it: without a user name or password in it."""
        endpoint = self.endpoint
        return shown_endpoint(endpoint) if endpoint else None


def shown_endpoint(url: str) -> str:
    """`url` without any user name or password (which must never reach a log or a report)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


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
    options: dict[str, Any] = {
        "retries": retries,
        "user_agent_extra": USER_AGENT,
        # A silent endpoint is a gap after this long, not an audit that never ends.
        "connect_timeout": 10,
        "read_timeout": 30,
    }
    if endpoint:
        # An emulator answers at one host: no bucket or account name in front of it.
        if service == "s3":
            options["s3"] = {"addressing_style": "path"}
        if service == "s3control":
            options["inject_host_prefix"] = False
    return botocore.config.Config(**options)


# What building a session or calling STS may raise besides AWS's own errors: a malformed
# config file, a failing credential process, an endpoint botocore refuses, an answer that is
# not STS's (a web page, a missing field).
_SETUP_ERRORS = (botocore.exceptions.BotoCoreError, ValueError, KeyError, TypeError)


def accounts(options: AwsOptions) -> list[Account]:
    """The accounts to read: the credentials' own, or each role assumed from them (each
    distinct role once)."""
    try:
        return _accounts(options)
    except InputError:
        raise
    except botocore.exceptions.ClientError as exc:
        raise InputError(f"the AWS credentials cannot be used: {_reason(exc)}") from None
    except _SETUP_ERRORS as exc:
        where = f" at {options.endpoint_shown}" if options.endpoint else ""
        raise InputError(
            f"the AWS session cannot be set up{where}: {type(exc).__name__}: {_reason(exc)}"
        ) from None


def _accounts(options: AwsOptions) -> list[Account]:
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
    if options.with_caller:
        label = options.profile or "default credentials"
        found.append(Account(_identity(base, region, endpoint, label), base, endpoint, label))
    config = _config("sts", endpoint)
    sts = base.client("sts", region_name=region, endpoint_url=endpoint, config=config)
    for arn in dict.fromkeys(options.role_arns):
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
        ident = _identity(session, region, endpoint, arn)
        if all(a.account_id != ident for a in found):  # two roles into one account: read once
            found.append(Account(ident, session, endpoint, arn))
    return found


def _identity(session: boto3.session.Session, region: str, endpoint: str | None, label: str) -> str:
    sts = session.client(
        "sts", region_name=region, endpoint_url=endpoint, config=_config("sts", endpoint)
    )
    try:
        return str(sts.get_caller_identity()["Account"])
    except (botocore.exceptions.ClientError, *_SETUP_ERRORS) as exc:
        where = f" at {shown_endpoint(endpoint)}" if endpoint else ""
        raise InputError(f"{label}: the credentials do not work{where}: {_reason(exc)}") from None


_USERINFO = re.compile(r"(?i)\b(https?://)[^/@\s\"']+@")


def strip_userinfo(text: str) -> str:
    """`text` with the user name and password taken out of every URL in it."""
    return _USERINFO.sub(r"\1", text)


def _reason(exc: Exception) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        return strip_userinfo(
            f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip(": ")
        )
    lines = str(exc).splitlines()
    return strip_userinfo(lines[0] if lines else type(exc).__name__)


def home_region(options: AwsOptions) -> str:
    """The region the credentials' profile names, else us-east-1."""
    try:
        return boto3.session.Session(profile_name=options.profile).region_name or "us-east-1"
    except botocore.exceptions.ProfileNotFound:
        raise InputError(f"--aws-profile {options.profile!r}: no such AWS profile") from None
    except _SETUP_ERRORS as exc:
        raise InputError(f"the AWS configuration cannot be read: {_reason(exc)}") from None
