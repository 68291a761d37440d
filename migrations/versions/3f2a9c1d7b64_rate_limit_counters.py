"""rate limit counters

Revision ID: 3f2a9c1d7b64
Revises: 8956699f62a3
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f2a9c1d7b64'
down_revision = '8956699f62a3'
branch_labels = None
depends_on = None


def upgrade():
    # The counters of Flask-Limiter's database storage (workshop/ratelimits.py): one row
    # per limit, client and window, incremented with an upsert on SQLite and PostgreSQL.
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_counter_expires_at', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limit_counter', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_limit_counter_expires_at')

    op.drop_table('rate_limit_counter')
