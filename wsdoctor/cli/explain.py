"""`wsdoctor explain`: what an error text, close code or cause id means."""

from __future__ import annotations

import click


@click.command()
@click.argument("text", nargs=-1, required=True)
def explain(text: tuple[str, ...]) -> None:
    """Explain an error text or close code (e.g. 1006)."""
    from ..explain import explain as find_symptoms
    from ..explain import render_explanation

    joined = " ".join(text)
    click.echo(render_explanation(joined, find_symptoms(joined)))
