"""The Typer application object; command modules attach their commands to it."""

import typer

app = typer.Typer(
    name="panhuo",
    help="panhuo (盘活): client service and dormant-client reactivation for a securities branch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Plain click help: Rich's boxes pad every line with spaces and tag each flag "<bool>" (Typer 0.29).
    rich_markup_mode=None,
)
