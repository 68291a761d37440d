"""an imported course whose dots were rebuilt from the file's revealed results; the page of
a long citizen's path the projector shows

Revision ID: c1d2e3f4a5b6
Revises: ac15d2e3f4a5
Create Date: 2026-12-06 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1d2e3f4a5b6'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('votes_rebuilt', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('path_page', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('path_page')
        batch_op.drop_column('votes_rebuilt')
