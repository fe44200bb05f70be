"""Site-to-site VPN: both tunnels of every connection are up (control VPN-01).

Whether a tunnel is up is a fact of the running connection, not of its configuration: only the
live account shows it (DescribeVpnConnections' VgwTelemetry, collected as one
`aws:ec2/vpnTunnelStatus:VpnTunnelStatus` per connection by
`checks/sources/aws/services/vpn.py`). A program, preview or state file declares the connection
but not its tunnels' state, so there the check is NOT_APPLICABLE and says why.
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, not_applicable, passed
from checks.support.joins import referrers
from checks.support.props import blocks, known

CHECKS: list[Check] = []

VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
VPN_TUNNEL_STATUS = "aws:ec2/vpnTunnelStatus:VpnTunnelStatus"
# Every AWS site-to-site VPN connection has two tunnels, for redundancy.
TUNNELS = 2


@check(
    into=CHECKS,
    id="vpn_tunnels_up",
    control="VPN-01",
    title="Both tunnels of the site-to-site VPN connection are up",
    severity=Severity.MEDIUM,
    config_rule="vpc-vpn-2-tunnels-up",
    resource_types=(VPN_CONNECTION,),
    reads=(VPN_TUNNEL_STATUS,),
    remediation=(
        "Configure the customer gateway device for both tunnels (the connection's configuration "
        "file lists them) and keep dead peer detection on, so one tunnel's maintenance or "
        "failure does not cut the site off."
    ),
    pulumi_fix=(
        'aws.ec2.VpnConnection("clinic", customer_gateway_id=cgw.id,\n'
        '    vpn_gateway_id=vgw.id, type="ipsec.1",\n'
        '    tunnel1_dpd_timeout_action="restart", tunnel2_dpd_timeout_action="restart")'
    ),
)
def vpn_tunnels_up(res: Resource, inv: Inventory) -> Result:
    """The link to the site stays up when one tunnel goes down (contingency: emergency mode)."""
    seen = referrers(inv, res, (VPN_TUNNEL_STATUS,), "vpn_connection_id")
    if not seen:
        return not_applicable(
            "tunnel status is a fact of the running connection: only a live audit sees it"
        )
    status = seen[0]
    state = known(status, "state")
    if state != "available":
        return not_applicable(f"the connection is {state}", state=state)
    tunnels = {
        str(t.get("outside_ip_address")): str(t.get("status"))
        for t in blocks(known(status, "vgw_telemetries"))
    }
    up = sorted(ip for ip, s in tunnels.items() if s.upper() == "UP")
    if len(up) < TUNNELS:
        return failed(f"{len(up)} of {TUNNELS} tunnels are up", tunnels=tunnels)
    return passed(f"{len(up)} of {TUNNELS} tunnels are up", tunnels=tunnels)
