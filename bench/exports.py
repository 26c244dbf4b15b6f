"""Benchmark: exporting a 200-clause manifesto with 1,000 amendments, in every format.

Seeds, through the application's services, a panel with members, a referral and a
manifesto of 200 clauses (10 sections of 20) on which members propose 1,000 amendments
(five competing ones per clause). At the vote stage, the first amendment of each clause
is put to the vote and adopted; the others are rebased or flagged as needing an update,
as the platform does. Then times each format twice: the clean text, and the text with
every option (provenance notes, a redline since the imported draft, the process report),
each the best of ``--repeat`` runs, from the database to the file's bytes.

    python bench/exports.py [--clauses 200] [--amendments 1000] [--repeat 3]

Targets (2 cores): PDF within 5 s, every other format within 1 s, options included.
Set BENCH_DATABASE_URL to measure on PostgreSQL (the database is emptied); SQLite in a
temporary folder otherwise.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import (
    facilitator as make_facilitator,
)
from common import (
    fresh_schema,
    seated_panel,
)

TARGETS = {"md": 1.0, "html": 1.0, "pdf": 5.0, "docx": 1.0, "odt": 1.0, "json": 1.0}
MEMBERS = 12
WORDS = ["numérique", "publique", "humaine", "sobre", "ouverte"]


def draft(clauses: int) -> bytes:
    lines = [
        "# Manifeste pour une IA au service des habitants",
        "",
        "Préambule du banc d’essai.",
        "",
    ]
    for index in range(clauses):
        if index % 20 == 0:
            lines += [f"## Partie {index // 20 + 1} : principes « {index // 20 + 1} »", ""]
        lines += [
            f"La ville s’engage, pour le point {index + 1}, à publier chaque outil avant de "
            f"l’utiliser et à en rendre compte chaque année aux habitants.",
            "",
        ]
    return "\n".join(lines).encode()


def seed(database_url: str, clauses: int, amendments_count: int, outbox: str):
    """The manifesto with its amendments and votes; returns (app, manifesto id)."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from consultation import create_app
    from consultation.extensions import db
    from consultation.manifesto import amendments
    from consultation.manifesto import services as manifestos
    from consultation.manifesto.models import AmendmentKind, AmendmentStatus, ManifestoStatus
    from consultation.referrals import services as referrals
    from consultation.votes import services as votes

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-exports",
            "OUTBOX_DIR": outbox,
            "EXPORT_DIR": outbox,
            "CONSULTATION_LOCALE": "fr",
        }
    )
    with app.app_context():
        fresh_schema(db)
        upgrade()
        password_hash = generate_password_hash("bench-exports-password")
        facilitator = make_facilitator(password_hash)
        panel, members = seated_panel(
            "Panel du banc d’essai", MEMBERS, password_hash, email="membre{i}@bench.example"
        )
        referral = referrals.create_referral(
            panel=panel, title="Quelle place pour l’IA ?", question="Où l’IA peut-elle aider ?"
        )
        manifesto = manifestos.import_manifesto(referral, draft(clauses), actor=facilitator)
        manifestos.move_status(manifesto, ManifestoStatus.AMENDING, actor=facilitator)
        all_clauses = [c for s in manifesto.sections for c in s.clauses]
        per_clause = max(1, amendments_count // len(all_clauses))
        first = []
        for c_index, clause in enumerate(all_clauses):
            for a_index in range(per_clause):
                text = clause.current.text
                if a_index % 2 == 0:  # change the start of the sentence
                    text = text.replace("publier", f"publier en ligne ({a_index})", 1)
                else:  # change its end: rebased cleanly when the start was adopted
                    text = text.replace("aux habitants", f"aux habitants ({a_index})", 1)
                author = members[(c_index + a_index) % MEMBERS]
                amendment = amendments.propose(
                    manifesto, clause, AmendmentKind.REPLACE, text, "Pour être précis.", author
                )
                if a_index == 0:
                    first.append(amendment)
        db.session.commit()
        manifestos.move_status(manifesto, ManifestoStatus.VOTING, actor=facilitator)
        for amendment in first:
            question = votes.open_on_amendment(amendment, actor=facilitator)
            for index, member in enumerate(members):
                votes.cast(question, member, "against" if index % 5 == 0 else "for")
            votes.close(question, actor=facilitator)
        db.session.commit()
        counted = db.session.query(amendments.Amendment).count()
        rebased = (
            db.session.query(amendments.Amendment)
            .filter(amendments.Amendment.status == AmendmentStatus.OPEN)
            .count()
        )
        print(
            f"Seeded: {len(all_clauses)} clauses, {counted} amendments "
            f"({len(first)} adopted by vote, {rebased} rebased and still open)."
        )
        return app, manifesto.id


def measure(app, manifesto_id: int, repeat: int) -> list[tuple]:
    from consultation.exports import formats
    from consultation.exports import services as exports
    from consultation.extensions import db
    from consultation.manifesto import services as manifestos

    rows = []
    for fmt in formats.FORMATS:
        timings = {}
        for name, options in (
            ("clean", {}),
            (
                "all options",
                {"with_provenance": True, "redline_since": "0", "with_report": True},
            ),
        ):
            best, size = None, 0
            for _ in range(repeat):
                with app.app_context():
                    start = time.perf_counter()
                    manifesto = manifestos.load(manifesto_id)
                    document = exports.build_document(manifesto, language="fr", **options)
                    content = formats.render(document, fmt)
                    elapsed = time.perf_counter() - start
                    db.session.remove()
                best = elapsed if best is None else min(best, elapsed)
                size = len(content)
            timings[name] = (best, size)
        rows.append((fmt, timings))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clauses", type=int, default=200)
    parser.add_argument("--amendments", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        started = time.perf_counter()
        app, manifesto_id = seed(url, args.clauses, args.amendments, folder)
        print(f"Seeding took {time.perf_counter() - started:.1f} s.")
        rows = measure(app, manifesto_id, args.repeat)

    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nExports of a {args.clauses}-clause manifesto on {database}, best of {args.repeat}:")
    header = f"{'format':7}{'clean (s)':>11}{'all options (s)':>17}{'size':>10}{'target':>9}{'share of target':>17}  met?"
    print(header)
    failed = False
    for fmt, timings in rows:
        clean, (full, size) = timings["clean"][0], timings["all options"]
        target = TARGETS[fmt]
        met = full <= target
        failed |= not met
        print(
            f"{fmt:7}{clean:>11.3f}{full:>17.3f}{size / 1024:>8.0f} KB{target:>8.0f}s"
            f"{full / target:>16.0%}  {'yes' if met else 'NO'}"
        )
    print(
        "\n'clean' is the baseline: the same text without provenance, redline or report; "
        "'share of target' is the time with every option over its target."
    )
    print("All targets met." if not failed else "Some targets NOT met.")


if __name__ == "__main__":
    main()
