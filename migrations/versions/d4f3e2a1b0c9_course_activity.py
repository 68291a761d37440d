"""course activity counter for the projector's polls

Revision ID: d4f3e2a1b0c9
Revises: 3f2a9c1d7b64
Create Date: 2026-11-23 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f3e2a1b0c9'
down_revision = '3f2a9c1d7b64'
branch_labels = None
depends_on = None


def upgrade():
    # Joins and new cards bump `activity` instead of `revision`: only the projector
    # and the control panel show them, so the phones' polls stay 304 (see Course.activity).
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('activity', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('activity')
