"""Import every command module so that each registers itself on the app."""

from cerebrepro.cli import info  # noqa: F401
