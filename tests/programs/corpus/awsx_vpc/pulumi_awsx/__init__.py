"""A stand-in for `pulumi_awsx` with the shape of its generated SDK (remote components whose
children only exist in the awsx provider), so this program runs where awsx is not installed."""

from . import ec2

__all__ = ["ec2"]
