"""Identity of the offline rebuild: its version and default seed (kept import-light for the CLI)."""

BUILDER_VERSION = 1  # bump when a change alters what a given size and seed build
DEFAULT_SCAFFOLD_SEED = 20190037
