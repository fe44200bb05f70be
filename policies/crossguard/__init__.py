"""The CrossGuard policy pack: the check library run by `pulumi preview --policy-pack policies`.

`build_policies()` builds the policies without starting anything; `policies/__main__.py` (the
pack's entry point, next to `PulumiPolicy.yaml`) serves them.
"""

from policies.crossguard.pack import PACK_DESCRIPTION, PACK_NAME, build_policies

__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "build_policies"]
