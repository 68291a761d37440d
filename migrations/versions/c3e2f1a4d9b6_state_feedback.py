"""state feedback: cards whose rule only the state can change, for the feedback document

Revision ID: c3e2f1a4d9b6
Revises: 3f2a9c1d7b64
Create Date: 2026-11-23 18:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e2f1a4d9b6'
down_revision = '3f2a9c1d7b64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('state_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Text(), server_default='', nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('proposal', sa.Text(), server_default='', nullable=False),
    sa.Column('trial', sa.String(length=20), server_default='unknown', nullable=False),
    sa.Column('trial_note', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("trial IN ('trial_provision', 'exemption', 'no', 'unknown')", name=op.f('ck_state_feedback_trial_known')),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_state_feedback_card_id_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_state_feedback_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_state_feedback_measure_id_measure'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_feedback')),
    sa.UniqueConstraint('card_id', name=op.f('uq_state_feedback_card_id'))
    )
    with op.batch_alter_table('state_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_feedback_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_feedback_measure_id'), ['measure_id'], unique=False)


def downgrade():
    with op.batch_alter_table('state_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_feedback_measure_id'))
        batch_op.drop_index(batch_op.f('ix_state_feedback_course_id'))

    op.drop_table('state_feedback')
