"""single sign-on: an organisation's OpenID Connect provider, and the provider account
linked to a facilitator (issue 19)

Revision ID: d9e0f1a2b3c4
Revises: b8d9e0f1a2c3
Create Date: 2026-12-06 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9e0f1a2b3c4'
down_revision = 'b8d9e0f1a2c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_on',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret', sa.String(length=500), nullable=False),
    sa.Column('allowed_domains', sa.Text(), nullable=False),
    sa.Column('allowed_groups', sa.Text(), nullable=False),
    sa.Column('groups_claim', sa.String(length=64), nullable=False),
    sa.Column('password_login', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_sign_on_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_on')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_sign_on_organisation_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_sign_on_slug'))
    )
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_facilitator_sso_issuer_sso_subject'), ['sso_issuer', 'sso_subject'])


def downgrade():
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_facilitator_sso_issuer_sso_subject'), type_='unique')
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')

    op.drop_table('sign_on')
