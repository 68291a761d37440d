"""requirement: the sectors whose law it is, and confidence per fact

Revision ID: c4d5e6f7a8b9
Revises: da1b2c3d4e5f
Create Date: 2026-12-06 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'da1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    # Existing entries get empty lists; `flask catalogue load` fills in the sectors.
    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence_notes', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('sectors', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.drop_column('sectors')
        batch_op.drop_column('confidence_notes')
