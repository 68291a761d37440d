"""merge issue 18's card box and the catalogue's corrections with its other branches

Revision ID: a5b6c7d8e9f0
Revises: f4a5b6c7d8e9, b0c1d2e3f4a6, c18a1b2c3d4e
Create Date: 2026-12-06 19:10:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'a5b6c7d8e9f0'
down_revision = ('f4a5b6c7d8e9', 'b0c1d2e3f4a6', 'c18a1b2c3d4e')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
