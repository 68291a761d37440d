"""merge issue 18's branches (between the workshops) with the imported course's flag and
the projector's path page

Revision ID: d2e3f4a5b6c7
Revises: c1d2e3f4a5b6, e18a1b2c3d4e
Create Date: 2026-12-06 18:40:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'd2e3f4a5b6c7'
down_revision = ('c1d2e3f4a5b6', 'e18a1b2c3d4e')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
