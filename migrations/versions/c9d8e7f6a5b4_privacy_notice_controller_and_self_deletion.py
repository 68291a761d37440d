"""the privacy notice's data controller per organisation, and participants who deleted
their own data

Revision ID: c9d8e7f6a5b4
Revises: b8d9e0f1a2c3
Create Date: 2026-12-06 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9d8e7f6a5b4'
down_revision = 'b8d9e0f1a2c3'
branch_labels = None
depends_on = None


def upgrade():
    # Who the privacy notice names as data controller, and where to write to (an empty
    # name means the organisation itself).
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('controller_name', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('privacy_contact', sa.String(length=254), server_default='', nullable=False)
        )
    # Set when a participant deleted their own name and texts: the row stays (their dots
    # still count), but no phone is that participant any more.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('forgotten_at')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('privacy_contact')
        batch_op.drop_column('controller_name')
