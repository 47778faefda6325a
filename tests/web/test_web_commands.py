"""`observatory users …` and the demo accounts of `observatory serve --demo` (through a throwaway
Typer app: the lead wires ``register`` into the real CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from observatory.store import Warehouse
from observatory.web import auth
from observatory.web.commands import DEMO_ACCOUNTS, demo_accounts, register


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """Throwaway root."""

    return app


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_users_add_list_and_token(cli: typer.Typer, db: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "users",
            "add",
            "New.Person@Greenacre.example",
            "--org",
            "greenacre",
            "--role",
            "member_admin",
            "--db",
            str(db),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "created new.person@greenacre.example" in r.output
    password = r.output.split("password: ")[1].split()[0]
    with Warehouse.open(db) as w:
        assert auth.authenticate(w, "new.person@greenacre.example", password) is not None
    listed = runner.invoke(cli, ["users", "list", "--json", "--db", str(db)])
    emails = [u["email"] for u in json.loads(listed.output)["users"]]
    assert "new.person@greenacre.example" in emails
    token = runner.invoke(cli, ["users", "token", "new.person@greenacre.example", "--db", str(db)])
    assert token.exit_code == 0 and token.output.startswith("obs_")
    with Warehouse.open(db) as w:
        viewer = auth.token_viewer(w, token.output.strip())
        assert viewer is not None and viewer.organisation == "greenacre"
        actions = {
            r["action"] for r in w.fetch("SELECT action FROM web_audit_log WHERE via = 'cli'")
        }
        assert {"user.add", "token.create"} <= actions


def test_users_add_explains_mistakes(cli: typer.Typer, db: Path) -> None:
    r = CliRunner().invoke(
        cli,
        [
            "users",
            "add",
            "x@y.example",
            "--org",
            "nowhere",
            "--role",
            "member_analyst",
            "--db",
            str(db),
        ],
    )
    assert r.exit_code == 2
    assert "not one of" in r.output


def test_demo_accounts_one_per_role(db: Path) -> None:
    with Warehouse.open(db) as w:
        made = demo_accounts(w)
        assert {role for _, _, role, _ in made} == set(auth.ROLES)
        for email, _, _, password in made:
            assert auth.authenticate(w, email, password) is not None
        # Starting again gives new passwords and no second account.
        again = demo_accounts(w)
        assert len(auth.list_users(w)) == len({u.email for u in auth.list_users(w)})
        assert all(auth.authenticate(w, e, p) for e, _, _, p in again)
    assert len(DEMO_ACCOUNTS) == 4
