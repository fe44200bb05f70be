"""The ePHI map and asset inventory of real programs: the insecure sample exposes its database
to the internet; the billing stack's dev configuration reaches its database only through the
application tier."""

from __future__ import annotations

import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.sources.program import scan_program
from policies.asset_map import asset_map
from tests.program.stack import REPO, Stack


def _map(inventory: Inventory) -> dict:
    return asset_map(inventory, evaluate(inventory, build_registry()).findings)


@pytest.fixture(scope="module")
def insecure() -> dict:
    scan = scan_program(REPO / "tests" / "programs" / "insecure", stack="dev")
    return _map(Inventory(scan.resources))


@pytest.fixture(scope="module")
def dev_map(dev: Stack) -> dict:
    return _map(dev.inventory)


def _edges(found: dict) -> list[tuple]:
    labels = {n["id"]: n["label"] for n in found["network"]["nodes"]}
    return [
        (labels[e["from"]], labels[e["to"]], e["kind"], e["detail"])
        for e in found["network"]["edges"]
    ]


def test_the_insecure_database_is_reachable_from_the_internet(insecure: dict):
    assert ("Internet", "patients-db", "internet", ["tcp 22"]) in _edges(insecure)
    rows = {r["name"]: r for r in insecure["assets"]}
    assert {
        n: (r["exposure"]["state"], r["encryption"]["state"], r["backup"]["state"])
        for n, r in rows.items()
    } == {  # fmt: skip
        "patient-exports": ("public", "AWS-managed key (SSE-S3)", "none"),
        "patients-db": ("internet-reachable", "not encrypted", "none"),
    }
    assert insecure["summary"] == {
        "assets": 2,
        "ephi": 2,
        "exposure": {"internet-reachable": 1, "public": 1},
    }


def test_the_dev_stack_reaches_its_database_only_through_the_app_tier(dev_map: dict):
    nodes = dev_map["network"]["nodes"]
    data = {n["id"] for n in nodes if n["kind"] == "data"}
    from_internet = [e for e in dev_map["network"]["edges"] if e["from"] == "internet"]
    assert [e for e in from_internet if e["to"] in data] == []
    assert [(e["to"], e["kind"], e["detail"]) for e in from_internet] == [
        ("load_balancer-1", "internet", ["tcp 443", "tcp 80"])
    ]
    assert [e for e in _edges(dev_map) if e[2] == "network"] == [
        ("alb", "app-security-group", "network", ["tcp 8443"]),
        ("app-security-group", "billing-db", "network", ["tcp 5432"]),
    ]
    tiers = {n["label"]: n["tier"] for n in nodes if n["kind"] == "subnet"}
    assert tiers == {
        "app-subnet-0": "private",
        "app-subnet-1": "private",
        "data-subnet-0": "private",
        "data-subnet-1": "private",
        "public-subnet-0": "public",
        "public-subnet-1": "public",
    }


def test_the_dev_stack_inventory_of_ephi_stores(dev_map: dict):
    ephi = {
        r["name"]: (r["encryption"]["state"], r["exposure"]["state"])
        for r in dev_map["assets"]
        if r["classification"] == "ephi"
    }
    assert ephi == {
        "audit-evidence": ("customer-managed key", "private"),
        "billing-db": ("customer-managed key", "private"),
        "billing-documents": ("customer-managed key", "private"),
        "cloudtrail-logs": ("customer-managed key", "unknown"),
        "db-logs-postgresql": ("customer-managed key", "unknown"),
        "db-logs-upgrade": ("customer-managed key", "unknown"),
        "sessions": ("customer-managed key", "unknown"),
        "vault": ("customer-managed key", "unknown"),
    }
    db = next(r for r in dev_map["assets"] if r["name"] == "billing-db")
    assert db["backup"]["state"] == (
        "AWS Backup plan (selection tagged-data-stores); automated backups, 7 days"
    )
