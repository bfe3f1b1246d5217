"""`wsdoctor explain`: what an error text, close code or cause id means."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..causes import Remediation


@click.command()
@click.argument("text", nargs=-1, required=True)
def explain(text: tuple[str, ...]) -> None:
    """Explain an error text, a close code (e.g. 1006) or a cause id (e.g. tls.intercepted)."""
    from ..explain import explain as find_symptoms
    from ..explain import looks_like_cause_id, render_cause, render_explanation

    joined = " ".join(text)
    rem = known_cause(joined.strip()) if looks_like_cause_id(joined) else None
    if rem is not None:
        click.echo(render_cause(rem))
        return
    click.echo(render_explanation(joined, find_symptoms(joined)))


def known_cause(cause_id: str) -> Remediation | None:
    """A built-in cause, else one an installed plugin ships (loading plugins only then)."""
    from .. import causes
    from ..errors import RegistryError
    from .options import load_registry

    builtin = causes.lookup(cause_id)
    if builtin is not None:
        return builtin
    try:
        return load_registry().catalogue.get(cause_id)
    except RegistryError as exc:  # explain what can be explained without the plugins
        click.echo(f"wsdoctor: plugin error: {exc}", err=True)
        return None
