"""The Typer application that every command module adds itself to."""

import typer

app = typer.Typer(
    name="cerebrepro",
    help="Reproduce the cerebellum scaffold experiment (Casali et al. 2019; Bogdan et al. 2021) "
    "on NEST, SpiNNaker and Brian2.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
