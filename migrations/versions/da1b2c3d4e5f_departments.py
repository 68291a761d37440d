"""departments: an organisation's list, a course across departments, a participant's department

Revision ID: da1b2c3d4e5f
Revises: e1f2a3b4c5d6
Create Date: 2026-12-06 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'da1b2c3d4e5f'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'department',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'name', name='department_name_once'),
    )
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('across_departments', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('invites_citizens', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_participant_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_participant_department_id_department', 'department', ['department_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint('fk_participant_department_id_department', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participant_department_id'))
        batch_op.drop_column('department_id')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('invites_citizens')
        batch_op.drop_column('across_departments')

    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_organisation_id'))

    op.drop_table('department')
