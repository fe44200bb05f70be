"""One module of collectors per AWS service, each exposing `COLLECTORS`."""
