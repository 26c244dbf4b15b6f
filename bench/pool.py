"""Benchmark of pool import and of the quotas preview, at 5,000 volunteers and 60 seats.

Usage:  python bench/pool.py [--rounds N]

The quotas preview page must answer within a second for 5,000 x 60: it reads the pool
from the database, checks feasibility (an integer program) and solves the linear
relaxation for the bound on the smallest selection probability. Printed: wall and CPU
time of each step, median of N rounds, and as a ratio against the baseline measured in
the same run: the engine's feasibility check alone on the same pool in memory (what the
draw itself always did first).

Runs on a temporary SQLite database, or on DATABASE_URL when set (emptied first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

POOL = DATA / "city-pool-5000.csv"
QUOTAS = DATA / "city-quotas-60.csv"
SEATS = 60


def timed(action, rounds: int):
    """(median wall seconds, median CPU seconds, last result) of ``rounds`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from common import facilitator, fresh_schema

    from consultation import create_app, sortition
    from consultation.extensions import db
    from consultation.panels import importing, services
    from consultation.panels.models import StagedImport

    folder = tempfile.mkdtemp(prefix="bench-pool-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "OUTBOX_DIR": folder,
        }
    )
    pool, quotas = POOL.read_bytes(), QUOTAS.read_bytes()
    with app.app_context():
        fresh_schema(db)
        db.create_all()
        user = facilitator("pbkdf2:sha256:1000$salt$" + "0" * 64)
        panel = services.create_panel(name="Banc", seats=SEATS)
        db.session.commit()
        panel_id, user_id = panel.id, user.id

        def do_import():
            count = services.import_pool(
                db.session.get(type(panel), panel_id),
                pool,
                address_columns=["adresse", "code_postal"],
            )
            db.session.commit()
            return count

        rows: list = []
        imported = timed(do_import, max(1, args.rounds // 2))
        panel = db.session.get(type(panel), panel_id)
        rows = services.parse_quotas(panel, quotas)
        staged = StagedImport(panel_id=panel_id, kind="quotas", filename="q.csv", content=quotas)
        db.session.add(staged)
        db.session.commit()
        staged_id = staged.id

        people = services._pool_people(panel, {r.feature for r in rows})
        engine_quotas = [sortition.Quota(r.feature, r.value, r.min, r.max) for r in rows]
        baseline = timed(
            lambda: sortition.check_feasibility(people, engine_quotas, SEATS), args.rounds
        )
        service = timed(lambda: services.preview_quotas(panel, quotas), args.rounds)
        table = timed(lambda: importing.read_table(pool), args.rounds)

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    page = timed(lambda: client.get(f"/panels/{panel_id}/imports/{staged_id}"), args.rounds)
    assert page[2].status_code == 200, page[2].status_code
    text = page[2].get_data(as_text=True)
    assert "fairness-heading" in text and "<dt>" in text, "the page shows no bound"

    preview = service[2][1]
    print(f"pool {POOL.name} x quotas {QUOTAS.name}, {SEATS} seats, median of {args.rounds}")
    print(
        f"bound on the smallest selection probability: {preview.min_probability_bound:.5f} "
        f"({preview.at_bound} volunteers held at it); mean {preview.mean_probability:.5f}"
    )
    print(f"{'step':<44}{'wall s':>9}{'CPU s':>9}{'x baseline':>12}")
    base = baseline[0]
    for name, (wall, cpu, _r) in [
        ("baseline: engine feasibility check alone", baseline),
        ("read the pool file as a table", table),
        ("quotas checked, with the bound (all reads)", service),
        ("quotas preview page, whole request", page),
        ("pool import (5,000 rows, codes, households)", imported),
    ]:
        print(f"{name:<44}{wall:>9.3f}{cpu:>9.3f}{wall / base:>12.2f}")


if __name__ == "__main__":
    main()
