"""Reading volunteer pools and quotas from CSV files, as facilitators export them.

Pure functions (no Flask, no database): bytes in, parsed rows or a list of
problems out. The formats are those of the Sortition Foundation's tools:

- people: an id column, selection criteria, optional address, contact and other columns;
- quotas: ``feature,value,min,max``.

Every column of a people file has a *role*, chosen by the facilitator
(``suggest_roles`` proposes one): the id, a selection criterion, a household
address, a contact (email, name, phone), private (kept for facilitators only)
or ignored (not kept). Nothing but criteria ever reaches the draw.

Files from French spreadsheets import too: ``;`` separators, Windows-1252, or
UTF-8 with a byte-order mark. Problems carry the line (1 = the header) and the
column, and nothing is imported while any problem remains.
"""

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 200
#: Longest id, criterion name or criterion value (they are stored and published as such).
MAX_TEXT = 100
#: Largest number a quota may hold: far above any panel's seats.
MAX_QUOTA = 100_000

ROLES = ("id", "criterion", "address", "email", "name", "phone", "private", "ignored")
CONTACT_ROLES = ("email", "name", "phone")

QUOTA_HEADER = ("feature", "value", "min", "max")
QUOTA_HEADER_ALIASES = {
    "feature": {"feature", "category", "critère", "critere", "caractéristique"},
    "value": {"value", "name", "valeur"},
    "min": {"min", "minimum"},
    "max": {"max", "maximum"},
}

# Words in a column's name that say what it holds (accents removed, lower case).
NAME_HINTS = (
    ("email", {"email", "mail", "courriel", "mel"}),
    ("phone", {"tel", "telephone", "phone", "portable", "mobile", "gsm", "fixe", "cellulaire"}),
    ("private", {"date", "naissance", "birth", "birthday", "dob", "ne", "nee", "anniversaire"}),
    (
        "private",
        {
            "commentaire",
            "commentaires",
            "comment",
            "comments",
            "remarque",
            "remarques",
            "observation",
            "observations",
            "note",
            "notes",
            "message",
            "motivation",
            "precision",
            "precisions",
            "texte",
            "libre",
        },
    ),
    (
        "address",
        {
            "adresse",
            "address",
            "rue",
            "street",
            "voie",
            "cp",
            "postal",
            "postcode",
            "zip",
            "zipcode",
            "complement",
            "batiment",
            "appartement",
            "appt",
            "etage",
        },
    ),
    (
        "name",
        {
            "nom",
            "name",
            "prenom",
            "prenoms",
            "firstname",
            "lastname",
            "surname",
            "fullname",
            "patronyme",
        },
    ),
    ("id", {"id", "identifiant", "ident", "ref", "reference", "matricule"}),
)
EMAIL_VALUE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
PHONE_VALUE = re.compile(r"\+?[0-9]{8,15}\Z")
DATE_VALUE = re.compile(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}\Z")
NUMBER = re.compile(r"[0-9]+\Z")
#: A criterion has few values: at most this many distinct ones.
MAX_CRITERION_VALUES = 30


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (line, column) and what (``code`` plus values)."""

    code: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class PersonRow:
    line: int
    external_id: str
    features: dict[str, str]
    address: dict[str, str]
    contact: dict[str, str]
    private: dict[str, str] = field(default_factory=dict)


@dataclass
class QuotaRow:
    line: int
    feature: str
    value: str
    min: int
    max: int


@dataclass
class Table:
    """A CSV file as read: header cells and (line number, cells) of the non-empty rows,
    every row as long as the header."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def column(self, index: int) -> list[str]:
        return [cells[index] for _line, cells in self.rows]


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip().lower())


def _words(name: str) -> set[str]:
    """The words of a column name, lower case and without accents: ``Téléphone portable``
    gives {"telephone", "portable"}, ``nom_famille`` {"nom", "famille"}."""
    plain = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return set(re.findall(r"[a-z0-9]+", plain))


def decode(content: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def read_table(content: bytes) -> Table:
    """The file's header and non-empty rows, cells stripped and in Unicode NFC form.

    Raises ImportFailed for a file that cannot be read as a table: too large, empty,
    no rows, a NUL character, a cell too long for the CSV reader, too many columns,
    the same column twice.
    """
    if len(content) > MAX_BYTES:
        raise ImportFailed([Problem("too_large", extra={"limit_mb": MAX_BYTES // (1024 * 1024)})])
    text = decode(content)
    if not text.strip():
        raise ImportFailed([Problem("empty")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFailed([Problem("nul_character", line=line)])
    first_line = text.lstrip().splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    header = None
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            cells = [unicodedata.normalize("NFC", cell.strip()) for cell in cells]
            if header is None:
                if len(cells) > MAX_COLUMNS:
                    raise ImportFailed(
                        [Problem("too_many_columns", line=1, extra={"limit": MAX_COLUMNS})]
                    )
                header = [cell or f"column {i + 1}" for i, cell in enumerate(cells)]
                continue
            rows.append((line, cells))
    except csv.Error:
        raise ImportFailed([Problem("unreadable", line=reader.line_num + 1)]) from None
    if not rows:
        raise ImportFailed([Problem("no_rows")])
    problems = [
        Problem("duplicate_column", line=1, column=name)
        for name, n in Counter(_normal(h) for h in header).items()
        if n > 1
    ]
    width = len(header)
    table_rows = []
    for line, cells in rows:
        if len(cells) > width and any(cells[width:]):
            problems.append(Problem("extra_cells", line=line))
        table_rows.append((line, (cells + [""] * width)[:width]))
    if problems:
        raise ImportFailed(problems)
    return Table(header, table_rows)


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of the non-empty rows. Raises ImportFailed."""
    table = read_table(content)
    return table.header, table.rows


def content_key(table: Table) -> str:
    """A secret drawn from the whole file, for the pseudonymous codes (64 hex digits).

    SHA-256 of the table in canonical form: columns sorted by name, rows sorted, so
    that the same people in another order, or the same columns in another order, give
    the same key. Every column counts, private ones included: whoever knows only a
    volunteer's id, or only what is published, cannot compute the key, hence nobody's
    code; whoever holds the file can recompute every code.
    """
    order = sorted(range(len(table.header)), key=lambda i: _normal(table.header[i]))
    document = {
        "columns": [_normal(table.header[i]) for i in order],
        "rows": sorted([cells[i] for i in order] for _line, cells in table.rows),
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(b"consultation pool key 1\n" + text.encode()).hexdigest()


def household_key(address: dict[str, str]) -> str | None:
    """Normalised address: same key, same household. Empty address, no household."""
    parts = [" ".join(_normal(v).split()) for _k, v in sorted(address.items())]
    if not any(parts):
        return None
    return "|".join(parts)


# ---------------------------------------------------------------- roles of columns


def _share(values: list[str], pattern: re.Pattern, clean=lambda v: v) -> float:
    present = [v for v in values if v]
    if not present:
        return 0.0
    return sum(1 for v in present if pattern.match(clean(v))) / len(present)


def _phone_digits(value: str) -> str:
    return re.sub(r"[\s().\-/]", "", value)


def looks_like(values: list[str]) -> str | None:
    """What a column's values look like: "email", "phone", "date", "text" or None."""
    if _share(values, EMAIL_VALUE) >= 0.8:
        return "email"
    if _share(values, PHONE_VALUE, _phone_digits) >= 0.8:
        return "phone"
    if _share(values, DATE_VALUE) >= 0.8:
        return "date"
    present = [v for v in values if v]
    if present and (
        max(len(v) for v in present) > 60 or sum(len(v) for v in present) / len(present) > 30
    ):
        return "text"
    return None


def could_be_criterion(values: list[str]) -> bool:
    """Few distinct short values for most people: a category, not a name or a note.

    A few missing values do not prevent it (the import then says where they are)."""
    present = [v for v in values if v]
    if len(present) * 2 < len(values) or not present or looks_like(present):
        return False
    values = present
    distinct = len(set(values))
    if distinct > MAX_CRITERION_VALUES or any(len(v) > MAX_TEXT for v in values):
        return False
    if distinct <= 3:
        return True
    # Everyone or nearly everyone different: an identifier or a name, not a category.
    return distinct * 2 <= len(values)


def suggest_roles(
    table: Table,
    *,
    previous: dict[str, str] | None = None,
    quota_features=(),
) -> dict[str, str]:
    """A role for every column, to pre-select for the facilitator.

    A column keeps the role it had at the previous import; a quota feature is a
    criterion; otherwise its name, then its values, decide. Criteria are suggested
    only for columns of a few short categories that say nothing else (not names,
    dates, phone numbers, emails, addresses or free text); anything unrecognised is
    private. Exactly one column is suggested as the id, at most one as the email.
    """
    previous = {_normal(k): v for k, v in (previous or {}).items() if v in ROLES}
    quota_features = {_normal(f) for f in quota_features}
    roles: dict[str, str] = {}
    for index, name in enumerate(table.header):
        values = table.column(index)
        if _normal(name) in quota_features:
            roles[name] = "criterion"
            continue
        if _normal(name) in previous:
            roles[name] = previous[_normal(name)]
            continue
        words = _words(name)
        hinted = next((role for role, hints in NAME_HINTS if words & hints), None)
        shape = looks_like(values)
        if hinted == "id" and len(set(values)) != len(values):
            hinted = None
        if hinted is not None:
            roles[name] = hinted
        elif shape in ("email", "phone"):
            roles[name] = shape
        elif shape is None and could_be_criterion(values):
            roles[name] = "criterion"
        else:
            roles[name] = "private"
    for role in ("id", "email"):
        chosen = [name for name in table.header if roles[name] == role]
        for name in chosen[1:]:
            roles[name] = "private"
    if "id" not in roles.values():
        unique = [
            name
            for i, name in enumerate(table.header)
            if roles[name] == "private"
            and all(table.column(i))
            and len(set(table.column(i))) == len(table.rows)
            and not looks_like(table.column(i))
        ]
        if unique:
            roles[unique[0]] = "id"
    return roles


def contact_kind(name: str, values: list[str]) -> str:
    """Which contact a column holds, when the facilitator said only "contact"."""
    words = _words(name)
    for role, hints in NAME_HINTS:
        if role in CONTACT_ROLES and words & hints:
            return role
    shape = looks_like(values)
    return shape if shape in ("email", "phone") else "name"


# ---------------------------------------------------------------- people


def parse_people(
    content: bytes | Table,
    *,
    roles: dict[str, str] | None = None,
    id_column: str = "id",
    address_columns: list[str] | tuple[str, ...] = (),
    quota_values: dict[str, set[str]] | None = None,
) -> tuple[list[str], list[PersonRow]]:
    """Parse a people file into (criteria, rows). Raises ImportFailed with every problem.

    ``roles`` maps column names to one of ``ROLES``; a column it does not name is
    private. Without ``roles``: ``id_column`` is the id, ``address_columns`` the
    address, the quota features (or else the suggested criteria) are the criteria,
    the suggested contact columns the contacts.
    ``quota_values``, when quotas are already set, maps each quota feature to its
    values: a quota feature that is not a criterion, or a person's value outside
    them, is a problem.
    """
    table = content if isinstance(content, Table) else read_table(content)
    header = table.header
    if roles is None:
        roles = default_roles(
            table,
            id_column=id_column,
            address_columns=address_columns,
            quota_features=sorted(quota_values or ()),
        )
    problems: list[Problem] = []
    by_name = {_normal(h): i for i, h in enumerate(header)}
    role_of: dict[int, str] = {i: "private" for i in range(len(header))}
    for name, role in roles.items():
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} for column {name!r}")
        if _normal(name) not in by_name:
            problems.append(Problem("missing_column", line=1, column=name))
        else:
            role_of[by_name[_normal(name)]] = role
    ids = [i for i, role in role_of.items() if role == "id"]
    if not ids and not problems:
        problems.append(Problem("no_id_column", line=1))
    for i in ids[1:]:
        problems.append(Problem("two_id_columns", line=1, column=header[i]))
    for role in ("email", "phone"):
        for i in [i for i, r in role_of.items() if r == role][1:]:
            problems.append(Problem("two_contact_columns", line=1, column=header[i], value=role))
    criteria = [i for i, role in role_of.items() if role == "criterion"]
    if not criteria and not problems:
        problems.append(Problem("no_features", line=1))
    for i in criteria:
        if len(header[i]) > MAX_TEXT:
            problems.append(Problem("name_too_long", line=1, column=header[i][:MAX_TEXT] + "…"))
    if quota_values:
        chosen = {_normal(header[i]) for i in criteria}
        for feature in sorted(quota_values):
            if _normal(feature) not in by_name:
                problems.append(Problem("missing_column", line=1, column=feature))
            elif _normal(feature) not in chosen:
                problems.append(Problem("quota_feature_not_criterion", line=1, column=feature))
    if problems:
        raise ImportFailed(problems)

    id_index = ids[0]
    address_index = [i for i, role in role_of.items() if role == "address"]
    private_index = [i for i, role in role_of.items() if role == "private"]
    names = [i for i, role in role_of.items() if role == "name"]
    contact_index = {r: i for i, r in role_of.items() if r in ("email", "phone")}
    # Quota features keep the quotas' spelling of their name, other criteria the file's.
    spelled = {_normal(f): f for f in quota_values or ()}
    feature_index = {spelled.get(_normal(header[i]), header[i]): i for i in criteria}

    people: list[PersonRow] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        external_id = cells[id_index]
        if not external_id:
            problems.append(Problem("missing_value", line=line, column=header[id_index]))
        elif len(external_id) > MAX_TEXT:
            problems.append(Problem("too_long", line=line, column=header[id_index]))
        elif external_id in seen:
            problems.append(
                Problem(
                    "duplicate_id",
                    line=line,
                    column=header[id_index],
                    value=external_id,
                    extra={"first_line": seen[external_id]},
                )
            )
        else:
            seen[external_id] = line
        features = {}
        for feature, i in sorted(feature_index.items()):
            value = cells[i]
            if not value:
                problems.append(Problem("missing_value", line=line, column=header[i]))
            elif len(value) > MAX_TEXT:
                problems.append(Problem("too_long", line=line, column=header[i]))
            elif quota_values and feature in quota_values and value not in quota_values[feature]:
                problems.append(
                    Problem("value_not_in_quotas", line=line, column=header[i], value=value)
                )
            features[feature] = value
        contact = {role: cells[i] for role, i in contact_index.items() if cells[i]}
        full_name = " ".join(cells[i] for i in names if cells[i])
        if full_name:
            contact["name"] = full_name
        if "email" in contact:
            try:
                validate_email(contact["email"], check_deliverability=False)
            except EmailNotValidError:
                problems.append(
                    Problem(
                        "bad_email",
                        line=line,
                        column=header[contact_index["email"]],
                        value=contact["email"],
                    )
                )
        address = {header[i]: cells[i] for i in address_index}
        private = {header[i]: cells[i] for i in private_index if cells[i]}
        people.append(PersonRow(line, external_id, features, address, contact, private))
    if problems:
        raise ImportFailed(problems)
    return sorted(feature_index), people


def default_roles(
    table: Table,
    *,
    id_column: str | None = None,
    criteria=None,
    address_columns=None,
    contact_columns=None,
    ignored_columns=(),
    quota_features=(),
    previous: dict[str, str] | None = None,
) -> dict[str, str]:
    """Roles for a caller that names some columns (the command line, scripts).

    What is named is used as given; what is not: the id is the previous import's or
    the suggested one, the criteria are the quota features (or, before any quota, the
    suggested criteria), contacts the suggested ones, the address the previous
    import's (none at first); every other column is private.
    """
    previous = previous or {}
    suggested = suggest_roles(table, previous=previous, quota_features=quota_features)
    roles = {name: "private" for name in table.header}
    names = {_normal(h): h for h in table.header}

    def column(name):
        return names.get(_normal(name), name)

    if criteria is None:
        criteria = list(quota_features) or [n for n, r in suggested.items() if r == "criterion"]
    if address_columns is None:
        address_columns = [n for n, r in previous.items() if r == "address"]
    if id_column is None:
        id_column = next((n for n, r in suggested.items() if r == "id"), "id")
    if contact_columns is None:
        contact_roles = {n: r for n, r in suggested.items() if r in CONTACT_ROLES}
    else:
        contact_roles = {}
        for name in contact_columns:
            name = column(name)
            index = table.header.index(name) if name in table.header else None
            values = table.column(index) if index is not None else []
            contact_roles[name] = contact_kind(name, values)
    for name, role in contact_roles.items():
        roles[name] = role
    for name in criteria:
        roles[column(name)] = "criterion"
    for name in address_columns:
        roles[column(name)] = "address"
    for name in ignored_columns:
        roles[column(name)] = "ignored"
    roles[column(id_column)] = "id"
    return roles


# ---------------------------------------------------------------- quotas


def _bound(raw: str, line: int, column: str, problems: list[Problem]) -> int | None:
    if not raw:
        problems.append(Problem("missing_value", line=line, column=column))
        return None
    if raw.startswith("-") and NUMBER.match(raw[1:]):
        problems.append(Problem("negative", line=line, column=column, value=raw))
        return None
    if not NUMBER.match(raw):
        problems.append(Problem("not_a_number", line=line, column=column, value=raw[:40]))
        return None
    number = int(raw)
    if number > MAX_QUOTA:
        problems.append(
            Problem("number_too_large", line=line, column=column, extra={"limit": MAX_QUOTA})
        )
        return None
    return number


def parse_quotas(content: bytes) -> list[QuotaRow]:
    """Parse a quotas file (``feature,value,min,max``). Raises ImportFailed with every problem.

    Bounds are whole numbers from 0 to ``MAX_QUOTA`` written in digits; features and
    values are at most ``MAX_TEXT`` characters long.
    """
    table = read_table(content)
    header = table.header
    normal = [_normal(h) for h in header]
    index = {}
    problems = []
    for key in QUOTA_HEADER:
        found = [i for i, name in enumerate(normal) if name in QUOTA_HEADER_ALIASES[key]]
        if not found:
            problems.append(Problem("missing_column", line=1, column=key))
        else:
            index[key] = found[0]
    if problems:
        raise ImportFailed(problems)
    quotas = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        feature, value = cells[index["feature"]], cells[index["value"]]
        for key in ("feature", "value"):
            text = cells[index[key]]
            if not text:
                problems.append(Problem("missing_value", line=line, column=header[index[key]]))
            elif len(text) > MAX_TEXT:
                problems.append(Problem("too_long", line=line, column=header[index[key]]))
        bounds = {}
        for key in ("min", "max"):
            number = _bound(cells[index[key]], line, header[index[key]], problems)
            if number is not None:
                bounds[key] = number
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            problems.append(
                Problem(
                    "min_above_max",
                    line=line,
                    column=header[index["min"]],
                    extra={"min": bounds["min"], "max": bounds["max"]},
                )
            )
        if feature and value:
            if (feature, value) in seen:
                problems.append(
                    Problem(
                        "duplicate_quota",
                        line=line,
                        column=header[index["value"]],
                        value=f"{feature}={value}",
                        extra={"first_line": seen[(feature, value)]},
                    )
                )
            else:
                seen[(feature, value)] = line
        if feature and value and len(bounds) == 2:
            quotas.append(QuotaRow(line, feature, value, bounds["min"], bounds["max"]))
    if problems:
        raise ImportFailed(problems)
    return sorted(quotas, key=lambda q: (q.feature, q.value))


def cross_check(people: list[PersonRow], quotas: list[QuotaRow]) -> list[Problem]:
    """Problems between a pool and quotas: a quota feature no person has, a person's value
    that no quota of its feature covers."""
    values: dict[str, set[str]] = {}
    for quota in quotas:
        values.setdefault(quota.feature, set()).add(quota.value)
    problems = []
    if people:
        features = set(people[0].features)
        for feature in sorted(set(values) - features):
            problems.append(Problem("quota_feature_not_in_pool", column=feature))
    for person in people:
        for feature, allowed in sorted(values.items()):
            value = person.features.get(feature)
            if value is not None and value not in allowed:
                problems.append(
                    Problem(
                        "pool_value_not_in_quotas",
                        line=person.line,
                        column=feature,
                        value=value,
                        extra={"id": person.external_id},
                    )
                )
    return problems
