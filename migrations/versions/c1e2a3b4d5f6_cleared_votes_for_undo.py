"""cleared votes kept for a minute, so starting a vote over can be taken back

Revision ID: c1e2a3b4d5f6
Revises: f6a5b4c3d2e1
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1e2a3b4d5f6'
down_revision = 'f6a5b4c3d2e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cleared_votes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('ballot', sa.String(length=16), nullable=False),
        sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('votes', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('cleared_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cleared_votes_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cleared_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleared_votes_course_id'))
    op.drop_table('cleared_votes')
