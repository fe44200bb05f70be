"""The ePHI network map drawn as one self-contained SVG: no script, no fonts to fetch, no style
attribute (the report's Content-Security-Policy allows none), the same bytes for the same map.

Columns read left to right as traffic flows: the internet and the principals that bucket
policies name, then load balancers, then compute (and security groups with no member in the
inventory, standing for whatever runs in them), then data stores. Each VPC is a band with its
subnets listed on top; stores outside any VPC (buckets, tables, topics, log groups) sit in a
band of their own. Nothing depends on colour alone: an ePHI store is a hatched cylinder marked
"ePHI", anything the internet reaches has a thick dashed outline and says so, and the three
kinds of edge differ in dash and width as well as hue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from policies.asset_network import INTERNET

WIDTH = 1056  # room on the right for an edge between two stores of the last column
NODE_W, NODE_H, ROW = 190, 48, 64
COLUMNS = (14, 280, 546, 812)  # left edge of each column
BAND_LEFT = COLUMNS[1] - 18
BAND_HEAD = 56
INK, MUTED, ALERT, LINK = "#1d2430", "#5b6575", "#b3261e", "#1f5fa8"
HATCH, EPHI_FILL, ALERT_FILL = "#e3a34a", "#fff7ec", "#fdecea"
SVG_NS = ' xmlns="http://www.w3.org/2000/svg"'
FONT = "Helvetica, Arial, sans-serif"  # generic families only: nothing is fetched
ROLE_COLUMN = {"load_balancer": 1, "compute": 2, "security_group": 2, "data": 3}
KIND_WORDS = {
    "load_balancer": "load balancer",
    "compute": "compute",
    "security_group": "security group (no member here)",
}
DATA_ROLE = {"ephi": "ePHI", "none": "no ePHI", "unknown": "unclassified"}
EDGE_STYLE = {  # stroke, width, dash
    "internet": (ALERT, 3.0, "9 5"),
    "network": (INK, 1.6, ""),
    "policy": (LINK, 1.6, "2 4"),
}


def short_type(token: str) -> str:
    """A type token in words: "aws:cloudwatch/logGroup:LogGroup" -> "cloudwatch log group"."""
    if ":" not in token or "/" not in token:
        return ""
    service, resource = token.split(":")[1].split("/", 1)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", resource).lower()
    return f"{service} {words}"


def _text(value: Any, limit: int = 30) -> str:
    """Escaped text for the SVG, cut to `limit` characters (the full text goes in a title)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return escape(text)


def _attr(value: Any) -> str:
    return quoteattr(str(value))


def _drawn(network: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """The nodes worth drawing (security groups only where they stand in for an endpoint)."""
    nodes = network.get("nodes", [])
    edges = network.get("edges", [])
    touched = {e["from"] for e in edges} | {e["to"] for e in edges}
    keep = [
        n
        for n in nodes
        if n["kind"] in ("internet", "principal", "load_balancer", "compute", "data")
        or (n["kind"] == "security_group" and n["id"] in touched)
    ]
    ids = {n["id"] for n in keep}
    return keep, [e for e in edges if e["from"] in ids and e["to"] in ids]


def _bands(nodes: Sequence[Mapping[str, Any]], network: Mapping[str, Any]) -> list[dict]:
    """One band per VPC that holds a drawn node, then VPC-less networked nodes, then stores
    outside any VPC. Each band lists its nodes per column."""
    vpcs = {n["id"]: n for n in network.get("nodes", []) if n["kind"] == "vpc"}
    subnets = [n for n in network.get("nodes", []) if n["kind"] == "subnet"]
    bands: dict[str, dict] = {}
    for node in nodes:
        if node["kind"] in ("internet", "principal"):
            continue
        vpc = node.get("vpc")
        if vpc in vpcs:
            key, title = vpc, f"VPC {vpcs[vpc]['label']}"
        elif node.get("security_groups") or node.get("subnets") or node["kind"] != "data":
            key, title = "~network", "Network placement not in this inventory (e.g. a default VPC)"
        else:
            key, title = (
                "~regional",
                "Regional AWS services, outside any VPC (reached via AWS APIs)",
            )
        band = bands.setdefault(key, {"key": key, "title": title, "columns": {1: [], 2: [], 3: []}})
        band["columns"][ROLE_COLUMN[node["kind"]]].append(node)
    for key, band in bands.items():
        band["subnets"] = [s for s in subnets if s.get("vpc") == key]
    return [bands[k] for k in sorted(bands)]


def _layout(nodes: Sequence[Mapping[str, Any]], network: Mapping[str, Any]) -> tuple:
    """Node positions (top-left corners), the bands' boxes, and the drawing's height."""
    pos: dict[str, tuple[float, float]] = {}
    left = [n for n in nodes if n["kind"] in ("internet", "principal")]
    top = 70
    for i, node in enumerate(left):
        pos[node["id"]] = (COLUMNS[0], top + BAND_HEAD + i * ROW)
    boxes = []
    y = top
    for band in _bands(nodes, network):
        rows = max(len(c) for c in band["columns"].values())
        chips = (len(band["subnets"]) + 2) // 3
        head = BAND_HEAD + chips * 22
        for column, members in band["columns"].items():
            for i, node in enumerate(members):
                pos[node["id"]] = (COLUMNS[column], y + head + i * ROW)
        height = head + max(rows, 1) * ROW
        boxes.append({**band, "y": y, "height": height, "head": head})
        y += height + 20
    height = max(y, top + BAND_HEAD + len(left) * ROW) + 150
    return pos, boxes, height


def _hatch(x: float, y: float, w: float, h: float, step: float = 10) -> str:
    """Diagonal hatching over a box as one path of line segments (no pattern: the report's
    page allows no url() reference, so nothing is filled by reference)."""
    parts = []
    c = step
    while c < w + h:
        u0, u1 = max(0.0, c - h), min(w, c)
        parts.append(f"M{x + u0:g},{y + h - (c - u0):g}L{x + u1:g},{y + h - (c - u1):g}")
        c += step
    return (
        f'<path class="em-hatch" d="{"".join(parts)}" fill="none" stroke="{HATCH}" '
        'stroke-width="1.4"/>'
    )


def _arrow(x: float, y: float, leftward: bool, fill: str) -> str:
    back = 10 if leftward else -10
    return f'<path d="M{x:g},{y:g}L{x + back:g},{y - 5:g}L{x + back:g},{y + 5:g}Z" fill="{fill}"/>'


def _band(box: Mapping[str, Any]) -> list[str]:
    width = WIDTH - BAND_LEFT - 50
    out = [
        f'<g class="em-band"><rect x="{BAND_LEFT}" y="{box["y"]}" width="{width}" '
        f'height="{box["height"]}" rx="10" fill="#f5f7fa" stroke="{MUTED}" '
        f'stroke-dasharray="6 4"/>',
        f'<text x="{BAND_LEFT + 12}" y="{box["y"] + 20}" font-size="13" font-weight="700" '
        f'fill="{INK}">{_text(box["title"], 80)}</text>',
    ]
    for i, subnet in enumerate(box["subnets"]):
        x = BAND_LEFT + 12 + (i % 3) * 230
        y = box["y"] + 30 + (i // 3) * 22
        public = subnet.get("tier") == "public"
        fill = ALERT_FILL if public else "#ffffff"
        outline = (
            f'stroke="{ALERT}" stroke-width="2" stroke-dasharray="2 2"'
            if public
            else (f'stroke="{MUTED}" stroke-width="1"')
        )
        label = f"{subnet['label']} · {subnet.get('tier', 'unknown')} subnet"
        out.append(
            f'<g><title>{escape(label)}</title><rect x="{x}" y="{y}" width="220" height="18" '
            f'rx="9" fill="{fill}" {outline}/>'
            f'<text x="{x + 10}" y="{y + 13}" font-size="11" fill="{INK}" stroke="#ffffff" '
            'stroke-width="3" paint-order="stroke">'
            f"{_text(label, 34)}</text></g>"
        )
    out.append("</g>")
    return out


def _exposed(node: Mapping[str, Any], exposure: Mapping[str, str]) -> bool:
    state = exposure.get(node.get("id", ""), "")
    return node.get("internet") == "yes" or state in ("public", "internet-reachable")


def _node(
    node: Mapping[str, Any],
    x: float,
    y: float,
    exposure: Mapping[str, str],
    groups: Sequence[str] = (),
) -> list[str]:
    kind = node["kind"]
    ephi = node.get("ephi") == "ephi"
    exposed = _exposed(node, exposure)
    stroke = ALERT if exposed or kind == "internet" else INK
    width, dash = (3.2, ' stroke-dasharray="7 4"') if exposed else (1.4, "")
    fill = EPHI_FILL if ephi and kind == "data" else "#ffffff"
    if kind == "internet":
        fill = ALERT_FILL
    words = KIND_WORDS.get(kind) or short_type(node.get("type", "")) or "principal"
    if kind == "internet":
        words = "anyone, anywhere"
    if kind == "data":
        words = f"{words} · {DATA_ROLE.get(node.get('ephi', ''), 'unclassified')}"
    if exposed:
        words = f"INTERNET · {words}"
    full = f"{node['label']} ({words})"
    if groups:
        full += f"; security groups: {', '.join(groups)}"
    out = [f'<g class="em-node em-{kind}" id={_attr("em-" + node["id"])}>']
    out.append(f"<title>{escape(full)}</title>")
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}'
    if kind == "internet":
        cx, cy = x + NODE_W / 2, y + NODE_H / 2
        out.append(f'<ellipse cx="{cx}" cy="{cy}" rx="{NODE_W / 2}" ry="{NODE_H / 2}" {common}/>')
        out.append(
            f'<ellipse cx="{cx}" cy="{cy}" rx="{NODE_W / 2 - 5}" ry="{NODE_H / 2 - 5}" '
            f'fill="none" stroke="{ALERT}" stroke-width="1"/>'
        )
    elif kind == "data":  # a cylinder: the usual sign for a data store
        r = 7
        out.append(
            f'<path d="M{x},{y + r} A{NODE_W / 2},{r} 0 0 1 {x + NODE_W},{y + r} '
            f'L{x + NODE_W},{y + NODE_H - r} A{NODE_W / 2},{r} 0 0 1 {x},{y + NODE_H - r} Z" '
            f"{common}/>"
        )
        if ephi:
            out.append(_hatch(x + 2, y + r + 2, NODE_W - 4, NODE_H - 2 * r - 4))
        out.append(
            f'<path d="M{x},{y + r} A{NODE_W / 2},{r} 0 0 0 {x + NODE_W},{y + r}" fill="none" '
            f'stroke="{stroke}" stroke-width="{width}"/>'
        )
    else:
        rx = 4 if kind in ("compute", "security_group") else 14
        out.append(f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="{rx}" {common}/>')
    halo = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"'
    tx = x + 12 if kind != "internet" else x + 50
    dy = 4 if kind == "data" else 0  # below a cylinder's rim
    out.append(
        f'<text x="{tx}" y="{y + 23 + dy}" font-size="13" font-weight="700" fill="{INK}" {halo}>'
        f"{_text(node['label'], 24)}</text>"
    )
    out.append(
        f'<text x="{tx}" y="{y + 39 + dy}" font-size="10.5" fill="{ALERT if exposed else MUTED}" '
        f"{halo}>{_text(words, 32)}</text>"
    )
    out.append("</g>")
    return out


def _edge(
    edge: Mapping[str, Any], pos: Mapping[str, tuple[float, float]], index: int, labelled: set
) -> list:
    """One edge: a curve, its arrowhead and (once per target and detail) its label; the full
    words are its title."""
    (x1, y1), (x2, y2) = pos[edge["from"]], pos[edge["to"]]
    stroke, width, dash = EDGE_STYLE[edge["kind"]]
    start = (x1 + NODE_W, y1 + NODE_H / 2)
    end = (x2, y2 + NODE_H / 2)
    if x2 <= x1:  # same column or backwards: loop round the right-hand side
        end = (x2 + NODE_W, y2 + NODE_H / 2)
        bend = max(start[0], end[0]) + 34
        path = f"M{start[0]},{start[1]} C{bend},{start[1]} {bend},{end[1]} {end[0]},{end[1]}"
    else:
        mid = (start[0] + end[0]) / 2
        path = f"M{start[0]},{start[1]} C{mid},{start[1]} {mid},{end[1]} {end[0]},{end[1]}"
    detail = ", ".join(edge.get("detail", []))
    via = ", ".join(edge.get("via", []))
    label = {"internet": "from the internet", "network": "network", "policy": "policy grant"}
    words = f"{label[edge['kind']]}: {detail} (via {via})"
    lx = (start[0] + end[0]) / 2
    ly = (start[1] + end[1]) / 2 - 5 + (index % 2) * 12
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        f'<g class="em-edge em-{edge["kind"]}"><title>{escape(words)}</title>',
        f'<path d="{path}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash_attr}/>',
        _arrow(end[0], end[1], x2 <= x1, stroke),
    ]
    if (edge["to"], detail) not in labelled:  # many sources into one port: say it once
        labelled.add((edge["to"], detail))
        out.append(
            f'<text x="{lx}" y="{ly}" font-size="10" text-anchor="middle" fill="{stroke}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_text(detail, 26)}</text>'
        )
    return [*out, "</g>"]


def _legend(y: float) -> list[str]:
    items = [
        ("internet", "reachable from the internet (security group admits 0.0.0.0/0)"),
        ("network", "can reach (a security group admits the source's group)"),
        ("policy", "granted by a bucket policy"),
    ]
    out = [f'<g class="em-legend"><text x="14" y="{y}" font-size="12" font-weight="700" '
           f'fill="{INK}">Legend</text>']  # fmt: skip
    for i, (kind, words) in enumerate(items):
        stroke, width, dash = EDGE_STYLE[kind]
        ly = y + 20 + i * 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="14" y1="{ly - 4}" x2="74" y2="{ly - 4}" stroke="{stroke}" '
            f'stroke-width="{width}"{dash_attr}/><text x="84" y="{ly}" font-size="11" '
            f'fill="{INK}">{escape(words)}</text>'
        )
    x = 540
    out.append(
        f'<rect x="{x}" y="{y + 6}" width="34" height="18" fill="{EPHI_FILL}" stroke="{INK}"/>'
        f"{_hatch(x, y + 6, 34, 18)}"
        f'<text x="{x + 44}" y="{y + 20}" font-size="11" fill="{INK}">'
        "hatched cylinder: data store tagged ePHI</text>"
        f'<rect x="{x}" y="{y + 32}" width="34" height="18" fill="#ffffff" stroke="{ALERT}" '
        f'stroke-width="3.2" stroke-dasharray="7 4"/><text x="{x + 44}" y="{y + 46}" '
        f'font-size="11" fill="{INK}">thick dashed outline: exposed to the internet</text>'
        f'<rect x="{x}" y="{y + 58}" width="34" height="18" rx="9" fill="{ALERT_FILL}" '
        f'stroke="{ALERT}" stroke-width="2" stroke-dasharray="2 2"/><text x="{x + 44}" '
        f'y="{y + 72}" font-size="11" fill="{INK}">'
        "dotted outline: public subnet (routes to an internet gateway)</text></g>"
    )
    return out


def describe(asset_map: Mapping[str, Any]) -> str:
    """One sentence for screen readers: what the map shows."""
    assets = asset_map.get("assets", [])
    ephi = [a for a in assets if a.get("classification") == "ephi"]
    reached = sorted(
        a["name"]
        for a in assets
        if a.get("exposure", {}).get("state") in ("public", "internet-reachable")
    )
    exposed = (
        f"exposed to the internet: {', '.join(reached)}."
        if reached
        else "none is exposed to the internet."
    )
    return (
        f"{len(assets)} data store{'s' if len(assets) != 1 else ''}, {len(ephi)} tagged as "
        f"holding ePHI; {exposed}"
    )


def network_svg(
    asset_map: Mapping[str, Any], title: str = "ePHI network map", *, standalone: bool = True
) -> str:
    """The map as an SVG document; with `standalone` false, as an element to put inline in an
    HTML page (which needs no namespace declaration, and whose page names no URL at all)."""
    network = asset_map.get("network") or {"nodes": [], "edges": []}
    nodes, edges = _drawn(network)
    if not any(n["kind"] == "internet" for n in nodes):
        nodes = [{"id": INTERNET, "kind": "internet", "label": "Internet"}, *nodes]
    pos, boxes, height = _layout(nodes, network)
    exposure = {
        a["node"]: a.get("exposure", {}).get("state", "") for a in asset_map.get("assets", [])
    }
    out = [
        f'<svg{SVG_NS if standalone else ""} class="chart ephi-map" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="em-title em-desc" font-family="{FONT}">',
        f'<title id="em-title">{escape(title)}</title>',
        f'<desc id="em-desc">{escape(describe(asset_map))}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for column, head in enumerate(("Internet and principals", "Entry", "Compute", "Data stores")):
        out.append(
            f'<text x="{COLUMNS[column]}" y="40" font-size="12" font-weight="700" '
            f'fill="{MUTED}">{escape(head.upper())}</text>'
        )
    for box in boxes:
        out += _band(box)
    labelled: set[tuple[str, str]] = set()
    for index, edge in enumerate(edges):
        out += _edge(edge, pos, index, labelled)
    labels = {n["id"]: n["label"] for n in network.get("nodes", [])}
    for node in nodes:
        groups = [labels.get(g, g) for g in node.get("security_groups", [])]
        out += _node(node, *pos[node["id"]], exposure, groups)
    out += _legend(height - 110)
    out.append("</svg>")
    return "\n".join(out) + "\n"
