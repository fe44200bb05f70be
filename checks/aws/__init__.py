"""The built-in AWS check library: one module per service, each exposing `CHECKS`.

Modules here import shared helpers from `checks.support`, never from one another;
`checks.library` lists them in the order the registry loads them.
"""
