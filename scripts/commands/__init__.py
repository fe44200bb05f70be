"""The `safeguard` subcommands, one module each: `add_parser(subparsers)` declares it and sets
the handler that runs it."""
