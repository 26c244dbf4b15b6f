"""Fixtures for panels: sample files, and panels with a pool and quotas loaded."""

import csv
import io
from html.parser import HTMLParser
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


# ---------------------------------------------------------------- the pool preview's form


class ColumnChoices(HTMLParser):
    """The pool preview's column selects: {column name: (field name, selected role)}."""

    def __init__(self):
        super().__init__()
        self.labels, self.selected, self._label, self._select = {}, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for", "").startswith("column_"):
            self._label = attrs["for"]
            self.labels[self._label] = ""
        elif tag == "select" and attrs.get("name", "").startswith("column_"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.selected[self._select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data

    def columns(self) -> dict[str, tuple[str, str]]:
        out = {}
        for field, label in self.labels.items():
            name = label.strip().split("“", 1)[1].rsplit("”", 1)[0]
            out[name] = (field, self.selected.get(field))
        return out


def column_choices(page: str) -> dict[str, tuple[str, str]]:
    parser = ColumnChoices()
    parser.feed(page)
    return parser.columns()


def choose_columns(client, preview_url: str, roles: dict[str, str] | None = None, save=True):
    """Post the pool preview with the suggested roles, changed by ``roles`` (column name
    to role); returns the response."""
    choices = column_choices(client.get(preview_url).get_data(as_text=True))
    unknown = set(roles or {}) - set(choices)
    assert not unknown, f"no such column on the preview: {unknown}"
    data = {field: (roles or {}).get(name, role) for name, (field, role) in choices.items()}
    data["save" if save else "check"] = "1"
    return client.post(preview_url, data=data)


# ---------------------------------------------------------------- a pool full of decoys

DECOY_SIZE = 36


def decoy_values(i: int) -> dict[str, str]:
    """One volunteer of the decoy pool: every column a city's spreadsheet might have."""
    return {
        "Identifiant": f"DCY-{i:04d}",
        "Prénom": f"Ysaline{i:02d}",
        "nom_famille": f"Vantrouillard{i:02d}",
        "Téléphone portable": f"+33 6 12 34 {i // 10:02d} {i % 100:02d}",
        "date_naissance": f"{1 + i % 28:02d}/0{1 + i % 9}/19{50 + i:02d}",
        "E-mail": f"ysaline.vantrouillard{i:02d}@boite-privee.example",
        "adresse": f"{i + 7} allée des Orchidées Secrètes",
        "code_postal": "35799",
        "genre": "femme" if i % 2 else "homme",
        "age": "jeune" if (i // 2) % 2 else "ancien",
        "diplome": f"DIPLOME-SANS-QUOTA-{i % 3}",
        "commentaire": f"Disponible le mardi soir, allergie numéro {i:02d} au pollen de bouleau",
        "Numéro fiscal": f"FISC{i:08d}",
    }


DECOY_COLUMNS = list(decoy_values(0))
DECOY_QUOTAS = (
    b"feature,value,min,max\ngenre,femme,3,5\ngenre,homme,3,5\nage,jeune,3,5\nage,ancien,3,5\n"
)


def decoy_pool(order=None) -> bytes:
    """The decoy pool as CSV, rows in ``order`` (default: by number)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DECOY_COLUMNS)
    writer.writeheader()
    for i in order if order is not None else range(DECOY_SIZE):
        writer.writerow(decoy_values(i))
    return buffer.getvalue().encode()


def decoy_secrets() -> list[str]:
    """Every value of the decoy pool that must never be public: all but genre and age,
    the only criteria with quotas."""
    public = {"genre", "age"}
    out = []
    for i in range(DECOY_SIZE):
        for column, value in decoy_values(i).items():
            if column in public or column == "code_postal":
                continue
            out.append(value)
        out.append(decoy_values(i)["Téléphone portable"].replace(" ", ""))
    return out + ["35799", "DIPLOME-SANS-QUOTA"]
