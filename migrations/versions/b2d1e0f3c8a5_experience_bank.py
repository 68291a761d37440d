"""experience bank: shared snapshots of courses, and where a copied solution came from

Revision ID: b2d1e0f3c8a5
Revises: 3f2a9c1d7b64
Create Date: 2026-11-23 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2d1e0f3c8a5'
down_revision = '3f2a9c1d7b64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('facilitator_id', sa.Integer(), nullable=True),
    sa.Column('municipality', sa.String(length=120), nullable=False),
    sa.Column('unit_kind', sa.String(length=120), nullable=False),
    sa.Column('course_revision', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_share_course_id_course'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_share_facilitator_id_facilitator'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share'))
    )
    with op.batch_alter_table('share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_course_id'), ['course_id'], unique=False)

    op.create_table('shared_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=32), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=True),
    sa.Column('dots_staff', sa.Integer(), nullable=True),
    sa.Column('dots_managers', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['share_id'], ['share.id'], name=op.f('fk_shared_challenge_share_id_share'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_challenge'))
    )
    with op.batch_alter_table('shared_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_challenge_share_id'), ['share_id'], unique=False)

    op.create_table('shared_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('requirement_key', sa.String(length=20), nullable=False),
    sa.Column('requirement_version', sa.Integer(), nullable=False),
    sa.Column('law_version', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['shared_challenge.id'], name=op.f('fk_shared_requirement_challenge_id_shared_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_requirement'))
    )
    with op.batch_alter_table('shared_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_requirement_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_requirement_requirement_key'), ['requirement_key'], unique=False)

    op.create_table('shared_solution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('effect_citizens', sa.Integer(), nullable=True),
    sa.Column('effect_efficiency', sa.Integer(), nullable=True),
    sa.Column('effect_work_environment', sa.Integer(), nullable=True),
    sa.Column('likelihood', sa.String(length=16), nullable=False),
    sa.Column('effort', sa.String(length=16), nullable=False),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.Column('action_status', sa.String(length=16), nullable=False),
    sa.Column('measure_what', sa.String(length=300), nullable=False),
    sa.Column('measure_unit', sa.String(length=60), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=True),
    sa.Column('baseline_mean', sa.Float(), nullable=True),
    sa.Column('followup_mean', sa.Float(), nullable=True),
    sa.Column('change', sa.Float(), nullable=True),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['shared_challenge.id'], name=op.f('fk_shared_solution_challenge_id_shared_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_solution'))
    )
    with op.batch_alter_table('shared_solution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_solution_challenge_id'), ['challenge_id'], unique=False)

    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('shared_solution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_solution_challenge_id'))
    op.drop_table('shared_solution')

    with op.batch_alter_table('shared_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_requirement_requirement_key'))
        batch_op.drop_index(batch_op.f('ix_shared_requirement_challenge_id'))
    op.drop_table('shared_requirement')

    with op.batch_alter_table('shared_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_challenge_share_id'))
    op.drop_table('shared_challenge')

    with op.batch_alter_table('share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_course_id'))
    op.drop_table('share')
