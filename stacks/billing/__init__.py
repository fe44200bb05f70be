"""The billing system's secure-by-default Pulumi components.

Each module holds one `pulumi.ComponentResource` and the frozen dataclass of its knobs. The
program (`stacks/__main__.py`) reads the stack configuration once (`billing.settings`) and
composes the components; nothing here reads configuration itself.
"""

# Type-token prefix of every component: "<package>:<module>:<Type>".
COMPONENT_PREFIX = "hipaa-safeguard:billing"
