"""merge the course's result split (issue 14 point 2) with issue 14's other branches

Revision ID: ac15d2e3f4a5
Revises: ab14c0d1e2f3, b7c8d9e0f1a2
Create Date: 2026-12-06 16:05:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'ac15d2e3f4a5'
down_revision = ('ab14c0d1e2f3', 'b7c8d9e0f1a2')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
