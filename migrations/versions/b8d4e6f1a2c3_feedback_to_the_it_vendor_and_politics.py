"""feedback beyond the state: cards for the IT vendor and for the political committee

Revision ID: b8d4e6f1a2c3
Revises: ac15d2e3f4a5
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4e6f1a2c3'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), server_default='', nullable=False),
    sa.Column('decided_by', sa.String(length=200), server_default='', nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('cost', sa.Text(), server_default='', nullable=False),
    sa.Column('estimate_minutes', sa.Integer(), nullable=True),
    sa.Column('estimate_per', sa.String(length=8), server_default='', nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('ask', sa.String(length=8), server_default='', nullable=False),
    sa.Column('proposal', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("route IN ('it_vendor', 'politics')", name=op.f('ck_card_feedback_route_known')),
    sa.CheckConstraint("estimate_per IN ('', 'case', 'week')", name=op.f('ck_card_feedback_estimate_per_known')),
    sa.CheckConstraint("ask IN ('', 'remove', 'change')", name=op.f('ck_card_feedback_ask_known')),
    sa.CheckConstraint('estimate_minutes IS NULL OR estimate_minutes > 0', name=op.f('ck_card_feedback_estimate_positive')),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_card_feedback_card_id_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_card_feedback_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_card_feedback_measure_id_measure'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_feedback')),
    sa.UniqueConstraint('card_id', 'route', name=op.f('uq_card_feedback_card_id_route'))
    )
    with op.batch_alter_table('card_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_feedback_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_feedback_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_feedback_measure_id'), ['measure_id'], unique=False)


def downgrade():
    with op.batch_alter_table('card_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_feedback_measure_id'))
        batch_op.drop_index(batch_op.f('ix_card_feedback_course_id'))
        batch_op.drop_index(batch_op.f('ix_card_feedback_card_id'))

    op.drop_table('card_feedback')
