"""The ePHI network map as SVG, and the asset section's view of the run record."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reports.asset_view import asset_context
from reports.network_svg import describe, network_svg, short_type

NS = {"s": "http://www.w3.org/2000/svg"}


def _asset(node: str, name: str, kind: str, ephi: str, exposure: str) -> dict:
    return {
        "node": node,
        "name": name,
        "type": kind,
        "kind": "databases",
        "address": f"urn:x::{name}",
        "classification": ephi,
        "classification_tag": "ePHI" if ephi == "ephi" else None,
        "encryption": {"state": "not encrypted", "basis": "b"},
        "backup": {"state": "none", "basis": "b"},
        "exposure": {"state": exposure, "basis": "b"},
    }


RDS = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
MAP = {
    "assets": [
        _asset("data-1", "patients-db", RDS, "ephi", "internet-reachable"),
        _asset("data-2", "exports", BUCKET, "unknown", "private"),
    ],
    "summary": {"assets": 2, "ephi": 1, "exposure": {"internet-reachable": 1, "private": 1}},
    "network": {
        "nodes": [
            {"id": "internet", "kind": "internet", "label": "Internet"},
            {"id": "vpc-1", "kind": "vpc", "label": "main", "type": "aws:ec2/vpc:Vpc"},
            {"id": "subnet-1", "kind": "subnet", "label": "pub", "vpc": "vpc-1", "tier": "public"},
            {"id": "security_group-1", "kind": "security_group", "label": "db-sg", "vpc": "vpc-1"},
            {
                "id": "data-1",
                "kind": "data",
                "label": "patients-db",
                "type": RDS,
                "ephi": "ephi",
                "vpc": "vpc-1",
                "subnets": ["subnet-1"],
                "security_groups": ["security_group-1"],
                "internet": "yes",
            },
            {"id": "data-2", "kind": "data", "label": "exports", "type": BUCKET, "ephi": "unknown"},
        ],
        "edges": [
            {
                "from": "internet",
                "to": "data-1",
                "kind": "internet",
                "detail": ["tcp 5432"],
                "via": ["db-sg"],
            }
        ],
        "notes": [],
    },
}


def _svg() -> ET.Element:
    return ET.fromstring(network_svg(MAP))


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{{{NS['s']}}}text")]


def test_the_map_parses_as_svg_with_a_title_and_a_description():
    root = _svg()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.find("s:title", NS).text == "ePHI network map"
    assert root.find("s:desc", NS).text == (
        "2 data stores, 1 tagged as holding ePHI; exposed to the internet: patients-db."
    )


def test_the_map_labels_nodes_edges_and_subnets():
    texts = _texts(_svg())
    for expected in (
        "Internet",
        "patients-db",
        "INTERNET · rds instance · ePHI",
        "exports",
        "s3 bucket · unclassified",
        "tcp 5432",
        "VPC main",
        "pub · public subnet",
    ):
        assert expected in texts


def test_ephi_and_exposure_read_without_colour():
    root = _svg()
    db = root.find(".//s:g[@id='em-data-1']", NS)
    assert db.find("s:path[@class='em-hatch']", NS) is not None
    assert db.find("s:path", NS).get("stroke-dasharray") == "7 4"
    bucket = root.find(".//s:g[@id='em-data-2']", NS)
    assert bucket.find("s:path[@class='em-hatch']", NS) is None
    assert bucket.find("s:path", NS).get("stroke-dasharray") is None
    edge = root.find(".//s:g[@class='em-edge em-internet']/s:path", NS)
    assert (edge.get("stroke-dasharray"), edge.get("stroke-width")) == ("9 5", "3.0")


def test_the_map_is_self_contained_and_deterministic():
    text = network_svg(MAP)
    assert text == network_svg(MAP)
    assert "<script" not in text
    assert "style=" not in text  # the report's Content-Security-Policy allows no style attribute
    assert "url(" not in text  # nothing filled or marked by reference
    assert text.count("http") == 1  # the SVG namespace, nothing to fetch


def test_labels_are_escaped():
    hostile = {
        **MAP,
        "network": {
            **MAP["network"],
            "nodes": [
                *MAP["network"]["nodes"][:5],
                {**MAP["network"]["nodes"][5], "label": "<b>&"},
            ],
        },
    }
    root = ET.fromstring(network_svg(hostile))
    assert "<b>&" in _texts(root)


def test_type_tokens_read_as_words():
    assert short_type("aws:cloudwatch/logGroup:LogGroup") == "cloudwatch log group"
    assert short_type("aws:rds/instance:Instance") == "rds instance"
    assert short_type("Internet") == ""


def test_nothing_exposed_is_said_so():
    quiet = {"assets": [_asset("data-2", "exports", BUCKET, "none", "private")]}
    assert describe(quiet) == (
        "1 data store, 0 tagged as holding ePHI; none is exposed to the internet."
    )


def test_the_view_puts_ephi_first_and_handles_an_older_record():
    view = asset_context({"asset_map": MAP})["assets"]
    assert [r["name"] for r in view["rows"]] == ["patients-db", "exports"]
    assert (view["present"], view["internet_edges"]) == (True, 1)
    older = asset_context({})["assets"]
    assert (older["present"], older["rows"], str(older["svg"])) == (False, [], "")


def test_inline_the_map_names_no_url():
    inline = network_svg(MAP, standalone=False)
    assert inline.startswith('<svg class="chart ephi-map"')
    assert "http" not in inline
    assert inline.replace("<svg class", f'<svg xmlns="{NS["s"]}" class', 1) == network_svg(MAP)
