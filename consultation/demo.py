"""Demo data: a city's staff and residents, in French. Loading it twice changes nothing."""

import random
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.security import generate_password_hash

from consultation.accounts import services as accounts
from consultation.accounts.models import Role
from consultation.extensions import db
from consultation.panels import services as panels
from consultation.panels.models import MembershipStatus, Panel

DATA = Path(__file__).resolve().parent / "demo_data"
PANEL_NAME = "Conseil citoyen du numérique responsable"
PANEL_DESCRIPTION = (
    "Trente habitantes et habitants tirés au sort parmi les volontaires, renouvelés par tiers "
    "chaque année, à qui la ville soumet ses questions sur le numérique et l’intelligence "
    "artificielle."
)
PANEL_SEED = "20260115"

DEMO_PASSWORD = "demo-consultation"
ADMIN_EMAIL = "admin@demo.consultation.example"
FACILITATOR_EMAIL = "animation@demo.consultation.example"

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Nathan",
    "Chloé",
    "Lucas",
    "Manon",
    "Hugo",
    "Inès",
    "Louis",
    "Jade",
    "Gabriel",
    "Zoé",
    "Arthur",
    "Louise",
    "Raphaël",
    "Emma",
    "Jules",
    "Alice",
    "Adam",
    "Lina",
    "Maël",
    "Rose",
    "Noé",
    "Anna",
    "Paul",
    "Mila",
    "Sacha",
    "Ambre",
    "Yanis",
    "Juliette",
    "Éloïse",
    "Théo",
    "Agathe",
    "Malo",
    "Céleste",
    "Gaspard",
    "Nour",
    "Aurélien",
    "Soazig",
    "Erwan",
]
SURNAMES = [
    "Le Goff",
    "Martin",
    "Bernard",
    "Le Gall",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Le Roux",
    "Guillou",
    "Morvan",
    "Tanguy",
    "Quéré",
    "Hamon",
    "Salaün",
    "Riou",
    "Jaouen",
    "Kerleau",
    "Nicolas",
    "Fontaine",
    "Chevalier",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
]
RESIDENT_COUNT = 40


def resident_email(index: int) -> str:
    return f"habitant{index:02d}@demo.consultation.example"


def load() -> list[tuple[str, str]]:
    """Create the demo data that does not exist yet; return (role, email) of the logins."""
    load_accounts()
    facilitator = accounts.find_by_email(FACILITATOR_EMAIL)
    panel = load_panel(facilitator)
    referral = load_referral(panel, facilitator)
    load_manifesto(referral, facilitator)
    return [
        ("admin", ADMIN_EMAIL),
        ("facilitator", FACILITATOR_EMAIL),
        ("resident", resident_email(1)),
    ]


def load_accounts() -> None:
    """An administrator, a facilitator and forty residents, all with the demo password."""
    # One hash for all demo residents: hashing 42 times would only slow the set-up down.
    password_hash = generate_password_hash(DEMO_PASSWORD)
    people = [
        (ADMIN_EMAIL, "Administration Consultation", Role.ADMIN),
        (FACILITATOR_EMAIL, "Maëlle Animation", Role.FACILITATOR),
    ]
    rng = random.Random(2026)
    for index in range(1, RESIDENT_COUNT + 1):
        name = f"{FIRST_NAMES[index - 1]} {rng.choice(SURNAMES)}"
        people.append((resident_email(index), name, Role.RESIDENT))
    for email, name, role in people:
        if accounts.find_by_email(email) is None:
            accounts.create_user(
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                password_hash=password_hash,
                role=role,
                language="fr",
            )


def load_panel(facilitator) -> Panel:
    """The city's panel: the 600-volunteer sample pool, drawn in public with a known seed.

    Demo residents hold the seats (in real life each selected volunteer answers an
    invitation by email), so that the demo can be explored as a panel member.
    """
    panel = db.session.scalar(sa.select(Panel).where(Panel.name == PANEL_NAME))
    if panel is not None:
        return panel
    panel = panels.create_panel(
        name=PANEL_NAME,
        description=PANEL_DESCRIPTION,
        seats=30,
        term_months=36,
        cohorts=3,
        actor=facilitator,
    )
    panels.set_quotas(panel, (DATA / "quotas-30.csv").read_bytes(), actor=facilitator)
    panels.import_pool(
        panel,
        (DATA / "pool-600.csv").read_bytes(),
        address_columns=["adresse", "code_postal"],
        actor=facilitator,
    )
    draw = panels.request_initial_draw(panel, seed=PANEL_SEED, reserves=10, actor=facilitator)
    panels.draw_now(draw)
    for index, membership in enumerate(panels.seated(panel), start=1):
        membership.user_id = accounts.find_by_email(resident_email(index)).id
        membership.status = MembershipStatus.CONFIRMED
    panels.start_term(panel, actor=facilitator)
    db.session.flush()
    return panel


def load_referral(panel: Panel, facilitator):
    """The demo referral, in deliberation, with threads on the themes cities raise."""
    from consultation import demo_referral as text
    from consultation.referrals import services as referrals
    from consultation.referrals.models import Phase, Referral, Stance

    referral = db.session.scalar(sa.select(Referral).where(Referral.title == text.TITLE))
    if referral is not None:
        return referral
    referral = referrals.create_referral(
        panel=panel,
        title=text.TITLE,
        question=text.QUESTION,
        context_md=text.CONTEXT,
        documents=text.DOCUMENTS,
        dates=text.dates(),
        actor=facilitator,
    )
    for phase in (Phase.OPEN, Phase.DELIBERATION):
        referrals.move_phase(referral, phase, actor=facilitator)
    members = [m.user for m in panels.seated(panel) if m.user is not None]

    def write(parent, author_index, stance, body, replies):
        author = members[(author_index - 1) % len(members)]
        contribution = referrals.post(
            referral, author, body, parent=parent, stance=Stance(stance) if stance else None
        )
        for reply in replies:
            write(contribution, *reply)
        return contribution

    first = None
    for thread in text.THREADS:
        contribution = write(None, *thread)
        first = first or contribution
    referrals.set_highlight(first, facilitator, True)
    referrals.add_synthesis(referral, facilitator, text.SYNTHESIS)
    return referral


def load_manifesto(referral, facilitator):
    """The panel's draft manifesto at the vote stage: amendments proposed, co-signed and
    withdrawn, votes closed (amendments adopted and rejected, priorities ranked by majority
    judgment) and one vote still open, so that a visitor can vote as a member.

    Ballots are cast by the demo members; which member votes what is drawn with a fixed seed.
    """
    from consultation import demo_manifesto as text
    from consultation.manifesto import amendments
    from consultation.manifesto import services as manifestos
    from consultation.manifesto.models import ManifestoStatus
    from consultation.referrals import services as referrals
    from consultation.votes import services as votes
    from consultation.votes.models import Choice

    existing = manifestos.manifestos_for(referral)
    if existing:
        return existing[0]
    manifesto = manifestos.import_manifesto(referral, text.DRAFT.encode("utf-8"), actor=facilitator)
    manifestos.move_status(manifesto, ManifestoStatus.AMENDING, actor=facilitator)
    members = [m.user for m in panels.seated(referral.panel) if m.user is not None]

    def member(rank):
        return members[(rank - 1) % len(members)]

    clauses = {
        number: clause
        for _, _, numbered in manifestos.numbered(manifesto)
        for number, clause in numbered
    }
    proposed = {}
    for key, number, kind, body, rationale, author, cosigners in text.AMENDMENTS:
        proposed[key] = amendments.propose(
            manifesto, clauses[number], kind, body, rationale, member(author)
        )
        for rank in cosigners:
            amendments.cosign(proposed[key], member(rank))
    for key in text.WITHDRAWN:
        amendments.withdraw(proposed[key], proposed[key].author)
    manifestos.move_status(manifesto, ManifestoStatus.VOTING, actor=facilitator)

    rng = random.Random(PANEL_SEED)
    entitled = set(votes.electors_for(manifesto))
    electors = [u for u in members if u.id in entitled]

    def cast(question, tally, voters):
        choices = [Choice.FOR] * tally[0] + [Choice.AGAINST] * tally[1]
        choices += [Choice.ABSTAIN] * tally[2]
        for voter, choice in zip(rng.sample(voters, len(choices)), choices, strict=True):
            votes.cast(question, voter, choice)

    for key, *tally in text.AMENDMENT_VOTES:
        question = votes.open_on_amendment(proposed[key], actor=facilitator)
        cast(question, tally, electors)
        votes.close(question, actor=facilitator)

    question = votes.open_judgment(
        manifesto,
        title=text.PRIORITIES_TITLE,
        labels=[label for label, _ in text.PRIORITIES],
        actor=facilitator,
    )
    leaning = {
        option.id: grade
        for option, (_, grade) in zip(question.options, text.PRIORITIES, strict=True)
    }
    top = votes.GRADES - 1
    for voter in rng.sample(electors, text.PRIORITIES_VOTERS):
        spread = {o: g + rng.choice((-2, -1, 0, 0, 1, 2)) for o, g in leaning.items()}
        votes.cast_judgment(question, voter, {o: min(top, max(0, g)) for o, g in spread.items()})
    votes.close(question, actor=facilitator)

    question = votes.open_on_clause(clauses[text.OPEN_VOTE_CLAUSE], actor=facilitator)
    visitor = accounts.find_by_email(resident_email(1))
    cast(question, text.OPEN_VOTE_BALLOTS, [u for u in electors if u.id != visitor.id])

    # No page links a referral to its manifesto yet: the facilitators' note does.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        links = {
            "manifesto": url_for("manifesto.show", manifesto_id=manifesto.id),
            "votes": url_for("votes.index", manifesto_id=manifesto.id),
            "clause": text.OPEN_VOTE_CLAUSE,
        }
    referrals.add_synthesis(referral, facilitator, text.ANNOUNCEMENT.format(**links))
    return manifesto


SCALE_TITLE = "Grand débat : le numérique dans nos quartiers"
SCALE_SENTENCES = [
    "Je pense que la ville doit d’abord écouter les habitants des quartiers éloignés.",
    "Les outils numériques doivent rester un choix, jamais une obligation.",
    "Il faudrait publier chaque année un bilan des outils utilisés et de leur coût.",
    "Pour les démarches, un agent doit toujours pouvoir reprendre la main.",
    "La sobriété énergétique doit faire partie de chaque projet.",
    "Je suis d’accord, mais comment le vérifier concrètement ?",
    "Les associations de quartier pourraient aider à former les habitants.",
    "Les données personnelles ne doivent jamais être revendues.",
    "Un comité de suivi avec des habitants tirés au sort serait utile.",
    "Et les personnes qui ne lisent pas bien le français ?",
]


def load_scale(count: int, facilitator, panel: Panel, seed: int = 7):
    """A large public referral with ``count`` contributions and realistic reply depth.

    Written in bulk (no audit row per contribution: this is benchmark data), readable
    signed out.
    """
    from consultation import markdown
    from consultation.referrals import services as referrals
    from consultation.referrals.models import Contribution, Phase, Visibility

    referral = referrals.create_referral(
        panel=panel,
        title=f"{SCALE_TITLE} ({count})",
        question="Qu’en pensez-vous ?",
        context_md="Données de démonstration pour mesurer la tenue en charge.",
        participation=referrals.Participation.RESIDENTS,
        visibility=Visibility.PUBLIC,
        actor=facilitator,
    )
    referrals.move_phase(referral, Phase.OPEN, actor=facilitator)
    authors = [
        u.id
        for u in db.session.scalars(
            sa.select(accounts.User).where(accounts.User.role == Role.RESIDENT).limit(40)
        )
    ]
    rng = random.Random(seed)
    next_id = (db.session.scalar(sa.select(sa.func.max(Contribution.id))) or 0) + 1
    rows, nodes = [], []  # nodes: (id, root_id, depth, path)
    from datetime import timedelta

    start = accounts.utcnow() - timedelta(days=30)
    for index in range(count):
        body = " ".join(rng.sample(SCALE_SENTENCES, rng.randint(1, 3)))
        html = str(markdown.render(body))
        if not nodes or rng.random() < 0.2:
            parent = None
        else:
            # Replies go mostly to recent contributions, which makes deep chains.
            parent = nodes[max(0, len(nodes) - 1 - int(rng.expovariate(0.3)))]
        own = f"{next_id:0{referrals.PATH_WIDTH}d}"
        if parent is None:
            node = (next_id, next_id, 0, own)
        else:
            node = (next_id, parent[1], parent[2] + 1, f"{parent[3]}.{own}")
            if node[2] > 40:
                node = (next_id, next_id, 0, own)
                parent = None
        nodes.append(node)
        rows.append(
            {
                "id": next_id,
                "referral_id": referral.id,
                "author_id": rng.choice(authors),
                "parent_id": parent[0] if parent else None,
                "root_id": node[1],
                "depth": node[2],
                "path": node[3],
                "body_md": body,
                "body_html": html,
                "created_at": start + timedelta(minutes=index * 8),
                "highlighted": False,
                "support_count": rng.randint(0, 5),
                "reply_count": 0,
            }
        )
        next_id += 1
    replies = Counter(r["parent_id"] for r in rows if r["parent_id"])
    for row in rows:
        row["reply_count"] = replies.get(row["id"], 0)
    for batch in range(0, len(rows), 1000):
        db.session.execute(sa.insert(Contribution), rows[batch : batch + 1000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('contributions', 'id'), "
                "(SELECT max(id) FROM contributions))"
            )
        )
    db.session.flush()
    return referral
