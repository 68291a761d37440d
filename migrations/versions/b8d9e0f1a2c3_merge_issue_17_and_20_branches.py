"""merge the parallel branches of issues 17 and 20: participant and login tokens, redaction
reaching copies and rendered PDFs, and the cleared votes kept for an undo

Revision ID: b8d9e0f1a2c3
Revises: a7b8c9d0e1f2, a7c4e2d9b1f3, c1e2a3b4d5f6
Create Date: 2026-12-06 12:50:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'b8d9e0f1a2c3'
down_revision = ('a7b8c9d0e1f2', 'a7c4e2d9b1f3', 'c1e2a3b4d5f6')
branch_labels = None
depends_on = None


def upgrade():
    # Nothing to do: the three branches touch different tables and columns.
    pass


def downgrade():
    pass
