"""The CrossGuard policy pack: the check library run by `pulumi preview --policy-pack policies`.

`pack.build_policies()` builds the policies without starting anything; `policies/__main__.py`
(the pack's entry point, next to `PulumiPolicy.yaml`) serves them.
"""
