"""redaction reaches every copy: shared snapshots and copied solutions name their source;
rendered PDFs kept in the database

Revision ID: a7c4e2d9b1f3
Revises: f6a5b4c3d2e1
Create Date: 2026-12-06 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2d9b1f3'
down_revision = 'f6a5b4c3d2e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shared_challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_shared_challenge_card_id'), ['card_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_shared_challenge_card_id_card'), 'card', ['card_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('shared_solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solution_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_shared_solution_solution_id'), ['solution_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_shared_solution_solution_id_solution'), 'solution', ['solution_id'],
            ['id'], ondelete='SET NULL',
        )
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copied_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('source_redacted', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f('ix_solution_copied_from_id'), ['copied_from_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_solution_copied_from_id_solution'), 'solution', ['copied_from_id'],
            ['id'], ondelete='SET NULL',
        )

    op.create_table('rendered_pdf',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.String(length=40), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_rendered_pdf_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rendered_pdf')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_rendered_pdf_course_id_key'))
    )
    with op.batch_alter_table('rendered_pdf', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rendered_pdf_course_id'), ['course_id'], unique=False)

    _trace_existing_copies()


def _trace_existing_copies():
    """Shares and copies made before: find their sources where that is certain.

    A shared text is traced to the one card (solution) of the shared course whose text or
    author's original is exactly the shared words; an edited or ambiguous one stays
    untraced (workshop.redaction then empties every untraced text of the course's shares
    when anything in it is redacted). A copy names the shared solution it came from in its
    double-submit token ("bank-<id>"), which leads to the source solution.
    """
    connection = op.get_bind()
    meta = sa.MetaData()
    share = sa.Table('share', meta, sa.Column('id'), sa.Column('course_id'))
    challenge = sa.Table(
        'shared_challenge', meta, sa.Column('id'), sa.Column('share_id'), sa.Column('text'),
        sa.Column('card_id'),
    )
    shared_solution = sa.Table(
        'shared_solution', meta, sa.Column('id'), sa.Column('challenge_id'), sa.Column('text'),
        sa.Column('solution_id'),
    )
    card = sa.Table(
        'card', meta, sa.Column('id'), sa.Column('course_id'), sa.Column('text'),
        sa.Column('original_text'),
    )
    solution = sa.Table(
        'solution', meta, sa.Column('id'), sa.Column('course_id'), sa.Column('text'),
        sa.Column('original_text'), sa.Column('client_token'), sa.Column('source'),
        sa.Column('copied_from_id'),
    )

    def unique_match(table, course_id, text):
        found = connection.execute(
            sa.select(table.c.id).where(
                table.c.course_id == course_id,
                sa.or_(table.c.text == text, table.c.original_text == text),
            )
        ).scalars().all()
        return found[0] if len(found) == 1 else None

    rows = connection.execute(
        sa.select(challenge.c.id, challenge.c.text, share.c.course_id)
        .join(share, share.c.id == challenge.c.share_id)
        .where(challenge.c.text != '', share.c.course_id.is_not(None))
    ).all()
    for row_id, text, course_id in rows:
        match = unique_match(card, course_id, text)
        if match is not None:
            connection.execute(
                challenge.update().where(challenge.c.id == row_id).values(card_id=match)
            )
    rows = connection.execute(
        sa.select(shared_solution.c.id, shared_solution.c.text, share.c.course_id)
        .join(challenge, challenge.c.id == shared_solution.c.challenge_id)
        .join(share, share.c.id == challenge.c.share_id)
        .where(shared_solution.c.text != '', share.c.course_id.is_not(None))
    ).all()
    for row_id, text, course_id in rows:
        match = unique_match(solution, course_id, text)
        if match is not None:
            connection.execute(
                shared_solution.update()
                .where(shared_solution.c.id == row_id)
                .values(solution_id=match)
            )
    copies = connection.execute(
        sa.select(solution.c.id, solution.c.client_token).where(
            solution.c.source != '', solution.c.client_token.like('bank-%')
        )
    ).all()
    for copy_id, token in copies:
        suffix = token.removeprefix('bank-')
        if not suffix.isdigit():
            continue
        source = connection.execute(
            sa.select(shared_solution.c.solution_id).where(shared_solution.c.id == int(suffix))
        ).scalar()
        if source is not None:
            connection.execute(
                solution.update().where(solution.c.id == copy_id).values(copied_from_id=source)
            )


def downgrade():
    with op.batch_alter_table('rendered_pdf', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rendered_pdf_course_id'))
    op.drop_table('rendered_pdf')
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_solution_copied_from_id_solution'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_solution_copied_from_id'))
        batch_op.drop_column('source_redacted')
        batch_op.drop_column('copied_from_id')
    with op.batch_alter_table('shared_solution', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_shared_solution_solution_id_solution'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_shared_solution_solution_id'))
        batch_op.drop_column('solution_id')
    with op.batch_alter_table('shared_challenge', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shared_challenge_card_id_card'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shared_challenge_card_id'))
        batch_op.drop_column('card_id')
