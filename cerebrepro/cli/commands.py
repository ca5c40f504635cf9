"""Import every command module so that each registers itself on the app."""

from cerebrepro.cli import (  # noqa: F401  (each module registers its commands)
    analyse,
    bench,
    ei_balanced,
    events,
    export,
    fetch,
    import_spinncer,
    info,
    reproduce,
    run,
    scaffold,
    sweep,
    verify,
)
