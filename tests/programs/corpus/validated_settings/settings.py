"""Checked settings: a bad value stops the program with a clear message."""

import pulumi

ALLOWED_RETENTION = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}


class SettingsError(ValueError):
    pass


def load() -> dict:
    config = pulumi.Config()
    env = config.require("environment")
    if env not in ("dev", "staging", "prod"):
        raise SettingsError(f"unknown environment {env!r}")
    groups = config.require_object("logGroups")
    try:
        days = {name: int(value) for name, value in groups.items()}
    except (TypeError, ValueError) as exc:
        raise SettingsError("logGroups values must be whole days") from exc
    bad = {n: d for n, d in days.items() if d not in ALLOWED_RETENTION}
    if bad:
        raise SettingsError(f"unsupported retention: {bad}")
    return {"environment": env, "log_groups": days}
