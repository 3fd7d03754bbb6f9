"""The ``cmdb`` command: run a discovery now, serve the API, manage API tokens.

``cmdb discover --inventory FILE`` runs the ``nightly-discovery`` flow once, in this process
(no Prefect server or worker needed), with a live progress display and a final summary.
Scheduled runs go through the Prefect deployment in ``deploy/prefect.yaml`` instead.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from flows import progress as run_progress
from flows.inventory import InventoryError, load_inventory
from graph.settings import get_settings

app = typer.Typer(help="Configuration discovery into a CI graph.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")
console = Console()

_PHASE_LABELS = {
    "sweep": "sweep (addresses probed)",
    "snmp": "SNMP devices",
    "neighbors": "neighbours",
    "ssh": "SSH sessions",
    "apply": "graph writes",
}

InventoryOpt = Annotated[
    Path, typer.Option("--inventory", "-i", help="inventory YAML file", exists=True, dir_okay=False)
]
StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="store URL (default: CMDB_STORE_URL / settings)"),
]


class _Display:
    """Turns the flow's progress events into rich progress bars, one per phase."""

    def __init__(self, bars: Progress):
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, event: run_progress.Progress) -> None:
        task_id = self._tasks.get(event.phase)
        label = _PHASE_LABELS.get(event.phase, event.phase)
        if task_id is None:
            task_id = self._tasks[event.phase] = self._bars.add_task(label, total=event.total)
        self._bars.update(
            task_id,
            total=event.total,
            completed=event.done,
            description=f"{label}: {event.found} ok, {event.failed} failed",
        )


def _summary_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"Discovery run {result['run_id']}", show_lines=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("swept", "responders", "snmp_targets", "neighbors_followed", "devices_found"):
        table.add_row(key.replace("_", " "), str(result[key]))
    table.add_row("ssh ok / tried", f"{result['ssh_ok']} / {result['ssh_targets']}")
    for key, value in sorted(result["changes"].items()):
        if value:
            table.add_row(f"CIs/rels {key}", str(value))
    for reason, value in sorted(result["failed"].items()):
        table.add_row(f"failed: {reason}", str(value), style="red")
    table.add_row("duration (s)", f"{result['duration_seconds']:.1f}")
    return table


def local_prefect() -> AbstractContextManager[Any]:
    """Without a Prefect server configured, Prefect starts a temporary local one: give it time.

    On a busy machine that server takes longer than Prefect's default 20 s to come up.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    if PREFECT_API_URL.value():
        return nullcontext()
    return temporary_settings(
        {
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 180,
            PREFECT_SERVER_ANALYTICS_ENABLED: False,
        }
    )


@app.command()
def discover(inventory: InventoryOpt, store: StoreOpt = None) -> None:
    """Run one discovery of INVENTORY now, into the store, with a progress display."""
    try:
        load_inventory(inventory)  # fail fast with the inventory's own message
    except InventoryError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    from flows.nightly import nightly_discovery

    url = store or get_settings().store_url
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with local_prefect(), bars, run_progress.subscribed(_Display(bars)):
        result = nightly_discovery(inventory=str(inventory.resolve()), store=url)
    console.print(_summary_table(result))
    console.print(f"store: {url}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000)")] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the HTTP API (``api.app:create_app``) with uvicorn."""
    import uvicorn

    settings = get_settings()
    if store:
        os.environ["CMDB_STORE_URL"] = store  # the app reads its settings from the environment
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
    )


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="viewer / config-manager / change-manager / admin")],
    name: Annotated[str, typer.Option(help="who uses the token (recorded as actor)")],
    store: StoreOpt = None,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from api.auth import create_token
    from graph.store import open_store

    graph = open_store(store or get_settings().store_url)
    try:
        token = create_token(graph, name, role)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    finally:
        graph.close()
    typer.echo(token)


if __name__ == "__main__":
    app()
