"""merge the parallel branches of issue 9 (organisations, experience bank, feedback to the
state) and the course activity counter

Revision ID: e5a4b3c2d1f0
Revises: a1c0f9e2b7d4, b2d1e0f3c8a5, c3e2f1a4d9b6, d4f3e2a1b0c9
Create Date: 2026-11-23 18:05:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'e5a4b3c2d1f0'
down_revision = ('a1c0f9e2b7d4', 'b2d1e0f3c8a5', 'c3e2f1a4d9b6', 'd4f3e2a1b0c9')
branch_labels = None
depends_on = None


def upgrade():
    # Nothing to do: the four branches touch different tables and columns.
    pass


def downgrade():
    pass
