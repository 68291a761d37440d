"""cookies name tokens, never reusable ids: a token per participant (a phone's membership)
and a session token per facilitator (logins that logging out revokes)

Revision ID: a7b8c9d0e1f2
Revises: f6a5b4c3d2e1
Create Date: 2026-12-06 12:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'f6a5b4c3d2e1'
branch_labels = None
depends_on = None


def _fill_tokens(table: str, column: str) -> None:
    """A fresh token for every existing row (one UPDATE per row: no SQL function makes a
    secret random string on both SQLite and PostgreSQL)."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column('id', sa.Integer), sa.column(column, sa.String))
    for (row_id,) in connection.execute(sa.select(rows.c.id)).all():
        connection.execute(
            rows.update().where(rows.c.id == row_id).values({column: secrets.token_urlsafe(32)})
        )


def upgrade():
    # Participants: the phone's cookie names a token from now on. Every row that exists now
    # is marked legacy: a cookie from before the upgrade may still name it by its id (its
    # id cannot be handed to anyone while the row exists); rows made later never are.
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('legacy_cookie', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _fill_tokens('participant', 'token')
    participants = sa.table('participant', sa.column('legacy_cookie', sa.Boolean))
    op.execute(participants.update().values(legacy_cookie=True))
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_participant_token'), ['token'])

    # Facilitators: logins made before the upgrade name no token and end (log in once more).
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    _fill_tokens('facilitator', 'session_token')
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_column('session_token')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_participant_token'), type_='unique')
        batch_op.drop_column('legacy_cookie')
        batch_op.drop_column('token')
