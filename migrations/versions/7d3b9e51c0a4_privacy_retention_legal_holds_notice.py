"""privacy: legal holds, retention runs, pending file removals, notice version on reports

Revision ID: 7d3b9e51c0a4
Revises: 5e4c1a7b9d20
Create Date: 2026-12-02 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '7d3b9e51c0a4'
down_revision = '5e4c1a7b9d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('legal_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', portal.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_legal_hold_case_id_case')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['user.id'], name=op.f('fk_legal_hold_lifted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placed_by_id'], ['user.id'], name=op.f('fk_legal_hold_placed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_hold'))
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_hold_case_id'), ['case_id'], unique=False)

    op.create_table('retention_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', portal.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', portal.db.UTCDateTime(), nullable=True),
    sa.Column('erased', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('files_removed', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_run'))
    )
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_run_started_at'), ['started_at'], unique=False)

    op.create_table('pending_file_removal',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('queued_at', portal.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_pending_file_removal'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_version', sa.String(length=32), nullable=True))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # batch mode copies the table and cannot reflect this expression index
        op.execute("DROP INDEX IF EXISTS ix_report_account_norm")
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('notice_version')
    if sqlite:
        op.execute("CREATE INDEX IF NOT EXISTS ix_report_account_norm "
                   "ON report (lower(ltrim(reported_account, '@')))")
    op.drop_table('pending_file_removal')
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_run_started_at'))
    op.drop_table('retention_run')
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_hold_case_id'))
    op.drop_table('legal_hold')
