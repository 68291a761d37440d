"""a participant's own revision, in their phone's poll ETag

Revision ID: f6a5b4c3d2e1
Revises: e5a4b3c2d1f0
Create Date: 2026-11-23 18:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6a5b4c3d2e1'
down_revision = 'e5a4b3c2d1f0'
branch_labels = None
depends_on = None


def upgrade():
    # Bumped by the participant's own dots and cards (Participant.revision): their phone's
    # next poll draws them afresh, whatever happened to the reply on the way.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revision', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('revision')
