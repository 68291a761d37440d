"""merge issue 14's branches (catalogue sectors, the citizen's path, card departments, default departments)

Revision ID: ab14c0d1e2f3
Revises: c4d5e6f7a8b9, f7e6d5c4b3a2, c4d3e2f1a0b9, d3e4f5a6b7c8
Create Date: 2026-12-06 16:00:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'ab14c0d1e2f3'
down_revision = ('c4d5e6f7a8b9', 'f7e6d5c4b3a2', 'c4d3e2f1a0b9', 'd3e4f5a6b7c8')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
