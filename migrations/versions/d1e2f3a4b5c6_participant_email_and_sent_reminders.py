"""a participant's work email for reminders (and whether they unsubscribed), and the
reminders sent, so none is sent twice

Revision ID: d1e2f3a4b5c6
Revises: ac15d2e3f4a5
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1e2f3a4b5c6'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    # Optional, left on the phone; "" when none. Never exported, shared or printed.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email', sa.String(length=254), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('reminders_stopped_at', sa.DateTime(timezone=True), nullable=True)
        )
    # One row per reminder claimed or sent; the unique key keeps a second run (also one
    # running at the same time) from sending it again.
    op.create_table(
        'sent_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=24), nullable=False),
        sa.Column('period', sa.String(length=24), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['course_id'],
            ['course.id'],
            name=op.f('fk_sent_reminder_course_id_course'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminder')),
        sa.UniqueConstraint(
            'kind',
            'subject_id',
            'recipient',
            'period',
            name=op.f('uq_sent_reminder_kind_subject_id_recipient_period'),
        ),
    )
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminder_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminder_course_id'))
    op.drop_table('sent_reminder')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('reminders_stopped_at')
        batch_op.drop_column('email')
