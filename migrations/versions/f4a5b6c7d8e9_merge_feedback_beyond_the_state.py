"""merge issue 18's feedback to the IT vendor and the politicians with its other branches

Revision ID: f4a5b6c7d8e9
Revises: e3f4a5b6c7d8, b8d4e6f1a2c3
Create Date: 2026-12-06 19:05:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'f4a5b6c7d8e9'
down_revision = ('e3f4a5b6c7d8', 'b8d4e6f1a2c3')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
