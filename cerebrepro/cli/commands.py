"""Import every command module so that each registers itself on the app."""

from cerebrepro.cli import analyse, export, fetch, info, run, scaffold  # noqa: F401
