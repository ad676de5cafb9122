"""A real PgBouncer (Debian's ``pgbouncer``) in transaction pooling mode in front of the test
database, on a free port, for as long as a test needs it."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.storage_support import free_port


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
    )


@contextmanager
def pgbouncer(
    database_url: str, pool_size: int = 4, listen: str = "127.0.0.1", idle_transaction_s: int = 30
) -> Iterator[str]:
    """Yield ``database_url`` rewritten to go through PgBouncer (``pool_mode = transaction``:
    a server connection is lent for one transaction only, then given to another client).

    ``idle_transaction_timeout``: a client that vanished mid-transaction (its host lost power or
    network, so no FIN ever arrives) has its transaction rolled back, and the row and advisory
    locks it held released, after this long instead of never."""
    binary = pgbouncer_binary()
    assert binary is not None
    target = make_url(database_url)
    port = free_port(listen)
    workdir = Path(tempfile.mkdtemp(prefix="yaku-pgbouncer-"))
    user = target.username or "postgres"
    password = target.password or ""
    (workdir / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    server = (
        f"host={target.host or '127.0.0.1'} port={target.port or 5432} "
        f"dbname={target.database} user={user}" + (f" password={password}" if password else "")
    )
    (workdir / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"{target.database} = {server}",
                "[pgbouncer]",
                f"listen_addr = {listen}",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {workdir / 'userlist.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "max_client_conn = 500",
                "server_reset_query =",
                f"idle_transaction_timeout = {idle_transaction_s}",
                "ignore_startup_parameters = extra_float_digits",
                "",
            ]
        )
    )
    command = [binary, "-q", str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chmod(workdir, 0o755)  # noqa: S103 (PgBouncer's own user reads it)
        for path in workdir.iterdir():
            os.chmod(path, 0o644)
        os.chown(workdir, account.pw_uid, account.pw_gid)
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection((listen, port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"pgbouncer did not start: {err}") from None
                time.sleep(0.1)
        yield target.set(host=listen, port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)
