"""Demo data: a city's staff and residents, in French. Loading it twice changes nothing."""

import random

from werkzeug.security import generate_password_hash

from consultation.accounts import services as accounts
from consultation.accounts.models import Role

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
    return [
        ("admin", ADMIN_EMAIL),
        ("facilitator", FACILITATOR_EMAIL),
        ("resident", resident_email(1)),
    ]
