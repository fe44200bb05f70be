"""What the check library shares: property access, joins between resources, network, policy and
route helpers, the resource types more than one service reads, and the facts (TLS policies,
retention minimums, bucket exposure) that several checks judge by.

The service modules of checks import from here, never from one another.
"""
