"""`retrolean domains [list|show ID]`: browse the domain catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from retrolean.memory.errors import UserError

if TYPE_CHECKING:
    from retrolean.skills.cards import DomainCard

console = Console()


def _cards() -> dict[str, DomainCard]:
    from retrolean.agent.settings import load_settings
    from retrolean.recipes.catalog_loader import load_catalog

    return load_catalog(load_settings().catalog).domains


def register(app: typer.Typer) -> None:
    domains_app = typer.Typer(help="Browse the domain catalog.", no_args_is_help=False,
                              invoke_without_command=True)
    app.add_typer(domains_app, name="domains")

    @domains_app.callback(invoke_without_command=True)
    def default(ctx: typer.Context) -> None:
        """List the domains (same as `domains list`)."""
        if ctx.invoked_subcommand is None:
            list_domains()

    @domains_app.command("list")
    def list_domains() -> None:
        """One line per domain: id, name, whether the template backend can build it."""
        from retrolean.skills.problems.registry import gadget_domains

        cards = _cards()
        templated = set(gadget_domains())
        table = Table(title=f"{len(cards)} domains")
        table.add_column("id")
        table.add_column("name")
        table.add_column("template")
        table.add_column("need")
        for card in cards.values():
            table.add_row(card.id, card.name, "yes" if card.id in templated else "no", card.need)
        console.print(table)

    @domains_app.command("show")
    def show(domain: Annotated[str, typer.Argument(help="domain id")]) -> None:
        """Everything the catalog says about one domain."""
        from retrolean.skills.problems.registry import gadget_domains

        cards = _cards()
        if domain not in cards:
            raise UserError(f"unknown domain {domain!r}; `retrolean domains` lists them")
        c = cards[domain]
        console.print(f"[bold]{c.name}[/] ({c.id})\n{c.description}\n")
        console.print(f"[bold]need:[/] {c.need}")
        for f in c.frames:
            console.print(f"[bold]frame[/] {f.name}: {f.text}")
        console.print(f"[bold]lay terms:[/] {'; '.join(c.lay_terms)}")
        console.print(f"[bold]keywords:[/] {'  '.join(c.keywords)}")
        console.print(f"[bold]touchstones (SMT-LIB):[/] {'  '.join(c.touchstones.smtlib2)}")
        console.print(f"[bold]touchstones (Lean 4):[/] {'  '.join(c.touchstones.lean4)}")
        console.print(f"[bold]template backend:[/] "
                      f"{'yes' if c.id in gadget_domains() else 'no (model backend only)'}")
