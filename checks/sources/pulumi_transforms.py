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
