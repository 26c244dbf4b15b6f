"""Small helpers shared by the forms of every area."""

from wtforms import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """Select options from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
