"""``medaid``: the operator's command line.

While ``make up`` runs, commands pick up its database and broker from ``.medaid/local.env``;
``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` in the environment take precedence.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import track

from medaid_shared.parameter_cli import parameters_app
from medaid_shared.runtime import Runtime
from medaid_shared.services import SERVICES

app = typer.Typer(help="medaid operations", no_args_is_help=True)
outbox_app = typer.Typer(help="The transactional outbox", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained decision log", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-lettered events", no_args_is_help=True)
calendar_app = typer.Typer(help="The official working-day calendar", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
app.add_typer(audit_app, name="audit")
app.add_typer(dlq_app, name="dlq")
app.add_typer(calendar_app, name="calendar")
app.add_typer(parameters_app, name="parameters")
console = Console()
T = TypeVar("T")

ServiceOpt = Annotated[list[str] | None, typer.Option("--service", "-s", help="Service name; repeat, or omit for all")]


def _load_local_env() -> None:
    env_file = Path(".medaid/local.env")
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                os.environ.setdefault(key.strip(), value.strip())


def _services(names: list[str] | None) -> list[str]:
    chosen = names or list(SERVICES)
    unknown = [n for n in chosen if n not in SERVICES]
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    return chosen


def _with_runtime(name: str, action: Callable[[Runtime], Awaitable[T]], *, producer: bool = False) -> T:
    _load_local_env()
    bootstrap = SERVICES[name].bootstrap()
    runtime: Runtime = bootstrap.build_runtime(bootstrap.Settings())

    async def go() -> T:
        if producer:
            await runtime.producer.start()
        try:
            return await action(runtime)
        finally:
            if producer:
                await runtime.producer.stop()
            await runtime.db.dispose()

    return asyncio.run(go())


@app.command()
def up() -> None:
    """Run the whole system locally (embedded PostgreSQL + Tansu unless pointed elsewhere)."""
    from medaid_shared.localstack import run

    raise typer.Exit(run())


examples_app = typer.Typer(help="First-day example reference data (development).")
app.add_typer(examples_app, name="examples")


@examples_app.command("load")
def examples_load() -> None:
    """Load every service's example reference data through its API (services must be running)."""
    from medaid_shared.examples import load, local_urls

    _load_local_env()
    outcomes = asyncio.run(load(local_urls()))
    for o in outcomes:
        mark = "[green]ok[/]" if o.loaded else f"[red]{o.status}[/] {o.detail}"
        console.print(f"{o.service} {o.path}: {mark}")
    if not all(o.loaded for o in outcomes):
        raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[str, typer.Option(help="hospital, civil_affairs, police, hrss, … (README: Roles and scopes)")],
    scope: Annotated[list[str] | None, typer.Option(help="kind:id, e.g. facility:H001; repeat for more")] = None,
    subject: Annotated[str | None, typer.Option(help="the user id (default: ROLE-dev)")] = None,
    hours: int = 12,
) -> None:
    """Print a development bearer token."""
    from datetime import timedelta

    from medaid_shared.auth import issue_token
    from medaid_shared.settings import ServiceSettings

    _load_local_env()
    typer.echo(
        issue_token(
            ServiceSettings(),
            subject=subject or f"{role}-dev",
            role=role,
            scopes=scope or [],
            ttl=timedelta(hours=hours),
        )
    )


@app.command()
def migrate(service: ServiceOpt = None) -> None:
    """Upgrade each service's schema to its latest migration."""
    from medaid_shared.migrations import upgrade

    _load_local_env()
    for name in track(_services(service), description="migrating"):
        upgrade(SERVICES[name].migrations_dir(), os.environ["DATABASE_URL"])
    console.print("migrated")


@outbox_app.command("publish-pending")
def publish_pending(service: ServiceOpt = None) -> None:
    """Publish every unpublished outbox row now, including ones that exhausted their retries."""
    for name in _services(service):
        n = _with_runtime(name, lambda rt: rt.relay.publish_pending(), producer=True)  # type: ignore[union-attr]
        console.print(f"{name}: {n} published")


@app.command()
def replay(service: ServiceOpt = None) -> None:
    """Restore a broker that lost its data: re-create the topics with their partition counts,
    republish every retained outbox event and have the running services read their topics
    again from the start (their inboxes absorb the repeats). Safe on a live system; the
    services also do this by themselves when they notice the loss."""
    from medaid_shared.broker_recovery import replay_onto_broker

    for i, name in enumerate(_services(service)):

        def action(rt: Runtime, announce: bool = i == 0) -> Awaitable[int]:
            assert rt.relay is not None
            return replay_onto_broker(rt.db, rt.producer, rt.relay, announce=announce)

        n = _with_runtime(name, action, producer=True)
        console.print(f"{name}: {n} replayed")


@audit_app.command("verify")
def audit_verify(
    service: ServiceOpt = None,
    head: Annotated[
        str | None, typer.Option(help="a digest recorded earlier with `medaid audit head`: SEQ:DIGEST (one service)")
    ] = None,
) -> None:
    """Check every service's decision log hash chains; exit 1 if one is broken."""
    from medaid_shared.audit import HeadDigest, verify_chain

    published = None
    if head is not None:
        seq, _, digest = head.partition(":")
        published = HeadDigest(int(seq), 0, digest)
    broken = False
    for name in _services(service):
        report = _with_runtime(name, lambda rt: verify_chain(rt.db, published))
        if report.ok:
            console.print(f"{name}: [green]ok[/] ({report.entries} entries)")
        else:
            broken = True
            console.print(f"{name}: [red]BROKEN[/] at entry {report.broken_at}: {report.reason}")
    raise typer.Exit(1 if broken else 0)


@audit_app.command("head")
def audit_head(service: ServiceOpt = None) -> None:
    """Print each service's chain-head digest for auditors to keep (SEQ:DIGEST); a later
    `medaid audit verify --service S --head SEQ:DIGEST` proves the log still reproduces it."""
    from medaid_shared.audit import head_digest

    for name in _services(service):
        d = _with_runtime(name, lambda rt: head_digest(rt.db))
        console.print(f"{name}: {d.seq}:{d.digest} ({d.entries} entries)")


@dlq_app.command("redrive")
def dlq_redrive(service: ServiceOpt = None, consumer: str | None = None) -> None:
    """Send dead-lettered events back to their topics."""
    from medaid_shared.consumer import redrive_dead_letters

    for name in _services(service):
        n = _with_runtime(name, lambda rt: redrive_dead_letters(rt.db, rt.producer, consumer), producer=True)
        console.print(f"{name}: {n} re-driven")


@calendar_app.command("load")
def calendar_load(
    year: Annotated[int, typer.Argument(min=2000, max=2100, help="calendar year")],
    file: Annotated[Path, typer.Argument(help='JSON: {"holidays": [...], "workdays": [...]}')],
    service: Annotated[str, typer.Option("--via", help="the service that loads and announces it")] = "referral",
) -> None:
    """Load a year's State Council notice once: the service named stores it and announces
    it (CalendarYearLoaded); every other service stores the same days from that event."""
    from medaid_shared.calendar import parse_year_notice

    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service}; known: {', '.join(SERVICES)}")
    data = json.loads(file.read_text())
    try:
        days = parse_year_notice(year, data)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    moved = _with_runtime(
        service, lambda rt: rt.load_calendar_year(year, days, data.get("source", str(file)), loaded_by="cli")
    )
    console.print(f"{year} loaded ({len(days)} days) and announced to every service; {len(moved)} deadlines moved")


@app.command("new-service")
def new_service(
    name: Annotated[str, typer.Argument(help="lower-case words joined by '-', e.g. dispute-office")],
    port: Annotated[int, typer.Option(help="the port it serves on (8001-8005 are taken)")],
    services_dir: Annotated[Path, typer.Option("--services-dir", help="where service folders live")] = Path("services"),
) -> None:
    """A new service folder from the one skeleton, and the checklist of what else it needs."""
    from medaid_shared.new_service import checklist, create_service

    taken = {s.name: s.port for s in SERVICES.values()}
    if name in taken or port in taken.values():
        raise typer.BadParameter(f"{name} / port {port}: already a service ({taken})")
    try:
        folder = create_service(services_dir, name, port)
    except (ValueError, FileExistsError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"wrote {folder}")
    typer.echo(checklist(name, port))


@app.command()
def contracts() -> None:
    """Regenerate the committed event schemas, the AsyncAPI document and each OpenAPI."""
    from medaid_shared.schemas import write_all

    for path in write_all():
        console.print(f"updated {path}")
    console.print("contracts written")


@app.command()
def trace(
    write: Annotated[bool, typer.Option(help="write docs/TRACEABILITY.md")] = False,
    spec: Annotated[Path, typer.Option(help="the product specification")] = Path("../shared/SPEC.md"),
) -> None:
    """Build the rule → code → tests table; list rules without code or tests."""
    from medaid_shared.traceability import collect, render, rules_in_table, spec_rules

    target = Path("docs/TRACEABILITY.md")
    rules = spec_rules(spec.read_text()) if spec.exists() else rules_in_table(target.read_text())
    table = collect(Path("."), rules)
    if write:
        target.parent.mkdir(exist_ok=True)
        target.write_text(render(table))
    missing = [r for r, t in table.items() if not t.code or not t.tests]
    for rule in missing:
        console.print(f"[red]{rule}[/]: code={len(table[rule].code)} tests={len(table[rule].tests)}")
    console.print(f"{len(rules) - len(missing)}/{len(rules)} rules traced to code and tests")


if __name__ == "__main__":
    app()
