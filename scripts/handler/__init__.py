"""The change-triggered audit: `scripts.handler.entry.handle` is the Lambda entry point."""
