"""Demo data: a city's staff and residents, in French. Loading it twice changes nothing."""

import random
from pathlib import Path

import sqlalchemy as sa

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
    """Create the demo accounts that do not exist yet; return (role, email) of the logins."""
    # One hash for all demo residents: hashing 40 times would only slow the set-up down.
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
    facilitator = accounts.find_by_email(FACILITATOR_EMAIL)
    load_panel(facilitator)
    return [
        ("admin", ADMIN_EMAIL),
        ("facilitator", FACILITATOR_EMAIL),
        ("resident", resident_email(1)),
    ]


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
