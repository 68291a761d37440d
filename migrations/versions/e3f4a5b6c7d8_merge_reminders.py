"""merge issue 18's reminders by email with its meetings and the course's new flags

Revision ID: e3f4a5b6c7d8
Revises: d2e3f4a5b6c7, d1e2f3a4b5c6
Create Date: 2026-12-06 18:55:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'e3f4a5b6c7d8'
down_revision = ('d2e3f4a5b6c7', 'd1e2f3a4b5c6')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
