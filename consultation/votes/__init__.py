"""Votes on amendments and clauses: ballots, tallies, results."""
