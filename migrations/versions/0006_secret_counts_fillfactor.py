"""secret counters: room on each page for their updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:30:00

A secret ballot adds one to a counter row, in place. The counters of a vote are a few
hundred short rows that would share one or two pages; with a fill factor of 10, each
page keeps most of its room for the new versions those updates write (PostgreSQL's HOT
updates), so that ballots arriving together do not crowd the same pages. PostgreSQL
only: SQLite has no such setting.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE secret_counts SET (fillfactor = 10)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE secret_counts RESET (fillfactor)")
