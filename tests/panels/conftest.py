"""Fixtures for panels: sample files, and panels with a pool and quotas loaded."""

from pathlib import Path

import pytest

from consultation.extensions import db
from consultation.panels import services
from consultation.panels.models import Panel

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def make_panel(app):
    """Create a panel (committed); with ``pool``/``quotas`` bytes, import them too."""

    def factory(
        name="Conseil citoyen du numérique",
        seats=30,
        pool=None,
        quotas=None,
        address_columns=("adresse", "code_postal"),
        term_months=36,
        cohorts=3,
    ):
        with app.app_context():
            panel = services.create_panel(
                name=name, seats=seats, term_months=term_months, cohorts=cohorts
            )
            if quotas is not None:
                services.set_quotas(panel, quotas)
            if pool is not None:
                services.import_pool(panel, pool, address_columns=list(address_columns))
            db.session.commit()
            return panel.id

    return factory


@pytest.fixture
def sample_panel(make_panel):
    """The 600-volunteer sample pool with the 30-seat quotas."""
    return make_panel(
        pool=(DATA / "city-pool-600.csv").read_bytes(),
        quotas=(DATA / "city-quotas-30.csv").read_bytes(),
    )


def get_panel(panel_id) -> Panel:
    return db.session.get(Panel, panel_id)


def small_pool(size: int = 40) -> bytes:
    """A pool of ``size`` people over two features, some sharing a household."""
    lines = ["id,nom,genre,age,adresse,code_postal,email"]
    for i in range(size):
        genre = "femme" if i % 2 else "homme"
        age = "jeune" if (i // 2) % 2 else "ancien"
        address = f"{i // 3 if i < 9 else i} rue des Lices"  # the first nine share by three
        lines.append(f"s{i:03d},Personne {i},{genre},{age},{address},35000,s{i:03d}@example.org")
    return ("\n".join(lines) + "\n").encode()


SMALL_QUOTAS = (
    b"feature,value,min,max\ngenre,femme,3,5\ngenre,homme,3,5\nage,jeune,3,5\nage,ancien,3,5\n"
)


@pytest.fixture
def small_panel(make_panel):
    """Eight seats drawn from forty volunteers."""
    return make_panel(name="Petit panel", seats=8, pool=small_pool(), quotas=SMALL_QUOTAS)
