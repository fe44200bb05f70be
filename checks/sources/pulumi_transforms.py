"""Resource and stack transforms, run on a resource's inputs as the engine runs them (Pulumi's
mock monitor records transforms but never calls them)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any


def transformed(args, stack_transforms: list) -> dict[str, Any]:
    import pulumi

    props = dict(args.inputs)
    for transform in [*(getattr(args, "transforms", None) or []), *stack_transforms]:
        result = transform(
            pulumi.ResourceTransformArgs(
                custom=bool(args.custom),
                type_=args.typ,
                name=args.name,
                props=props,
                opts=pulumi.ResourceOptions(),
            )
        )
        if inspect.isawaitable(result):
            loop = asyncio.new_event_loop()
            try:
                result = loop.run_until_complete(result)
            finally:
                loop.close()
        if result is not None:
            props = dict(result.props)
    return props


def delegating_mocks(target: Any) -> Any:
    """Pulumi `Mocks` that hand every resource, stack transform and call to `target` (which has
    `new_resource`, `call` and a `stack_transforms` list): the scanner's recorder or the
    emulated deploy's deployer."""
    from pulumi.runtime.mocks import Mocks

    class _Delegating(Mocks):
        def new_resource(self, args):
            return target.new_resource(args)

        def register_transform(self, transform):
            target.stack_transforms.append(transform)

        def call(self, args):
            return target.call(args)

    return _Delegating()
