"""What the benchmarks share: serving the app on a free port, and a seated panel.

Benchmarks run as scripts (``python bench/votes.py``), so their folder is on the path
and they import this as ``common``. It is a package, not a ``bench/*.py`` file, so that
``make bench`` does not run it as a benchmark.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    """Return once ``path`` answers 200 on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def gunicorn(
    app_spec: str, port: int, env: dict, workers: int, threads: int = 1
) -> subprocess.Popen:
    """Serve ``app_spec`` on ``port``; ``threads`` > 1 runs gthread workers, else sync."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--keep-alive", "5"]
    command += ["--backlog", "2048"]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command.append(app_spec)
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def fresh_schema(db) -> None:
    """Empty a PostgreSQL bench database (SQLite ones are new files)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def facilitator(password_hash: str, language: str = "fr"):
    """The facilitators' account that sets a benchmark's scene up."""
    from consultation.accounts import services as accounts
    from consultation.accounts.models import Role

    return accounts.create_user(
        email="animation@bench.example",
        display_name="Animation",
        password="",
        password_hash=password_hash,
        role=Role.FACILITATOR,
        language=language,
    )


def seated_panel(name: str, members: int, password_hash: str, *, email: str, language="fr"):
    """A panel whose ``members`` volunteers hold active seats with accounts; returns the
    panel and the accounts. The seats are written directly, as the tests' fixtures do:
    a benchmark needs members, not a lottery."""
    from consultation.accounts import services as accounts
    from consultation.extensions import db
    from consultation.panels import services as panels
    from consultation.panels.models import Draw, DrawKind, DrawStatus, Membership, MembershipStatus

    panel = panels.create_panel(name=name, seats=members)
    pool = "id,genre\n" + "".join(f"v{i},{'femme' if i % 2 else 'homme'}\n" for i in range(members))
    panels.import_pool(panel, pool.encode(), address_columns=[])
    users = [
        accounts.create_user(
            email=email.format(i=i),
            display_name=f"Membre {i}",
            password="",
            password_hash=password_hash,
            language=language,
        )
        for i in range(members)
    ]
    draw = Draw(
        panel_id=panel.id,
        kind=DrawKind.INITIAL,
        status=DrawStatus.DONE,
        seed="1",
        algorithm="leximin",
        seats=members,
        inputs={},
    )
    db.session.add(draw)
    db.session.flush()
    for user, volunteer in zip(users, panels.volunteers(panel), strict=True):
        db.session.add(
            Membership(
                panel_id=panel.id,
                volunteer_id=volunteer.id,
                draw_id=draw.id,
                user_id=user.id,
                status=MembershipStatus.ACTIVE,
                start_date=date.today(),
                end_date=date(2030, 1, 1),
            )
        )
    db.session.flush()
    return panel, users
