"""The published datasets: for each, its selection, its serializer and its schema.

One table drives the API's lists and the open-data downloads, so that a file and the
API always hold the same content, pseudonymised the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consultation.api import openapi, serializers, services


def _referrals(items) -> list[dict]:
    ids = [item.id for item in items]
    counts = services.contribution_counts(ids)
    manifestos = services.manifesto_ids(ids)
    return [
        serializers.referral(
            item, contribution_count=counts.get(item.id, 0), manifesto_ids=manifestos[item.id]
        )
        for item in items
    ]


def _each(serialize: Callable) -> Callable[[list], list[dict]]:
    return lambda items: [serialize(item) for item in items]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    #: A select of what is public; with an id, only what belongs to that parent.
    query: Callable
    serialize: Callable[[list], list[dict]]
    #: The schema of one item in ``openapi.SCHEMAS``, whose properties are the CSV columns.
    schema: str
    #: CSV rows of one item, when one row per item would not do.
    rows: Callable[[dict], list[dict]] | None = None

    def csv_columns(self) -> list[str]:
        """The CSV header, read from the item's schema so that it matches the API."""
        columns = openapi.columns(self.schema)
        if self.rows is serializers.manifesto_rows:
            columns = [c for c in columns if c != "sections"] + list(serializers.CLAUSE_COLUMNS)
        return columns

    def csv_rows(self, item: dict) -> list[dict]:
        return self.rows(item) if self.rows is not None else [serializers.flat(item)]


DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "referrals",
            _l("Referrals"),
            _l("The questions referred to the panels, with their context, phase and calendar."),
            services.referrals,
            _referrals,
            "Referral",
        ),
        Dataset(
            "contributions",
            _l("Contributions"),
            _l(
                "What participants wrote on public referrals, except what moderators hid, "
                "with stance, thread and support counts."
            ),
            services.contributions,
            _each(serializers.contribution),
            "Contribution",
        ),
        Dataset(
            "manifestos",
            _l("Manifestos"),
            _l(
                "The current text of each manifesto: preamble, sections and clauses. In the "
                "CSV file, one row per clause."
            ),
            services.manifestos,
            _each(serializers.manifesto),
            "Manifesto",
            rows=serializers.manifesto_rows,
        ),
        Dataset(
            "clause-versions",
            _l("Clause versions"),
            _l("Every version of every clause: the full history of the texts."),
            services.clause_versions,
            _each(serializers.clause_version),
            "ClauseVersion",
        ),
        Dataset(
            "amendments",
            _l("Amendments"),
            _l("Amendments proposed by panel members, their status and co-signatures."),
            services.amendments,
            _each(serializers.amendment),
            "Amendment",
        ),
        Dataset(
            "votes",
            _l("Vote results"),
            _l(
                "Questions put to the vote: turnout while open; counts, merit profiles and "
                "result once closed. Never anyone's ballot."
            ),
            services.questions,
            _each(serializers.question),
            "Question",
        ),
        Dataset(
            "draws",
            _l("Draws"),
            _l(
                "The draws of the citizen panels: seed, algorithm, fingerprint, composition "
                "against the quotas and the people drawn, as pseudonymous codes."
            ),
            services.draws,
            _each(serializers.draw_summary),
            "DrawSummary",
        ),
    )
}
