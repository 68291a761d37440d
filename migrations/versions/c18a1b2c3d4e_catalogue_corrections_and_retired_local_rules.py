"""the catalogue people can correct (issue 18 point 5): an organisation's corrections of law
entries; local rules retired, or marked repealed by a course

Revision ID: c18a1b2c3d4e
Revises: ac15d2e3f4a5
Create Date: 2026-12-06 18:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c18a1b2c3d4e'
down_revision = 'ac15d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('requirement_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('paragraph', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(length=16), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('against_version', sa.Integer(), nullable=False),
    sa.Column('against_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['made_by_id'], ['facilitator.id'], name=op.f('fk_requirement_correction_made_by_id_facilitator'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_requirement_correction_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_requirement_correction_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_correction')),
    sa.UniqueConstraint('organisation_id', 'requirement_id', name=op.f('uq_requirement_correction_organisation_id_requirement_id'))
    )
    with op.batch_alter_table('requirement_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_correction_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_requirement_correction_requirement_id'), ['requirement_id'], unique=False)

    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('repealed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('repealed_by_course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repealed_course_title', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_requirement_repealed_by_course_id'), ['repealed_by_course_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_requirement_repealed_by_course_id_course'), 'course', ['repealed_by_course_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('requirement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_requirement_repealed_by_course_id_course'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_requirement_repealed_by_course_id'))
        batch_op.drop_column('repealed_course_title')
        batch_op.drop_column('repealed_by_course_id')
        batch_op.drop_column('repealed_on')
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('requirement_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_correction_requirement_id'))
        batch_op.drop_index(batch_op.f('ix_requirement_correction_organisation_id'))

    op.drop_table('requirement_correction')
