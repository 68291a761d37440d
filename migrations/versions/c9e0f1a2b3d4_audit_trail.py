"""the audit trail: who did what, when, to which course (append-only)

Revision ID: c9e0f1a2b3d4
Revises: b8d9e0f1a2c3
Create Date: 2026-12-06 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e0f1a2b3d4'
down_revision = 'b8d9e0f1a2c3'
branch_labels = None
depends_on = None


# PostgreSQL: no UPDATE ever; a DELETE only inside the retention purge's transaction,
# which says so with SET LOCAL samskabt.audit_purge = 'on' (workshop.audit.purge). Not a
# wall against someone with SQL access (they can say it too), but no bug, ORM cascade or
# stray statement in the app changes or removes a line of the trail.
POSTGRES_GUARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('samskabt.audit_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

# SQLite has no session settings to let the purge through, so only UPDATE is refused.
SQLITE_GUARD = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only (UPDATE refused)');
END;
"""


def upgrade():
    op.create_table(
        'audit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_email', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('course_title', sa.String(length=200), nullable=False),
        sa.Column('target_kind', sa.String(length=40), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('client_address', sa.String(length=64), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event')),
    )
    op.create_index(
        'ix_audit_event_organisation_at', 'audit_event', ['organisation_id', 'at'], unique=False
    )
    op.create_index('ix_audit_event_at', 'audit_event', ['at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_GUARD)
    else:
        op.execute(SQLITE_GUARD)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION IF EXISTS audit_event_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_event_no_update')
    op.drop_index('ix_audit_event_at', table_name='audit_event')
    op.drop_index('ix_audit_event_organisation_at', table_name='audit_event')
    op.drop_table('audit_event')
