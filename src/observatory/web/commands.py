"""``observatory serve`` and ``observatory users``: the web app's commands.

The lead wires them in with ``register(app)`` from ``observatory.cli``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from observatory import organisations as orgs
from observatory.commandline import DbOption, JsonOption, open_warehouse, print_json
from observatory.store import Warehouse
from observatory.web import audit, auth

# One demonstration account per role; passwords are new each time `serve --demo` starts.
DEMO_ACCOUNTS = (
    ("analyst@brindleford.example", "brindleford", "member_analyst"),
    ("admin@castlemoor.example", "castlemoor", "member_admin"),
    ("coordinator@network.example", auth.NETWORK_ORG, "network_coordinator"),
    ("administrator@network.example", auth.NETWORK_ORG, "administrator"),
)


def load_demo_if_empty(warehouse: Warehouse) -> bool:
    """Load the generated demonstration network when the warehouse has no spend yet."""
    if warehouse.fetch_value("SELECT count(*) FROM spend_lines"):
        return False
    from observatory.demonstration import load_demo

    load_demo(warehouse)
    return True


def demo_accounts(warehouse: Warehouse) -> list[tuple[str, str, str, str]]:
    """Create (or reset the passwords of) the demo accounts; returns (email, org, role, pw)."""
    out = []
    known = {o.org_id for o in orgs.known(warehouse)}
    for email, org, role in DEMO_ACCOUNTS:
        if org != auth.NETWORK_ORG and org not in known:
            continue  # a warehouse holding other members than the demonstration network's
        password = secrets.token_urlsafe(9)
        if auth.find_user(warehouse, email) is None:
            auth.add_user(warehouse, email, org, role, password, is_demo=True)
            audit.record(warehouse, "user.add", None, email, {"role": role, "demo": True}, "cli")
        else:
            auth.set_password(warehouse, email, password)
        out.append((email, org, role, password))
    return out


def register(app: typer.Typer) -> None:
    users_app = typer.Typer(help="Web app accounts and API tokens.", no_args_is_help=True)
    app.add_typer(users_app, name="users")

    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
        demo: Annotated[
            bool,
            typer.Option(
                "--demo",
                help="Load the generated demonstration network first when the warehouse is "
                "empty, and create one demo account per role (logins printed).",
            ),
        ] = False,
        workers_threads: Annotated[
            int, typer.Option("--threads", help="Worker threads for requests.")
        ] = 40,
    ) -> None:
        """Run the web app and API. The server holds the warehouse open read-write while it
        runs; load files through its upload page or API meanwhile."""
        import uvicorn

        from observatory.web.app import WebSettings, create_app
        from observatory.web.host import WarehouseHost

        warehouse = open_warehouse(db)
        if demo:
            if load_demo_if_empty(warehouse):
                typer.echo("Loaded the demonstration network.")
            for email, org, role, password in demo_accounts(warehouse):
                typer.echo(f"  {auth.ROLES[role]:<20} {email:<32} password: {password}  ({org})")
        host_ = WarehouseHost(warehouse)
        application = create_app(host_, WebSettings(threads=workers_threads))

        typer.echo(f"Serving {warehouse.path} on http://{host}:{port}/ (Ctrl-C stops)")
        try:
            uvicorn.run(application, host=host, port=port, log_level="warning")
        finally:
            host_.close()

    @users_app.command("add")
    def users_add(
        email: Annotated[str, typer.Argument(help="The person's email address (their login).")],
        org: Annotated[
            str, typer.Option("--org", help=f"Member org_id, or {auth.NETWORK_ORG!r} for staff.")
        ],
        role: Annotated[str, typer.Option("--role", help=", ".join(auth.ROLES))],
        password: Annotated[
            str | None,
            typer.Option("--password", help="Password (10+ characters); generated if left out."),
        ] = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Create an account tied to an organisation, with a role."""
        with open_warehouse(db) as warehouse:
            try:
                account, secret = auth.add_user(warehouse, email, org, role, password)
            except auth.AccountError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            audit.record(warehouse, "user.add", None, account.email, {"role": role}, "cli")
        if as_json:
            print_json(
                {
                    "email": account.email,
                    "organisation": org,
                    "role": role,
                    "password": None if password else secret,
                }
            )
            return
        typer.echo(f"created {account.email} ({auth.ROLES[role]}, {org})")
        if password is None:
            typer.echo(f"password: {secret}   (shown once)")

    @users_app.command("list")
    def users_list(db: DbOption = None, as_json: JsonOption = False) -> None:
        """Every account: email, organisation, role."""
        with open_warehouse(db) as warehouse:
            accounts = auth.list_users(warehouse)
        if as_json:
            print_json({"users": [a.__dict__ for a in accounts]})
            return
        for a in accounts:
            flags = " (disabled)" if a.disabled else " (demo)" if a.is_demo else ""
            typer.echo(f"{a.email:<36} {a.organisation:<16} {a.role_label}{flags}")
        if not accounts:
            typer.echo("No accounts yet: `observatory users add EMAIL --org ORG --role ROLE`.")

    @users_app.command("token")
    def users_token(
        email: Annotated[str, typer.Argument(help="The account the token acts as.")],
        label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Create an API token (for Power BI and scripts); printed once."""
        with open_warehouse(db) as warehouse:
            account = auth.find_user(warehouse, email)
            if account is None:
                typer.echo(f"error: no account for {email}", err=True)
                raise typer.Exit(2)
            token = auth.create_token(warehouse, account, label)
            audit.record(warehouse, "token.create", account, account.email, {"label": label}, "cli")
        if as_json:
            print_json({"email": account.email, "token": token})
        else:
            typer.echo(token)
