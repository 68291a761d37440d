"""the card box (issue 18): a course's box link and window; a card's source and its
author's role and department when it has no participant

Revision ID: b0c1d2e3f4a6
Revises: ac15d2e3f4a5
Create Date: 2026-12-06 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b0c1d2e3f4a6'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'card_box',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['course_id'], ['course.id'], name=op.f('fk_card_box_course_id_course'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_box')),
        sa.UniqueConstraint('token', name=op.f('uq_card_box_token')),
    )
    with op.batch_alter_table('card_box', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_box_course_id'), ['course_id'], unique=True)

    # Every card so far came from a phone (or the facilitator's citizen's path): "phone".
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=8), server_default='phone', nullable=False))
        batch_op.add_column(sa.Column('author_role', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('author_department_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_card_author_department_id'), ['author_department_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_card_author_department_id_department', 'department', ['author_department_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_constraint('fk_card_author_department_id_department', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_card_author_department_id'))
        batch_op.drop_column('author_department_id')
        batch_op.drop_column('author_role')
        batch_op.drop_column('source')

    with op.batch_alter_table('card_box', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_box_course_id'))

    op.drop_table('card_box')
