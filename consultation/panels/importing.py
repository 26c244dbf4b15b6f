"""Reading volunteer pools and quotas from CSV files, as facilitators export them.

Pure functions (no Flask, no database): bytes in, parsed rows or a list of
problems out. The formats are those of the Sortition Foundation's tools:

- people: an id column, one column per feature, optional address and contact columns;
- quotas: ``feature,value,min,max``.

Files from French spreadsheets import too: ``;`` separators, Windows-1252, or
UTF-8 with a byte-order mark. Problems carry the line (1 = the header) and the
column, and nothing is imported while any problem remains.
"""

import csv
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 10 * 1024 * 1024

CONTACT_COLUMNS = {
    "email": {"email", "e-mail", "mail", "courriel", "adresse_email", "adresse e-mail"},
    "name": {"name", "nom", "full_name", "nom_complet"},
    "first_name": {"first_name", "firstname", "prenom", "prénom"},
    "last_name": {"last_name", "lastname", "surname", "nom_de_famille"},
    "phone": {"phone", "telephone", "téléphone", "tel", "tél", "mobile", "portable"},
}
QUOTA_HEADER = ("feature", "value", "min", "max")
QUOTA_HEADER_ALIASES = {
    "feature": {"feature", "category", "critère", "critere", "caractéristique"},
    "value": {"value", "name", "valeur"},
    "min": {"min", "minimum"},
    "max": {"max", "maximum"},
}


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


@dataclass
class QuotaRow:
    line: int
    feature: str
    value: str
    min: int
    max: int


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _normal(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip().lower())


def decode(content: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of the non-empty rows. Raises ImportFailed."""
    if len(content) > MAX_BYTES:
        raise ImportFailed([Problem("too_large", extra={"limit_mb": MAX_BYTES // (1024 * 1024)})])
    text = decode(content)
    if not text.strip():
        raise ImportFailed([Problem("empty")])
    first_line = text.lstrip().splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    header = None
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            continue
        rows.append((line, [cell.strip() for cell in cells]))
    if not rows:
        raise ImportFailed([Problem("no_rows")])
    return header, rows


def household_key(address: dict[str, str]) -> str | None:
    """Normalised address: same key, same household. Empty address, no household."""
    parts = [" ".join(_normal(v).split()) for v in address.values()]
    if not any(parts):
        return None
    return "|".join(parts)


def parse_people(
    content: bytes,
    *,
    id_column: str = "id",
    address_columns: list[str] | tuple[str, ...] = (),
    quota_values: dict[str, set[str]] | None = None,
) -> tuple[list[str], list[PersonRow]]:
    """Parse a people file into (feature names, rows). Raises ImportFailed with every problem.

    ``quota_values``, when quotas are already set, maps each quota feature to its
    values: a person's value outside them is a problem.
    """
    header, rows = read_rows(content)
    problems: list[Problem] = []
    normal = [_normal(h) for h in header]
    duplicates = [h for h, n in Counter(normal).items() if n > 1 and h]
    for name in duplicates:
        problems.append(Problem("duplicate_column", line=1, column=name))
    if _normal(id_column) not in normal:
        problems.append(Problem("missing_column", line=1, column=id_column))
    for column in address_columns:
        if _normal(column) not in normal:
            problems.append(Problem("missing_column", line=1, column=column))
    if quota_values:
        for feature in sorted(quota_values):
            if _normal(feature) not in normal:
                problems.append(Problem("missing_column", line=1, column=feature))
    if problems:
        raise ImportFailed(problems)

    index = {n: i for i, n in enumerate(normal)}
    id_index = index[_normal(id_column)]
    address_index = {column: index[_normal(column)] for column in address_columns}
    contact_index = {}
    for key, aliases in CONTACT_COLUMNS.items():
        for i, name in enumerate(normal):
            if name in aliases and i not in address_index.values() and i != id_index:
                contact_index[key] = i
                break
    used = {id_index, *address_index.values(), *contact_index.values()}
    if quota_values:
        feature_index = {f: index[_normal(f)] for f in sorted(quota_values)}
    else:
        feature_index = {header[i]: i for i in range(len(header)) if i not in used and header[i]}
    if not feature_index:
        raise ImportFailed([Problem("no_features", line=1)])

    people: list[PersonRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))
        elif len(cells) > len(header) and any(cells[len(header) :]):
            problems.append(Problem("extra_cells", line=line))
        external_id = cells[id_index]
        if not external_id:
            problems.append(Problem("missing_value", line=line, column=header[id_index]))
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
        for feature, i in feature_index.items():
            value = cells[i]
            if not value:
                problems.append(Problem("missing_value", line=line, column=header[i]))
            elif quota_values and value not in quota_values[feature]:
                problems.append(
                    Problem("value_not_in_quotas", line=line, column=header[i], value=value)
                )
            features[feature] = value
        contact = {key: cells[i] for key, i in contact_index.items() if cells[i]}
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
        if "name" not in contact and ("first_name" in contact or "last_name" in contact):
            contact["name"] = " ".join(
                contact[k] for k in ("first_name", "last_name") if k in contact
            )
        address = {column: cells[i] for column, i in address_index.items()}
        people.append(PersonRow(line, external_id, features, address, contact))
    if problems:
        raise ImportFailed(problems)
    return list(feature_index), people


def parse_quotas(content: bytes) -> list[QuotaRow]:
    """Parse a quotas file (``feature,value,min,max``). Raises ImportFailed with every problem."""
    header, rows = read_rows(content)
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
    for line, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        feature, value = cells[index["feature"]], cells[index["value"]]
        for key in ("feature", "value"):
            if not cells[index[key]]:
                problems.append(Problem("missing_value", line=line, column=header[index[key]]))
        bounds = {}
        for key in ("min", "max"):
            raw = cells[index[key]]
            if not raw:
                problems.append(Problem("missing_value", line=line, column=header[index[key]]))
                continue
            try:
                bounds[key] = int(raw)
            except ValueError:
                problems.append(
                    Problem("not_a_number", line=line, column=header[index[key]], value=raw)
                )
                continue
            if bounds[key] < 0:
                problems.append(
                    Problem("negative", line=line, column=header[index[key]], value=raw)
                )
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
    return quotas


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
