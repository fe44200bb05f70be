"""Settings shared by the program's modules."""

import pulumi

config = pulumi.Config()
ENV = config.require("env")
CIDR = config.get("cidr") or "10.70.0.0/16"
