"""The ePHI network map as data: where data stores sit and what can reach them.

Nodes are the internet, VPCs, subnets (public when a route sends the internet's range to an
internet gateway), security groups, load balancers, compute and every data-holding store.
Edges say who can reach whom:
- "internet": from the internet to a resource that is public by its own flag (an
  internet-facing load balancer, a publicly accessible database, an instance with a public
  address), not placed only in private subnets, whose security group admits 0.0.0.0/0 or ::/0;
- "network": from a resource (or a security group with no member in the inventory, standing
  for whatever runs in it) to a resource whose security group admits that group;
- "reads": from a principal that a bucket's policy allows (the internet node for "*").

What cannot be told (a reference not known yet, a type the source could not collect) draws
no edge and is said in `notes`. Everything is sorted, so the same inventory gives the same map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from checks.model import (
    EPHI_CLASSES,
    Inventory,
    Resource,
    Undecidable,
    data_classification,
)
from checks.splits import INGRESS_RULE, LEGACY_RULE, SECURITY_GROUPS, reference
from checks.support.buckets import companions
from checks.support.cidr import is_internet
from checks.support.joins import referrers
from checks.support.policydoc import parse_policy
from checks.support.resource_types import (
    ALL_LOAD_BALANCERS,
    BUCKET,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    VPC_TYPES,
)
from checks.support.routes import internet_routes, subnet_route_tables
from checks.support.subnets import SUBNET_TYPES
from policies.asset_kinds import data_kinds
from policies.asset_placement import (
    COMPUTE_TYPES,
    EFS_FILE_SYSTEM,
    EFS_MOUNT_TARGET,
    PLACEMENTS,
    SEARCH_DOMAINS,
    Placement,
    ports_text,
    reference_texts,
    walk,
)

INTERNET = "internet"


class _Builder:
    """One map from one inventory: nodes, edges and notes, built in that order."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.nodes: dict[str, dict[str, Any]] = {}
        self.by_address: dict[str, str] = {}
        self.edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.notes: set[str] = set()
        self.counters: dict[str, int] = {}

    # -- nodes -----------------------------------------------------------------------------
    def _resources(self, types: Iterable[str]) -> list[Resource]:
        found = []
        for token in types:
            try:
                found += self.inv.of_type(token)
            except Undecidable as why:
                self.notes.add(str(why))
        return sorted(found, key=lambda r: (r.name, r.address))

    def add(self, kind: str, res: Resource, **extra: Any) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        node_id = f"{kind}-{self.counters[kind]}"
        self.nodes[node_id] = {
            "id": node_id,
            "kind": kind,
            "label": res.name,
            "type": res.type,
            "address": res.address,
            **extra,
        }
        self.by_address[res.address] = node_id
        return node_id

    def node_of(self, ref: str, types: Sequence[str]) -> str | None:
        for token in types:
            try:
                found = self.inv.get(ref, token)
            except Undecidable as why:
                self.notes.add(str(why))
                continue
            if found is not None and found.address in self.by_address:
                return self.by_address[found.address]
        return None

    def subnet_tier(self, subnet: Resource) -> str:
        try:
            tables = subnet_route_tables(subnet, self.inv)
            routed = any(internet_routes(t, self.inv) for t in tables)
        except Undecidable as why:
            self.notes.add(f"whether {subnet.name} is public cannot be told: {why}")
            return "unknown"
        return "public" if routed else "private"

    def vpc_of(self, res: Resource) -> str | None:
        texts, _ = reference_texts(res.props, ("vpc_id",))
        return next((n for t in texts if (n := self.node_of(t, VPC_TYPES))), None)

    def add_network(self) -> None:
        for vpc in self._resources(VPC_TYPES):
            self.add("vpc", vpc)
        for subnet in self._resources(SUBNET_TYPES):
            self.add("subnet", subnet, vpc=self.vpc_of(subnet), tier=self.subnet_tier(subnet))
        for group in self._resources(SECURITY_GROUPS):
            self.add("security_group", group, vpc=self.vpc_of(group))

    def placed(self, res: Resource) -> dict[str, Any]:
        """A resource's security groups, subnets, VPC and public flag as node fields."""
        place = PLACEMENTS.get(res.type)
        if place is None:
            return {"security_groups": [], "subnets": [], "vpc": None, "public": None}
        group_refs, hidden = reference_texts(res.props, place.groups)
        subnet_refs, unseen = reference_texts(res.props, place.subnets)
        if place.subnet_group:
            subnet_refs += self._subnet_group(res, *place.subnet_group)
        if res.type == EFS_FILE_SYSTEM:
            more_groups, more_subnets = self._mount_targets(res)
            group_refs, subnet_refs = group_refs + more_groups, subnet_refs + more_subnets
        if hidden or unseen:
            self.notes.add(f"some network references of {res.name} are not known yet")
        groups = sorted({n for r in group_refs if (n := self.node_of(r, SECURITY_GROUPS))})
        subnets = sorted({n for r in subnet_refs if (n := self.node_of(r, SUBNET_TYPES))})
        vpcs = {self.nodes[n].get("vpc") for n in groups + subnets} - {None}
        return {
            "security_groups": groups,
            "subnets": subnets,
            "vpc": min(vpcs) if len(vpcs) == 1 else None,
            "public": self._public(res, place),
        }

    def _subnet_group(self, res: Resource, key: str, token: str) -> list[str]:
        names, _ = reference_texts(res.props, (key,))
        found: list[str] = []
        for name in names:
            try:
                group = self.inv.get(name, token) or next(
                    (g for g in self.inv.of_type(token) if g.props.get("name") == name), None
                )
            except Undecidable as why:
                self.notes.add(str(why))
                continue
            if group is not None:
                found += reference_texts(group.props, ("subnet_ids",))[0]
        return found

    def _mount_targets(self, fs: Resource) -> tuple[list[str], list[str]]:
        try:
            targets = referrers(self.inv, fs, (EFS_MOUNT_TARGET,), "file_system_id")
        except Undecidable as why:
            self.notes.add(str(why))
            return [], []
        groups = [t for m in targets for t in reference_texts(m.props, ("security_groups",))[0]]
        return groups, [t for m in targets for t in reference_texts(m.props, ("subnet_id",))[0]]

    def _public(self, res: Resource, place: Placement) -> bool | None:
        if res.type == RDS_CLUSTER:
            return self._cluster_public(res)
        if res.type in SEARCH_DOMAINS:  # a domain outside any VPC has a public endpoint
            return not walk(res.props, ("vpc_options", "subnet_ids"))[0]
        if not place.public:
            return place.public_default
        values, hidden = walk(res.props, place.public)
        flags = [v for v in values if isinstance(v, bool)]
        if hidden or len(flags) != len(values):
            return None
        if not flags:
            return place.public_default
        return any(flags) if place.public_when_set else not all(flags)

    def _cluster_public(self, cluster: Resource) -> bool | None:
        try:
            members = referrers(self.inv, cluster, (RDS_CLUSTER_INSTANCE,), "cluster_identifier")
        except Undecidable as why:
            self.notes.add(str(why))
            return None
        flags = [m.props.get("publicly_accessible", False) for m in members]
        if not all(isinstance(f, bool) for f in flags):
            return None
        return any(flags)

    def add_endpoints(self) -> None:
        kinds = data_kinds()
        for res in self._resources(ALL_LOAD_BALANCERS):
            self.add("load_balancer", res, ephi=_ephi(res), **self.placed(res))
        for res in self._resources(COMPUTE_TYPES):
            self.add("compute", res, ephi=_ephi(res), **self.placed(res))
        stores = [t for t in sorted(kinds) if t not in COMPUTE_TYPES]
        for res in self._resources(stores):
            extra = {"category": kinds[res.type], "ephi": _ephi(res)}
            self.add("data", res, **extra, **self.placed(res))

    # -- edges -----------------------------------------------------------------------------
    def group_ingress(self, group: Resource) -> tuple[list[str], list[tuple[str, str]]]:
        """The ports a group opens to the internet, and the groups it admits (with ports)."""
        internet: list[str] = []
        try:
            for rule in self.inv.ingress_rules(group):
                if any(is_internet(c) for c in (*rule.cidr_ipv4, *rule.cidr_ipv6)):
                    internet.append(ports_text(rule.protocol, rule.from_port, rule.to_port))
            rules = self.inv.security_group_rule_resources(group)
        except Undecidable as why:
            self.notes.add(f"the ingress of {group.name} cannot be told in full: {why}")
            return sorted(set(internet)), []
        admitted: list[tuple[str, str]] = []
        own = reference(group.id)[0] or group.name
        for block in walk(group.props, ("ingress",))[0]:
            if isinstance(block, Mapping):
                ports = ports_text(
                    block.get("protocol"), block.get("from_port"), block.get("to_port")
                )
                refs = reference_texts(block, ("security_groups",))[0]
                admitted += [(r, ports) for r in refs]
                if block.get("self") is True:
                    admitted.append((own, ports))
        for rule in rules:
            props = rule.props
            if rule.type == INGRESS_RULE:
                ports = ports_text(
                    props.get("ip_protocol"), props.get("from_port"), props.get("to_port")
                )
                ref = reference(props.get("referenced_security_group_id"))[0]
            elif rule.type == LEGACY_RULE and props.get("type") == "ingress":
                ports = ports_text(
                    props.get("protocol"), props.get("from_port"), props.get("to_port")
                )
                ref = (
                    own
                    if props.get("self") is True
                    else reference(props.get("source_security_group_id"))[0]
                )
            else:
                continue
            if ref:
                admitted.append((ref, ports))
        return sorted(set(internet)), sorted(set(admitted))

    def edge(self, source: str, target: str, kind: str, detail: str, via: str) -> None:
        found = self.edges.setdefault(
            (source, target, kind),
            {"from": source, "to": target, "kind": kind, "detail": set(), "via": set()},
        )
        found["detail"].add(detail)
        found["via"].add(via)

    def add_reach(self) -> None:
        groups = {n["address"]: n for n in self.nodes.values() if n["kind"] == "security_group"}
        resources = {r.address: r for r in self._resources(SECURITY_GROUPS)}
        members: dict[str, list[str]] = {}
        endpoints = [n for n in self.nodes.values() if n.get("security_groups")]
        for node in endpoints:
            for group_id in node["security_groups"]:
                members.setdefault(group_id, []).append(node["id"])
        targets = [(n["id"], n["security_groups"], n) for n in endpoints]
        targets += [(g["id"], [g["id"]], None) for g in groups.values() if g["id"] not in members]
        ingress = {
            groups[a]["id"]: self.group_ingress(res) for a, res in resources.items() if a in groups
        }
        for target, its_groups, node in targets:
            open_ports: list[str] = []
            for group_id in its_groups:
                internet, admitted = ingress.get(group_id, ([], []))
                label = self.nodes[group_id]["label"]
                open_ports += [(p, label) for p in internet]
                for ref, ports in admitted:
                    source_group = self.node_of(ref, SECURITY_GROUPS)
                    if source_group is None:
                        continue
                    for source in members.get(source_group) or [source_group]:
                        if source != target:
                            self.edge(source, target, "network", ports, label)
            if node is not None:
                node["internet"] = self._internet(node, open_ports)

    def _internet(self, node: dict[str, Any], open_ports: list[tuple[str, str]]) -> str:
        """Whether the internet reaches the node ("yes", "no", "unknown"), drawing the edge."""
        if not open_ports:
            return "no"
        tiers = {self.nodes[s].get("tier") for s in node.get("subnets", [])}
        if node.get("public") is False or tiers == {"private"}:
            return "no"
        if node.get("public") is None or "unknown" in tiers:
            self.notes.add(
                f"{node['label']} admits the internet, but whether it has a public address "
                "cannot be told"
            )
            return "unknown"
        for ports, via in open_ports:
            self.edge(INTERNET, node["id"], "internet", ports, via)
        return "yes"

    def add_readers(self) -> None:
        readers: list[tuple[str, str, str, bool]] = []
        for node in [n for n in self.nodes.values() if n.get("type") == BUCKET]:
            bucket = next(r for r in self.inv.of_type(BUCKET) if r.address == node["address"])
            for name, statement in self._bucket_statements(bucket):
                if statement.effect != "Allow":
                    continue
                for principal in _principals(statement.principal):
                    actions = ", ".join(statement.actions) or "(NotAction)"
                    readers.append(
                        (principal, node["id"], f"{actions} ({name})", bool(statement.condition))
                    )
        labels = sorted({p for p, *_ in readers} - {INTERNET})
        ids = {INTERNET: INTERNET}
        for index, label in enumerate(labels, start=1):
            ids[label] = f"principal-{index}"
            self.nodes[ids[label]] = {"id": ids[label], "kind": "principal", "label": label}
        for principal, bucket_id, actions, conditioned in readers:
            via = "with a condition" if conditioned else "unconditional"
            self.edge(ids[principal], bucket_id, "policy", actions, via)

    def _bucket_statements(self, bucket: Resource) -> list[tuple[str, Any]]:
        try:
            documents = [
                (p.name, p.props.get("policy")) for p in companions(bucket, self.inv, "policy")
            ]
        except Undecidable as why:
            self.notes.add(f"the policy of {bucket.name} cannot be read: {why}")
            return []
        if isinstance(bucket.props.get("policy"), str):
            documents.append((bucket.name, bucket.props["policy"]))
        found = []
        for name, document in documents:
            try:
                found += [(name, s) for s in parse_policy(document, f"the policy {name}")]
            except Undecidable as why:
                self.notes.add(str(why))
        return found

    def result(self) -> dict[str, Any]:
        order = {"internet": 0, "network": 1, "policy": 2}
        edges = [
            {**e, "detail": sorted(e["detail"]), "via": sorted(e["via"])}
            for e in self.edges.values()
        ]
        edges.sort(key=lambda e: (order[e["kind"]], e["from"], e["to"]))
        return {"nodes": list(self.nodes.values()), "edges": edges, "notes": sorted(self.notes)}


def _ephi(res: Resource) -> str:
    """The resource's data role by its tag: "ephi", "none" (another class) or "unknown"."""
    raw = data_classification(res)
    if raw is None:
        return "unknown"
    return "ephi" if raw.strip().lower() in EPHI_CLASSES else "none"


def _principals(principal: Any) -> list[str]:
    """The principals a statement names, as map labels; the internet node for anyone."""
    if principal == "*":
        return [INTERNET]
    if not isinstance(principal, Mapping):
        return []
    found = []
    for kind, values in sorted(principal.items()):
        for value in values:
            found.append(INTERNET if value == "*" else f"{kind} {value}")
    return sorted(set(found))


def network_map(inv: Inventory) -> dict[str, Any]:
    """The ePHI network map of an inventory: nodes, edges and what could not be told."""
    builder = _Builder(inv)
    builder.nodes[INTERNET] = {"id": INTERNET, "kind": "internet", "label": "Internet"}
    builder.add_network()
    builder.add_endpoints()
    builder.add_reach()
    builder.add_readers()
    return builder.result()
