"""Benchmark: a panel casting its ballots at the close of a vote, then a count of them.

Seeds, through the application's services, a panel of active members with accounts, a
referral and a manifesto at the vote stage with open clause-adoption questions, public
ones and secret ones. The application is served by gunicorn on 127.0.0.1 and every
voter fires at once from many connections: each member casts a ballot on every
question, in random order (POST /votes/<id>/ballot with a CSRF token, as the ballot
form sends it). On the secret questions a share of the members submit twice at the
same instant, on two connections (a double click): the second must be refused. The
requests come from ``common.load``, one thread driving every connection, so that the
client takes as little as it can of the cores it shares with the server.

Members do not sign in through the login form (password hashing would be measured):
each gets the session cookie a sign-in gives (flask-login's ``_user_id``, ``_fresh``
and ``_id``, and Flask-WTF's raw CSRF token), signed by the application's own
serializer with the server's SECRET_KEY; the form carries the matching signed token.

Prints ballots per second with median and 95th-percentile latency and HTTP statuses,
once for the public questions and once for the secret ones, per server configuration
(gunicorn sync workers, and gthread workers with threads; by default as many workers
as gunicorn advises, twice the cores plus one). Then checks every ballot
against the database: each member counted once per question (``Ballot`` rows for public
votes, ``Turnout`` rows and ``SecretCount`` counters for secret ones), the counts equal
to the choices sent, the second of each double submission refused. Exits non-zero when
a ballot was lost or doubled.

The baseline, measured in the same run with the same server, client and requests, is
the floor of this machine: a bare Flask application that answers each ballot with one
INSERT and COMMIT on the same database, and nothing else (no session, no sign-in, no
CSRF check, no roll). Each of our figures is also given as a share of it, which says how
much of the machine's capacity the platform leaves to ballots, whatever else loads it.

    python bench/votes.py [--members 400] [--questions 10] [--connections 32]
                          [--workers 2×cores+1] [--threads 4] [--server both] [--doubles 0.1]

Set BENCH_DATABASE_URL to measure on PostgreSQL (the database is emptied); SQLite in a
temporary folder otherwise, which runs one writer at a time: the target (500 ballots
per second on 2 cores, none lost, none doubled) is for PostgreSQL.
"""

import argparse
import collections
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import (
    facilitator as make_facilitator,
)
from common import (
    free_port,
    fresh_schema,
    gunicorn,
    seated_panel,
    stop,
    wait_for,
)
from common.load import fire, post

FLOOR_APP = textwrap.dedent("""
    import os

    import sqlalchemy as sa
    from flask import Flask, redirect, request

    app = Flask(__name__)
    engine = sa.create_engine(os.environ["FLOOR_DATABASE_URL"])
    INSERT = sa.text("INSERT INTO bench_floor (question_id, choice) VALUES (:question, :choice)")

    @app.post("/votes/<int:question_id>/ballot")
    def ballot(question_id):
        with engine.begin() as connection:
            connection.execute(INSERT, {"question": question_id, "choice": request.form["choice"]})
        return redirect(f"/votes/{question_id}?ballot=recorded#ballot")

    @app.get("/votes/<int:question_id>")
    def question(question_id):
        return "ready"
""")

SECRET_KEY = "bench-votes"
USER_AGENT = "consultation-bench/votes"
TARGET = 500  # ballots per second, on PostgreSQL
CHOICES = ("for", "against", "abstain")


# ------------------------------------------------------------------ seeding


def draft(clauses: int) -> bytes:
    """A Markdown draft: one section per five clauses."""
    lines = ["# Manifeste du banc d’essai", ""]
    for index in range(clauses):
        if index % 5 == 0:
            lines += [f"## Partie {index // 5 + 1}", ""]
        lines += [f"La ville s’engage sur le point {index + 1} avant toute décision.", ""]
    return "\n".join(lines).encode()


def pool(size: int) -> bytes:
    lines = ["id,nom,genre,email"]
    for i in range(size):
        lines.append(f"v{i:05d},Volontaire {i},{'femme' if i % 2 else 'homme'},v{i}@example.org")
    return ("\n".join(lines) + "\n").encode()


def prepare(database_url: str, members: int, questions: int, servers: list[str]) -> dict:
    """Migrate; create the panel, its members, the referral, the manifesto at the vote
    stage and, for each server configuration, a warm-up question and ``questions``
    public and ``questions`` secret clause-adoption questions. Returns their ids."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from consultation import create_app
    from consultation.extensions import db
    from consultation.manifesto import services as manifestos
    from consultation.manifesto.models import ManifestoStatus
    from consultation.referrals import services as referrals
    from consultation.referrals.models import Phase
    from consultation.votes import services as votes

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        fresh_schema(db)
        upgrade()
        # One hash for every account, as the demo data does: hashing is not measured.
        password_hash = generate_password_hash("bench-votes-password")
        facilitator = make_facilitator(password_hash, language="en")
        panel, voters = seated_panel(
            "Panel du banc d’essai",
            members,
            password_hash,
            email="votant{i}@bench.example",
            language="en",
        )
        referral = referrals.create_referral(
            panel=panel,
            title="Quelle place pour l’IA ?",
            question="Où l’IA peut-elle aider ?",
            actor=facilitator,
        )
        while referral.phase is not Phase.VOTE:
            referrals.move_phase(referral, referrals.next_phase(referral), actor=facilitator)
        per_server = 1 + 2 * questions
        manifesto = manifestos.import_manifesto(
            referral, draft(per_server * len(servers)), actor=facilitator
        )
        manifestos.move_status(manifesto, ManifestoStatus.AMENDING, actor=facilitator)
        manifestos.move_status(manifesto, ManifestoStatus.VOTING, actor=facilitator)
        clauses = iter(c for s in manifesto.sections for c in s.clauses)
        opened = {}
        for server in servers:
            ids = {}
            for phase, secret, count in (
                ("warm-up", False, 1),
                ("public", False, questions),
                ("secret", True, questions),
            ):
                votes.set_rules(
                    manifesto,
                    quorum=manifesto.quorum,
                    threshold=manifesto.threshold,
                    secret=secret,
                    actor=facilitator,
                )
                ids[phase] = [
                    votes.open_on_clause(next(clauses), actor=facilitator).id for _ in range(count)
                ]
            opened[server] = ids
        db.session.commit()
        return {"app": app, "voters": [v.id for v in voters], "questions": opened}


def forge_sessions(app, user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """For each user, the session cookie a sign-in gives and the CSRF token of a form.

    flask-login keeps ``_user_id``, ``_fresh`` and ``_id`` (a hash of the client's
    address and user agent, checked by its session protection); Flask-WTF keeps a raw
    token under ``csrf_token`` and puts it, signed, in the form."""
    from itsdangerous import URLSafeTimedSerializer

    serializer = app.session_interface.get_signing_serializer(app)
    signer = URLSafeTimedSerializer(
        app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token"
    )
    with app.test_request_context(
        "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        identifier = app.login_manager._session_identifier_generator()
    name = app.config["SESSION_COOKIE_NAME"]
    sessions = {}
    for user_id in user_ids:
        raw = hashlib.sha1(os.urandom(64)).hexdigest()
        cookie = serializer.dumps(
            {"_user_id": str(user_id), "_fresh": True, "_id": identifier, "csrf_token": raw}
        )
        sessions[user_id] = (f"{name}={cookie}", signer.dumps(raw))
    return sessions


# ------------------------------------------------------------------ load


@dataclass
class Task:
    """One member's ballot on one question, sent ``copies`` times at once."""

    question_id: int
    user_id: int
    choice: str
    copies: int = 1
    requests: list = field(default_factory=list)


def tasks_for(question_ids, sessions, rng: random.Random, doubles: float = 0.0) -> list[Task]:
    """Every member on every question, shuffled; ``doubles`` of them sent twice."""
    tasks = []
    for question_id in question_ids:
        for user_id, (cookie, token) in sessions.items():
            choice = rng.choice(CHOICES)
            task = Task(question_id, user_id, choice, 2 if rng.random() < doubles else 1)
            body = urlencode({"csrf_token": token, "choice": choice}).encode()
            headers = {
                "Cookie": cookie,
                "User-Agent": USER_AGENT,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            task.requests = [(f"/votes/{question_id}/ballot", body, headers)] * task.copies
            tasks.append(task)
    rng.shuffle(tasks)
    return tasks


def burst(port: int, tasks: list[Task], connections: int) -> dict:
    """Release every task at once over ``connections`` connections (a second one per
    slot for double submissions, sent before either answer is read)."""
    jobs = [[post(path, body, headers, port) for path, body, headers in t.requests] for t in tasks]
    answers = fire(port, jobs, connections)
    records = [
        (
            tasks[a.job],
            a.copy,
            a.status,
            a.headers.get("location"),
            a.headers.get("set-cookie"),
            a.started,
            a.ended,
        )
        for a in answers
    ]
    latencies = sorted(end - started for *_rest, started, end in records)
    seconds = max(r[-1] for r in records) - min(r[-2] for r in records)
    return {
        "records": records,
        "ballots": len(records),
        "seconds": seconds,
        "rate": len(records) / seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "statuses": collections.Counter(r[2] for r in records),
    }


# ------------------------------------------------------------------ checking


def outcome(app, record) -> str:
    """What the member was told: "success" (sent back to the question, which confirms
    the ballot), "error" (sent back to be told that a secret ballot is final, or with
    the reason a ballot was refused flashed in the session), or "failed" (an error
    page, a sign-in page, no answer)."""
    task, _index, status, location, cookie, *_times = record
    location = location or ""
    back = f"/votes/{task.question_id}"
    if status == 302 and location.endswith(f"{back}?ballot=recorded#ballot"):
        return "success"
    if status == 302 and location.endswith(f"{back}?ballot=final#ballot"):
        return "error"
    if status != 302 or not location.endswith(f"{back}#ballot"):
        return "failed"
    if not cookie or not cookie.startswith(app.config["SESSION_COOKIE_NAME"] + "="):
        return "failed"
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    flashes = app.session_interface.get_signing_serializer(app).loads(value).get("_flashes", [])
    return "error" if {category for category, _message in flashes} == {"error"} else "?"


def verify(app, phase: str, records: list[tuple]) -> list[str]:
    """Compare what members were told with the database; returns the problems found."""
    import sqlalchemy as sa

    from consultation.extensions import db
    from consultation.votes import services
    from consultation.votes.models import Ballot, BallotChange, Question, SecretCount, Turnout

    told = collections.defaultdict(list)  # (question, user) -> outcomes
    tasks = {}
    for record in records:
        task = record[0]
        told[task.question_id, task.user_id].append(outcome(app, record))
        tasks[task.question_id, task.user_id] = task
    problems = []
    lost = [key for key, outcomes in told.items() if "success" not in outcomes]
    doubled = [key for key, outcomes in told.items() if outcomes.count("success") > 1]
    unrefused = [
        key
        for key, outcomes in told.items()
        if len(outcomes) > 1 and sorted(outcomes) != ["error", "success"]
    ]
    if lost:
        problems.append(f"{phase}: {len(lost)} ballots not accepted, e.g. {lost[:3]}")
    if doubled:
        problems.append(f"{phase}: {len(doubled)} ballots accepted twice, e.g. {doubled[:3]}")
    if unrefused:
        problems.append(
            f"{phase}: {len(unrefused)} double submissions not answered once 'recorded' "
            f"and once 'already voted', e.g. {unrefused[:3]}"
        )
    with app.app_context():
        for question_id in sorted({q for q, _u in told}):
            question = db.session.get(Question, question_id)
            accepted = {u for (q, u), o in told.items() if q == question_id and "success" in o}
            expected = collections.Counter(tasks[question_id, u].choice for u in accepted)
            expected = {c: expected.get(c, 0) for c in CHOICES}
            if question.secret:
                model = Turnout
                total = db.session.scalar(
                    sa.select(sa.func.coalesce(sa.func.sum(SecretCount.count), 0)).where(
                        SecretCount.question_id == question_id
                    )
                )
            else:
                model = Ballot
                total = db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(BallotChange)
                    .where(BallotChange.question_id == question_id)
                )
            stored = collections.Counter(
                db.session.scalars(sa.select(model.user_id).where(model.question_id == question_id))
            )
            label = f"{phase} question {question_id}"
            if set(stored) != accepted:
                problems.append(
                    f"{label}: {len(accepted - set(stored))} accepted ballots missing from "
                    f"{model.__tablename__}, {len(set(stored) - accepted)} there not accepted"
                )
            if any(n > 1 for n in stored.values()):
                problems.append(f"{label}: a member twice in {model.__tablename__}")
            if total != len(accepted):
                what = "counters total" if question.secret else "ballot_changes rows"
                problems.append(f"{label}: {what} {total} != {len(accepted)} accepted")
            if services.counts(question) != expected:
                problems.append(f"{label}: counts {services.counts(question)} != sent {expected}")
            if services.turnout(question) != len(accepted):
                problems.append(f"{label}: turnout {services.turnout(question)} != accepted")
        db.session.remove()
    return problems


def summary(app, phase: str, records: list[tuple]) -> str:
    outcomes = collections.Counter(outcome(app, r) for r in records)
    keys = {(r[0].question_id, r[0].user_id) for r in records}
    doubles = sum(1 for r in records if r[1] == 1)
    text = (
        f"{phase}: {len(keys)} ballots sent on {len({q for q, _u in keys})} questions, "
        f"{outcomes['success']} recorded"
    )
    if doubles:
        text += f"; {doubles} sent twice at once, {outcomes['error']} second submissions refused"
    others = {k: v for k, v in outcomes.items() if k not in ("success", "error")}
    return text + (f"; other answers {dict(others)}" if others else "")


def floor_table(database_url: str):
    """The floor application's table, created empty; returns a function counting its rows."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_floor",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question_id", sa.Integer, nullable=False),
        sa.Column("choice", sa.String(10), nullable=False),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)

    def rows() -> int:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(table))

    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--questions", type=int, default=10, help="public, and as many secret")
    parser.add_argument("--connections", type=int, default=32)
    # Gunicorn's advice: (2 x cores) + 1, so that a worker waiting on the database
    # leaves its core to another.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--server", choices=("sync", "gthread", "both"), default="both")
    parser.add_argument("--doubles", type=float, default=0.1, help="share sent twice (secret)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    servers = ["sync", "gthread"] if args.server == "both" else [args.server]
    workdir = Path(tempfile.mkdtemp(prefix="consultation-bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    database = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    if database == "SQLite":
        print(
            "BENCH_DATABASE_URL is not set: SQLite in a temporary folder. SQLite runs one "
            f"writer at a time; the target ({TARGET} ballots/s) is for PostgreSQL.",
            file=sys.stderr,
        )
    started = time.perf_counter()
    seeded = prepare(database_url, args.members, args.questions, servers)
    app = seeded["app"]
    sessions = forge_sessions(app, seeded["voters"])
    print(
        f"Prepared {args.members} members and {2 * args.questions} open questions per server "
        f"in {time.perf_counter() - started:.1f} s ({database})."
    )

    from consultation.config import normalise_database_url

    (workdir / "floor_app.py").write_text(FLOOR_APP)
    floor_rows = floor_table(normalise_database_url(database_url))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLOOR_DATABASE_URL": normalise_database_url(database_url),
        "SECRET_KEY": SECRET_KEY,
        "CONSULTATION_ENV": "production",
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
    }
    load_before = os.getloadavg()[0]
    rng = random.Random(args.seed)
    rows, problems, lines = [], [], []
    floors = collections.defaultdict(list)  # server -> warm-up, measured, warm-up, measured

    def floor(server: str, threads: int, questions: dict) -> None:
        port = free_port()
        process = gunicorn("floor_app:app", port, env, args.workers, threads)
        try:
            wait_for(port, f"/votes/{questions['warm-up'][0]}")
            for phase in ("warm-up", "public"):
                result = burst(port, tasks_for(questions[phase], sessions, rng), args.connections)
                floors[server].append(result)
        finally:
            stop(process)

    for server in servers:
        threads = 1 if server == "sync" else args.threads
        questions = seeded["questions"][server]
        # Before and after: a machine shared with others, or one that slows down under
        # sustained load, changes speed during a run.
        floor(server, threads, questions)
        port = free_port()
        process = gunicorn("consultation:create_app()", port, env, args.workers, threads)
        try:
            wait_for(port, f"/votes/{questions['warm-up'][0]}")
            warm = burst(port, tasks_for(questions["warm-up"], sessions, rng), args.connections)
            if warm["statuses"] != {302: len(sessions)}:
                problems.append(f"{server} warm-up: statuses {dict(warm['statuses'])}")
            for phase, doubles in (("public", 0.0), ("secret", args.doubles)):
                tasks = tasks_for(questions[phase], sessions, rng, doubles)
                result = burst(port, tasks, args.connections)
                rows.append((server, threads, phase, result))
                problems += verify(app, f"{server} {phase}", result["records"])
                lines.append(summary(app, f"{server} {phase}", result["records"]))
        finally:
            stop(process)
        floor(server, threads, questions)
    shutil.rmtree(workdir, ignore_errors=True)
    floor_sent = sum(result["ballots"] for runs in floors.values() for result in runs)
    if floor_rows() != floor_sent:
        problems.append(f"floor: {floor_rows()} rows for {floor_sent} requests")
    floors = {server: runs[1::2] for server, runs in floors.items()}  # without warm-ups

    print()
    print(
        f"{'database':<10} {'server':<30} {'conns':>5} {'ballots':<12} {'sent':>6} {'seconds':>7} "
        f"{'ballots/s':>9} {'× floor':>7} {'p50 ms':>7} {'p95 ms':>7}  {'statuses':<10} "
        f"target (≥{TARGET}/s)"
    )
    # Each figure as a share of the floor's mean, measured before and after it.
    baseline = {server: statistics.mean(f["rate"] for f in runs) for server, runs in floors.items()}
    floor_rows_shown = [
        (server, 0, f"floor {when}", result)
        for server, runs in floors.items()
        for when, result in zip(("before", "after"), runs, strict=True)
    ]
    for server, threads, phase, r in floor_rows_shown + rows:
        threads = threads or (1 if server == "sync" else args.threads)
        workers = f"{args.workers} workers" + (f" × {threads} threads" if threads > 1 else "")
        statuses = ",".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items()))
        met = "" if phase.startswith("floor") else "met" if r["rate"] >= TARGET else "NOT met"
        if met and database != "PostgreSQL":
            met += " (target is for PostgreSQL)"
        print(
            f"{database:<10} {server + ' ' + workers:<30} {args.connections:>5} {phase:<12} "
            f"{r['ballots']:>6} {r['seconds']:>7.2f} {r['rate']:>9.1f} "
            f"{r['rate'] / baseline[server]:>7.2f} {r['median_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f}  {statuses:<10} {met}"
        )
    print(
        "\nfloor: a bare Flask application answering each ballot with one INSERT and COMMIT "
        "(no session, sign-in, CSRF check or roll), same server, client and requests, "
        "before and after ours; × floor is against their mean."
    )
    print(
        f"\nLoad average (1 min) {load_before:.1f} before the runs, {os.getloadavg()[0]:.1f} "
        f"after, on {os.cpu_count()} cores: other processes share them with the server, "
        "the database and the client."
    )
    for line in lines:
        print(line)
    if problems:
        for problem in problems:
            print(f"  - {problem}")
        print("FAIL: ballots were lost or doubled (see above).")
        sys.exit(1)
    print("PASS: none lost, none doubled; every second submission of a secret ballot refused.")


if __name__ == "__main__":
    main()
