"""Live collector: site-to-site VPN connections as `aws.ec2.VpnConnection` declares them (which
gateways they join), and each one's tunnel telemetry as `aws:ec2/vpnTunnelStatus:VpnTunnelStatus`,
a fact of the running connection that no Pulumi program, preview or state declares (control
VPN-01 reads it).

DescribeVpnConnections also answers with the tunnels' pre-shared keys (in the customer gateway
configuration and the tunnel options): only the listed fields are kept, never those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.shapes import present, tag_dict

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
VPN_TUNNEL_STATUS = "aws:ec2/vpnTunnelStatus:VpnTunnelStatus"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def connection_props(connection: Mapping[str, Any]) -> dict[str, Any]:
    options = connection.get("Options") or {}
    return present({
        "customer_gateway_id": connection.get("CustomerGatewayId"),
        "vpn_gateway_id": connection.get("VpnGatewayId"),
        "transit_gateway_id": connection.get("TransitGatewayId"),
        "type": connection.get("Type"),
        "static_routes_only": options.get("StaticRoutesOnly"),
        "enable_acceleration": options.get("EnableAcceleration"),
        "tunnel_inside_ip_version": options.get("TunnelInsideIpVersion"),
        "tags": tag_dict(connection.get("Tags")),
    })  # fmt: skip


def tunnel_status_props(connection: Mapping[str, Any]) -> dict[str, Any]:
    """The connection's state and its tunnels' telemetry, in the shape of the provider's
    `vgw_telemetries` output."""
    telemetries = [
        present(
            {
                "outside_ip_address": t.get("OutsideIpAddress"),
                "status": t.get("Status"),
                "status_message": t.get("StatusMessage"),
                "last_status_change": _plain(t.get("LastStatusChange")),
                "accepted_route_count": t.get("AcceptedRouteCount"),
                "certificate_arn": t.get("CertificateArn"),
            }
        )  # fmt: skip
        for t in connection.get("VgwTelemetry") or ()
    ]
    return {
        "vpn_connection_id": connection["VpnConnectionId"],
        "state": connection.get("State"),
        "vgw_telemetries": telemetries,
    }


def _connections(ctx: Context) -> Iterator[Resource]:
    for connection in ctx.pages(ctx.client(), "DescribeVpnConnections", "VpnConnections"):
        if connection.get("State") == "deleted":
            continue
        ident = connection["VpnConnectionId"]
        arn = f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:vpn-connection/{ident}"
        yield ctx.resource(VPN_CONNECTION, ident, connection_props(connection), id=ident, arn=arn)
        status = tunnel_status_props(connection)
        yield ctx.resource(VPN_TUNNEL_STATUS, ident, status, id=f"{ident}/tunnels")


COLLECTORS: list[Collector] = [
    Collector(
        "ec2",
        (VPN_CONNECTION, VPN_TUNNEL_STATUS),
        ("ec2:DescribeVpnConnections",),
        _connections,
    )
]
