"""the citizen's path: touchpoints of a course, and the switch that opens it on the phones

Revision ID: f7e6d5c4b3a2
Revises: da1b2c3d4e5f
Create Date: 2026-12-06 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7e6d5c4b3a2'
down_revision = 'da1b2c3d4e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'touchpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('place', sa.String(length=120), server_default='', nullable=False),
        sa.Column('citizen_minutes', sa.Integer(), nullable=True),
        sa.Column('staff_minutes', sa.Integer(), nullable=True),
        sa.Column('requirement_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('client_token', sa.String(length=40), nullable=False),
        sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            'citizen_minutes IS NULL OR citizen_minutes BETWEEN 0 AND 525600',
            name='citizen_minutes_range',
        ),
        sa.CheckConstraint(
            'staff_minutes IS NULL OR staff_minutes BETWEEN 0 AND 525600',
            name='staff_minutes_range',
        ),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['department_id'], ['department.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['merged_into_id'], ['touchpoint.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['card_id'], ['card.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('participant_id', 'client_token'),
    )
    with op.batch_alter_table('touchpoint', schema=None) as batch_op:
        for column in ('course_id', 'participant_id', 'department_id', 'requirement_id', 'merged_into_id', 'card_id'):
            batch_op.create_index(batch_op.f(f'ix_touchpoint_{column}'), [column], unique=False)

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path_open', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('path_open')

    with op.batch_alter_table('touchpoint', schema=None) as batch_op:
        for column in ('course_id', 'participant_id', 'department_id', 'requirement_id', 'merged_into_id', 'card_id'):
            batch_op.drop_index(batch_op.f(f'ix_touchpoint_{column}'))

    op.drop_table('touchpoint')
