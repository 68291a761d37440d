"""the course's dated meetings (workshops with place and steps) and a date for "later" (issue 18)

Revision ID: e18a1b2c3d4e
Revises: ac15d2e3f4a5
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e18a1b2c3d4e'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place', sa.String(length=200), server_default='', nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('uid', sa.String(length=64), nullable=False),
        sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ends_at > starts_at', name='meeting_ends_after_start'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uid'),
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_course_starts', ['course_id', 'starts_at'], unique=False)

    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('later_due', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_column('later_due')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_course_starts')

    op.drop_table('meeting')
