"""merge the parallel branches of issue 19 (single sign-on, the audit trail, the privacy
notice and self-deletion) and the projector's join screen choice

Revision ID: e1f2a3b4c5d6
Revises: c7d8e9f0a1b2, c9d8e7f6a5b4, c9e0f1a2b3d4, d9e0f1a2b3c4
Create Date: 2026-12-06 13:15:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = ('c7d8e9f0a1b2', 'c9d8e7f6a5b4', 'c9e0f1a2b3d4', 'd9e0f1a2b3c4')
branch_labels = None
depends_on = None


def upgrade():
    # Nothing to do: the four branches touch different tables and columns.
    pass


def downgrade():
    pass
