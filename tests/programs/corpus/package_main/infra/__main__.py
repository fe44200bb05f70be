"""Eligibility checks: a package with network and data sub-packages."""

import pulumi

from data.tables import build_tables
from network.vpc import build_network

net = build_network("eligibility", cidr="10.80.0.0/16")
tables = build_tables(["members", "coverage", "claims"], vpc_endpoint=net.dynamodb_endpoint)

pulumi.export("tables", [t.name for t in tables])
