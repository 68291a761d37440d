"""merge the parallel branches of issue 17: participant and login tokens, and redaction
reaching copies and rendered PDFs

Revision ID: b8d9e0f1a2c3
Revises: a7b8c9d0e1f2, a7c4e2d9b1f3
Create Date: 2026-12-06 12:50:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'b8d9e0f1a2c3'
down_revision = ('a7b8c9d0e1f2', 'a7c4e2d9b1f3')
branch_labels = None
depends_on = None


def upgrade():
    # Nothing to do: the two branches touch different tables and columns.
    pass


def downgrade():
    pass
