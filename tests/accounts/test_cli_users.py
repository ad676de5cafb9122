"""``yaku users`` as a person runs it: a subprocess, the password on standard input, translated
errors with their exit codes, and nothing written when it refuses."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from geodata.accounts.passwords import verify_password
from geodata.models import Account, AdminArea, AuditEvent, Membership, Provider, Role, WaterSystem
from tests.live_server import REPO


def yaku(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geodata.cli", "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture
def names(engine: Engine) -> Iterator[list[str]]:
    """Unique e-mails for this test; their committed accounts are deleted afterwards."""
    made: list[str] = []
    yield made
    with Session(engine) as session:
        ids = session.scalars(select(Account.id).where(Account.email.in_(made))).all()
        session.execute(delete(AuditEvent).where(AuditEvent.subject_id.in_([str(i) for i in ids])))
        session.execute(delete(Account).where(Account.id.in_(ids)))
        session.commit()


def fresh(names: list[str], stem: str) -> str:
    email = f"{stem}-{uuid.uuid4().hex[:8]}@example.org"
    names.append(email)
    return email


def committed(engine: Engine, email: str) -> Account | None:
    with Session(engine, expire_on_commit=False) as session:
        account = session.scalars(select(Account).where(Account.email == email)).first()
        if account is not None:
            session.refresh(account, ["memberships"])
        return account


def test_the_first_administrator_with_a_password_from_a_pipe(
    engine: Engine, names: list[str]
) -> None:
    email = fresh(names, "admin")
    done = yaku(
        "add", email, "--role", "administrator", "--name", "Primera", stdin="clave-del-agua\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Cuenta ") and "administrador" in done.stdout
    assert "clave-del-agua" not in done.stdout + done.stderr
    account = committed(engine, email)
    assert account is not None and account.display_name == "Primera"
    assert account.password_hash and verify_password(account.password_hash, "clave-del-agua")
    assert [m.role for m in account.memberships] == [Role.ADMINISTRATOR]
    listed = yaku("list")
    assert listed.returncode == 0
    line = next(row for row in listed.stdout.splitlines() if email in row)
    assert "administrador" in line and "activa" in line
    with Session(engine) as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.subject_id == str(account.id))
        ).all()
    assert actors and all(a.startswith("yaku users (") for a in actors)


def test_provider_and_atm_staff_name_their_body(engine: Engine, names: list[str]) -> None:
    with Session(engine) as session:
        system = session.scalars(
            select(WaterSystem)
            .where(WaterSystem.provider_id.is_not(None))
            .order_by(WaterSystem.code)
        ).first()
        assert system is not None
        provider_name = session.get_one(Provider, system.provider_id).name
        ubigeo = session.get_one(AdminArea, system.district_id).ubigeo_inei
        code = system.code
    jass = fresh(names, "jass")
    done = yaku(
        "add", jass, "--role", "provider_staff", "--provider-of", code, stdin="operador-2026\n"
    )
    assert done.returncode == 0, done.stderr
    assert provider_name in done.stdout
    atm = fresh(names, "atm")
    done = yaku("add", atm, "--role", "atm_staff", "--district", ubigeo, stdin="municipio-2026\n")
    assert done.returncode == 0, done.stderr
    account = committed(engine, atm)
    assert account is not None
    with Session(engine) as session:
        (membership,) = session.scalars(
            select(Membership).where(Membership.account_id == account.id)
        )
        assert session.get_one(Provider, membership.provider_id).is_district_atm


def test_no_password_prints_an_invitation_link_that_works(
    engine: Engine, names: list[str], client: TestClient
) -> None:
    email = fresh(names, "invitada")
    done = yaku("add", email, "--role", "moderator", stdin="\n")
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert "/ingresar/invitacion/" in link and "7 días" in done.stdout
    account = committed(engine, email)
    assert account is not None and account.password_hash is None
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and email in page.text
    invited = yaku("invite", fresh(names, "otra"), "--role", "analyst")
    assert invited.returncode == 0 and "/ingresar/invitacion/" in invited.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["--role", "jefe"], "clave-segura-1\n", 2, "Rol desconocido: jefe"),
        (
            ["--role", "provider_staff", "--provider-of", "NO-EXISTE"],
            "clave-segura-1\n",
            2,
            "Ningún prestador coincide.",
        ),
        (["--role", "provider_staff"], "clave-segura-1\n", 2, "necesita un código de sistema"),
        (
            ["--role", "atm_staff", "--district", "000000"],
            "clave-segura-1\n",
            2,
            "Ningún prestador coincide.",
        ),
        (["--role", "analyst"], "corta\n", 2, "al menos 8 caracteres"),
        (["--role", "analyst", "--lang", "en"], "short\n", 2, "at least 8 characters"),
    ],
)
def test_bad_input_is_refused_with_a_translated_message_and_writes_nothing(
    engine: Engine, names: list[str], args: list[str], stdin: str, code: int, message: str
) -> None:
    email = fresh(names, "mal")
    done = yaku("add", email, *args, stdin=stdin)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr and "Traceback" not in done.stderr
    assert committed(engine, email) is None


def test_a_duplicate_and_an_unknown_account(engine: Engine, names: list[str]) -> None:
    email = fresh(names, "doble")
    assert yaku("add", email, "--role", "analyst", stdin="clave-segura-1\n").returncode == 0
    again = yaku("add", email.upper(), "--role", "moderator", stdin="clave-segura-2\n")
    assert again.returncode == 3 and "Ya existe una cuenta" in again.stderr
    account = committed(engine, email)
    assert account is not None and [m.role for m in account.memberships] == [Role.ANALYST]
    unknown = yaku("deactivate", "nadie-existe@example.org")
    assert unknown.returncode == 4 and "Ninguna cuenta tiene este correo" in unknown.stderr
    number = yaku("deactivate", "9999999")
    assert number.returncode == 4 and "Ninguna cuenta tiene este número." in number.stderr


def test_deactivate_by_e_mail_or_number(engine: Engine, names: list[str]) -> None:
    email = fresh(names, "baja")
    assert yaku("add", email, "--role", "analyst", stdin="clave-segura-1\n").returncode == 0
    done = yaku("deactivate", email)
    assert done.returncode == 0 and "desactivada" in done.stdout
    account = committed(engine, email)
    assert account is not None and account.is_active is False
    other = fresh(names, "baja2")
    assert yaku("add", other, "--role", "analyst", stdin="clave-segura-1\n").returncode == 0
    second = committed(engine, other)
    assert second is not None
    assert yaku("deactivate", f"#{second.id}").returncode == 0
    assert committed(engine, other).is_active is False  # type: ignore[union-attr]


def test_a_database_that_cannot_be_used_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "YAKU_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/no_hay_tal"
    )
    done = yaku("list")
    assert done.returncode == 1 and "No se puede usar la base de datos" in done.stderr
    assert "Traceback" not in done.stderr


def run_on_a_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run ``yaku users`` with a pseudo-terminal as its controlling terminal, typing
    ``answers`` at each password prompt; its exit code and everything it showed."""
    import fcntl
    import os
    import pty
    import select as io
    import termios

    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [sys.executable, "-m", "geodata.cli", "users", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=REPO,
        start_new_session=True,
        preexec_fn=controlling_terminal,  # only an ioctl, after setsid
    )
    os.close(slave)
    shown, since, pending = b"", b"", list(answers)
    try:
        while True:
            ready, _, _ = io.select([master], [], [], 60)
            if not ready:
                raise AssertionError(f"no output: {shown!r}")
            try:
                chunk = os.read(master, 1024)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            shown, since = shown + chunk, since + chunk
            if pending and since.rstrip().endswith(b":"):  # a new prompt: type the answer
                os.write(master, pending.pop(0).encode() + b"\n")
                since = b""
    finally:
        os.close(master)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_on_a_terminal_the_password_is_asked_twice_and_never_shown(
    engine: Engine, names: list[str]
) -> None:
    email = fresh(names, "terminal")
    code, shown = run_on_a_terminal(
        ["add", email, "--role", "analyst"], ["clave-tecleada-1", "clave-tecleada-1"]
    )
    assert code == 0, shown
    assert "Contraseña (vacía" in shown and "La misma contraseña otra vez" in shown
    assert "clave-tecleada-1" not in shown
    account = committed(engine, email)
    assert account is not None and verify_password(account.password_hash, "clave-tecleada-1")
    other = fresh(names, "terminal2")
    code, shown = run_on_a_terminal(
        ["add", other, "--role", "analyst"], ["una-clave-1", "otra-clave-2"]
    )
    assert code == 2 and "Las dos contraseñas no son iguales." in shown
    assert committed(engine, other) is None
