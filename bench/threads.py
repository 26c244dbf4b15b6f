"""Benchmark: the first page of a referral with 5,000 contributions, against a bare page.

Both are served the same way (gunicorn, same workers, on 127.0.0.1) in the same run and
loaded by the same client: a fixed number of keep-alive connections for a fixed time.
The bare page is a minimal Flask + Jinja application rendering the same contributions
(held in memory, no database, no sessions, no translation): the floor a Flask page can
reach. Prints requests per second and 95th-percentile latency, and the ratio.

    python bench/threads.py [--contributions 5000] [--seconds 10] [--connections 8]

Set BENCH_DATABASE_URL to measure on PostgreSQL (the database is emptied); SQLite in a
temporary folder otherwise.
"""

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import free_port, gunicorn, stop, wait_for

BARE_APP = textwrap.dedent('''
    import json, os
    from flask import Flask, render_template_string
    app = Flask(__name__)
    ITEMS = json.load(open(os.environ["BENCH_ITEMS"]))
    PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
    <body><main><h1>{{ title }}</h1>
    {% for c in items %}<article class="contribution depth-{{ c.depth }}" id="c{{ c.id }}">
    <header><strong>{{ c.author }}</strong> <time>{{ c.created }}</time></header>
    <div class="contribution-body">{{ c.html|safe }}</div>
    <footer>{{ c.supports }}</footer></article>{% endfor %}
    </main></body></html>"""
    @app.get("/")
    def page():
        return render_template_string(PAGE, title="Grand débat", items=ITEMS)
''')


def load(port: int, path: str, seconds: float, connections: int) -> dict:
    """Keep ``connections`` connections busy for ``seconds``; latencies of every request."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else float("nan"),
        "median_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "errors": errors[0],
    }


def prepare(database_url: str, count: int, items_path: Path) -> int:
    """Migrate, create accounts, a panel and the large referral; dump its first page."""
    import json

    from flask_migrate import upgrade

    from consultation import create_app, demo
    from consultation.extensions import db
    from consultation.panels import services as panels
    from consultation.referrals import services as referrals
    from consultation.referrals.models import Referral

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        demo.load_accounts()
        facilitator = demo.accounts.find_by_email(demo.FACILITATOR_EMAIL)
        panel = panels.create_panel(name="Banc d’essai", seats=30, actor=facilitator)
        referral = demo.load_scale(count, facilitator, panel)
        db.session.commit()
        referral = db.session.get(Referral, referral.id)
        page = referrals.thread_page(referral, None)
        items = []
        for root in page.roots:
            for c in [root, *page.by_root.get(root.id, [])[:50]]:
                items.append(
                    {
                        "id": c.id,
                        "depth": min(c.depth, 3),
                        "html": c.body_html,
                        "author": c.author.display_name,
                        "created": c.created_at.isoformat(),
                        "supports": c.support_count,
                    }
                )
        items_path.write_text(json.dumps(items))
        return referral.id, len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="consultation-bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    items_path = workdir / "items.json"
    started = time.perf_counter()
    referral_id, shown = prepare(database_url, args.contributions, items_path)
    print(
        f"Prepared {args.contributions} contributions in {time.perf_counter() - started:.1f} s "
        f"({'PostgreSQL' if database_url.startswith('postgres') else 'SQLite'}); "
        f"the first page shows {shown} of them."
    )
    (workdir / "bare_app.py").write_text(BARE_APP)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "CONSULTATION_ENV": "production",
        "BENCH_ITEMS": str(items_path),
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
    }
    results = {}
    for name, spec, path in (
        ("bare Flask+Jinja page", "bare_app:app", "/"),
        ("Consultation referral page", "consultation:create_app()", f"/referrals/{referral_id}"),
    ):
        port = free_port()
        server = gunicorn(spec, port, env, args.workers)
        try:
            wait_for(port, path)
            load(port, path, 2, args.connections)  # warm-up
            results[name] = load(port, path, args.seconds, args.connections)
        finally:
            stop(server)
    shutil.rmtree(workdir, ignore_errors=True)

    bare = results["bare Flask+Jinja page"]
    ours = results["Consultation referral page"]
    print()
    print(f"{'page':<30} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(
            f"{name:<30} {r['rps']:>8.1f} {r['median_ms']:>10.1f} {r['p95_ms']:>8.1f} "
            f"{r['errors']:>7}"
        )
    ratio = ours["rps"] / bare["rps"]
    print(
        f"\nThroughput ratio (ours / bare): {ratio:.2f} (target: at least 0.50)"
        f" — {'met' if ratio >= 0.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
