"""default departments for the organisations there are (issue 14)

A new organisation gets the Danish defaults when it is made (workshop.organisations);
this gives them to every organisation made before, so no page has to make them when it
is only read. The list is copied here, as it was on the day: a migration must not change
when workshop.departments does.

Revision ID: d3e4f5a6b7c8
Revises: da1b2c3d4e5f
Create Date: 2026-12-06 15:50:00.000000

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd3e4f5a6b7c8'
down_revision = 'da1b2c3d4e5f'
branch_labels = None
depends_on = None

DEFAULTS = (
    ("Beskæftigelse", "employment"),
    ("Social og handicap", "social"),
    ("Sundhed og psykiatri", "health"),
    ("Unge og uddannelse (UU)", "youth"),
    ("Ydelse/borgerservice", "benefits"),
    ("Regionens sundhedskoordinator", "region"),
    ("Leverandør", "vendor"),
    ("Politikere", "politics"),
)


def upgrade():
    connection = op.get_bind()
    organisation = sa.table('organisation', sa.column('id', sa.Integer))
    department = sa.table(
        'department',
        sa.column('organisation_id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('sector', sa.String),
        sa.column('position', sa.Integer),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    has_some = sa.select(department.c.organisation_id).distinct()
    without = connection.execute(
        sa.select(organisation.c.id).where(organisation.c.id.not_in(has_some))
    ).scalars().all()
    now = datetime.now(UTC)
    rows = [
        {"organisation_id": oid, "name": name, "sector": sector, "position": n, "created_at": now}
        for oid in without
        for n, (name, sector) in enumerate(DEFAULTS)
    ]
    if rows:
        connection.execute(department.insert(), rows)


def downgrade():
    # The rows stay meaningful (and may have been renamed or picked); the table itself
    # goes with the previous migration's downgrade.
    pass
