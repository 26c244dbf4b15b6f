"""Import problems and draw infeasibility, told in the facilitator's language."""

from flask_babel import gettext as _

from consultation.panels.importing import Problem


def describe_problem(problem: Problem) -> str:
    """One sentence for one problem, naming the line and column when known."""
    where = ""
    if problem.line is not None and problem.column:
        where = _("Line %(line)s, column “%(column)s”: ", line=problem.line, column=problem.column)
    elif problem.line is not None:
        where = _("Line %(line)s: ", line=problem.line)
    elif problem.column:
        where = _("Column “%(column)s”: ", column=problem.column)
    extra = problem.extra
    text = {
        "too_large": lambda: _("the file is larger than %(n)s MB.", n=extra.get("limit_mb")),
        "empty": lambda: _("the file is empty."),
        "no_rows": lambda: _("the file has a header but no rows."),
        "duplicate_column": lambda: _("this column appears twice in the header."),
        "missing_column": lambda: _("this column is missing from the header."),
        "no_features": lambda: _(
            "no column is a selection criterion: choose at least one (such as gender or age)."
        ),
        "nul_character": lambda: _(
            "the file holds a NUL character: it is probably not a CSV file."
        ),
        "unreadable": lambda: _("this line cannot be read as CSV (a cell is far too long)."),
        "too_many_columns": lambda: _(
            "the file has more than %(n)s columns.", n=extra.get("limit")
        ),
        "no_id_column": lambda: _("no column is the id: choose the one that identifies people."),
        "two_id_columns": lambda: _("only one column can be the id."),
        "two_contact_columns": lambda: _(
            "only one column can hold the %(kind)s.",
            kind={"email": _("email"), "phone": _("phone")}.get(problem.value, problem.value),
        ),
        "name_too_long": lambda: _("a criterion's name has at most 100 characters."),
        "too_long": lambda: _("the value is longer than 100 characters."),
        "quota_feature_not_criterion": lambda: _(
            "the quotas use this column: choose it as a selection criterion."
        ),
        "number_too_large": lambda: _(
            "the number is too large (at most %(n)s).", n=extra.get("limit")
        ),
        "extra_cells": lambda: _("this row has more cells than the header."),
        "missing_value": lambda: _("the value is missing."),
        "duplicate_id": lambda: _(
            "the id “%(value)s” was already used on line %(first)s.",
            value=problem.value,
            first=extra.get("first_line"),
        ),
        "value_not_in_quotas": lambda: _(
            "“%(value)s” is not one of the values in the quotas.", value=problem.value
        ),
        "bad_email": lambda: _("“%(value)s” is not a valid email address.", value=problem.value),
        "not_a_number": lambda: _("“%(value)s” is not a whole number.", value=problem.value),
        "negative": lambda: _("“%(value)s” is negative.", value=problem.value),
        "min_above_max": lambda: _(
            "the minimum (%(min)s) is above the maximum (%(max)s).",
            min=extra.get("min"),
            max=extra.get("max"),
        ),
        "duplicate_quota": lambda: _(
            "the quota “%(value)s” was already given on line %(first)s.",
            value=problem.value,
            first=extra.get("first_line"),
        ),
        "quota_feature_not_in_pool": lambda: _(
            "the quotas use this feature but the pool has no such column."
        ),
        "pool_value_not_in_quotas": lambda: _(
            "volunteer %(id)s has the value “%(value)s”, which no quota covers.",
            id=extra.get("id"),
            value=problem.value,
        ),
    }.get(problem.code, lambda: problem.code)()
    return where + text


def describe_reason(reason) -> str:
    """A draw engine's infeasibility reason, in the interface language."""
    kind = reason.kind
    if kind == "value_short":
        return _(
            "The quotas ask for at least %(asked)s people with %(feature)s = “%(value)s”, "
            "but the pool has only %(available)s.",
            asked=reason.asked,
            feature=reason.feature,
            value=reason.value,
            available=reason.available,
        )
    if kind == "minimums_exceed_seats":
        return _(
            "The minimums for %(feature)s add up to %(asked)s, more than the %(available)s seats.",
            feature=reason.feature,
            asked=reason.asked,
            available=reason.available,
        )
    if kind == "maximums_below_seats":
        return _(
            "The maximums for %(feature)s add up to %(available)s, fewer than the %(asked)s seats.",
            feature=reason.feature,
            asked=reason.asked,
            available=reason.available,
        )
    if kind == "seats":
        return _(
            "The panel has %(asked)s seats but only %(available)s people (or households) "
            "can be drawn.",
            asked=reason.asked,
            available=reason.available,
        )
    if kind == "quota_bounds":
        return _(
            "The quota for %(feature)s = “%(value)s” has a minimum above its maximum.",
            feature=reason.feature,
            value=reason.value,
        )
    if kind == "forced_over_maximum":
        return _(
            "The continuing members alone already exceed the maximum of %(asked)s for "
            "%(feature)s = “%(value)s” (they are %(available)s).",
            asked=reason.asked,
            feature=reason.feature,
            value=reason.value,
            available=reason.available,
        )
    if kind == "no_panel":
        return _(
            "Each quota can be met on its own, but no panel meets all the quotas together "
            "(with at most one person per household). Widen some quotas."
        )
    return reason.message
