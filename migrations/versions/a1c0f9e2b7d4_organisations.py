"""organisations: facilitators and courses belong to an organisation

Revision ID: a1c0f9e2b7d4
Revises: 3f2a9c1d7b64
Create Date: 2026-11-23 18:00:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0f9e2b7d4'
down_revision = '3f2a9c1d7b64'
branch_labels = None
depends_on = None

DEFAULT_NAME = 'Standardorganisation'


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('municipality', 'consultancy', 'partnership')", name=op.f('ck_organisation_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))

    # Everything that exists moves into one default organisation; its first facilitator
    # (the oldest login) becomes its admin.
    connection = op.get_bind()
    organisation = sa.table(
        'organisation',
        sa.column('id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('kind', sa.String),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    facilitator = sa.table(
        'facilitator',
        sa.column('id', sa.Integer),
        sa.column('organisation_id', sa.Integer),
        sa.column('is_admin', sa.Boolean),
    )
    course = sa.table('course', sa.column('organisation_id', sa.Integer))
    connection.execute(
        organisation.insert().values(
            name=DEFAULT_NAME, kind='municipality', created_at=datetime.now(UTC)
        )
    )
    default_id = connection.execute(
        sa.select(organisation.c.id).where(organisation.c.name == DEFAULT_NAME)
    ).scalar_one()
    connection.execute(facilitator.update().values(organisation_id=default_id))
    connection.execute(course.update().values(organisation_id=default_id))
    first = connection.execute(
        sa.select(facilitator.c.id).order_by(facilitator.c.id).limit(1)
    ).scalar()
    if first is not None:
        connection.execute(
            facilitator.update().where(facilitator.c.id == first).values(is_admin=True)
        )

    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_facilitator_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_facilitator_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'])
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_course_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_course_organisation_id_organisation'), 'organisation', ['organisation_id'], ['id'])


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_course_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_course_organisation_id'))
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_facilitator_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_facilitator_organisation_id'))
        batch_op.drop_column('active')
        batch_op.drop_column('is_admin')
        batch_op.drop_column('organisation_id')
    op.drop_table('organisation')
