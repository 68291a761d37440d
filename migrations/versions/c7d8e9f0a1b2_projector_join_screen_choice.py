"""the facilitator's choice of the projector's big join screen

Revision ID: c7d8e9f0a1b2
Revises: b8d9e0f1a2c3
Create Date: 2026-12-06 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d8e9f0a1b2'
down_revision = 'b8d9e0f1a2c3'
branch_labels = None
depends_on = None


def upgrade():
    # "auto" keeps today's rule (the big join screen in step 1 until the first answer).
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('projector_join', sa.String(length=8), server_default='auto', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('projector_join')
