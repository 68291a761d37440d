"""card departments: the departments a card involves, one of them named by its origin

Revision ID: c4d3e2f1a0b9
Revises: da1b2c3d4e5f
Create Date: 2026-12-06 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d3e2f1a0b9'
down_revision = 'da1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'card_department',
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('names_origin', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['card.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('card_id', 'department_id'),
    )
    with op.batch_alter_table('card_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_department_department_id'), ['department_id'], unique=False)


def downgrade():
    with op.batch_alter_table('card_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_department_department_id'))

    op.drop_table('card_department')
