"""A `pulumi stack export`-shaped document of an emulated deploy.

The emulated deploy knows every resource it created: the engine-named inputs the program
declared and the outputs the emulator answered (real ids and ARNs). Written as a version-3
deployment, the same shape `pulumi stack export` writes after `pulumi up`, it is what
`safeguard drift --state` compares with the emulated account once someone has changed it by hand.

Secrets are written as the CLI writes them without `--show-secrets`: the signature object with an
opaque ciphertext, never the plaintext. Resources that were not emulated are left out: they are
not in the account, and a real `pulumi up` would have failed on them.

    report = deploy(Path("."), "prod", emu.endpoint)
    write_export(report, Path("state.json"))
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.sources.engine_values import SECRET_SIG, SIG_KEY
from scripts.emulate.report import DeployReport

# What stands for a secret's ciphertext: opaque, as only the stack's key would open it.
CIPHERTEXT = "v1:emulated:opaque"
ROOT_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE = "pulumi:providers:aws"
PROVIDER_ID = "00000000-0000-0000-0000-000000000000"


def engine_state(value: Any) -> Any:
    """An engine property value as an export holds it: secrets as ciphertext objects, whatever
    JSON cannot hold (an asset, an archive) as its text."""
    if isinstance(value, Mapping):
        if _is_secret(value):
            return {SIG_KEY: SECRET_SIG, "ciphertext": CIPHERTEXT}
        return {str(k): engine_state(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [engine_state(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def export_states(states: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The deploy's resource states as an export holds them. An output the program declared
    secret stays secret, even where a creator echoed its plaintext back."""
    out = {}
    for urn, state in states.items():
        inputs = state.get("inputs") or {}
        outputs = {
            k: inputs[k] if _is_secret(inputs.get(k)) else v
            for k, v in (state.get("outputs") or {}).items()
        }
        out[urn] = {"inputs": engine_state(inputs), "outputs": engine_state(outputs)}
    return out


def _provider(report: DeployReport) -> dict[str, Any]:
    urn = f"urn:pulumi:{report.stack}::{report.project}::{PROVIDER_TYPE}::default"
    return {
        "urn": urn,
        "custom": True,
        "id": PROVIDER_ID,
        "type": PROVIDER_TYPE,
        "inputs": {"region": report.region},
        "outputs": {"region": report.region},
    }


def stack_export(report: DeployReport) -> dict[str, Any]:
    """The deployment document of what `report` created (see the module doc)."""
    root = {
        "urn": f"urn:pulumi:{report.stack}::{report.project}::{ROOT_TYPE}::"
        f"{report.project}-{report.stack}",
        "custom": False,
        "type": ROOT_TYPE,
    }
    provider = _provider(report)
    reference = f"{provider['urn']}::{PROVIDER_ID}"
    entries = []
    for res in report.created:
        state = report.states.get(res.urn, {})
        entries.append(
            {
                "urn": res.urn,
                "custom": True,
                "id": res.id,
                "type": res.type,
                "inputs": state.get("inputs", {}),
                "outputs": state.get("outputs", {}),
                "parent": root["urn"],
                "provider": reference,
            }
        )
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "1970-01-01T00:00:00Z", "magic": "", "version": "emulated"},
            "resources": [root, provider, *entries],
        },
    }


def write_export(report: DeployReport, path: Path) -> Path:
    """Write `stack_export(report)` to `path` (sorted keys: the same deploy, the same bytes)."""
    path.write_text(
        json.dumps(stack_export(report), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path
