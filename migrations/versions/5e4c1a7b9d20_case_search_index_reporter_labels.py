"""case search index, stable reporter labels

Revision ID: 5e4c1a7b9d20
Revises: c4e1a7d2b9f3
Create Date: 2026-12-02 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '5e4c1a7b9d20'
down_revision = 'c4e1a7d2b9f3'
branch_labels = None
depends_on = None


# The search index's per-database DDL, as in portal/cases/models.py at this revision.
SEARCH_DDL_SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_search_fts USING fts5(handles, document, emails, content='case_search', content_rowid='case_id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    'CREATE TRIGGER IF NOT EXISTS case_search_fts_ai AFTER INSERT ON case_search BEGIN INSERT INTO case_search_fts(rowid, handles, document, emails) VALUES (new.case_id, new.handles, new.document, new.emails); END',
    "CREATE TRIGGER IF NOT EXISTS case_search_fts_ad AFTER DELETE ON case_search BEGIN INSERT INTO case_search_fts(case_search_fts, rowid, handles, document, emails) VALUES ('delete', old.case_id, old.handles, old.document, old.emails); END",
    "CREATE TRIGGER IF NOT EXISTS case_search_fts_au AFTER UPDATE ON case_search BEGIN INSERT INTO case_search_fts(case_search_fts, rowid, handles, document, emails) VALUES ('delete', old.case_id, old.handles, old.document, old.emails); INSERT INTO case_search_fts(rowid, handles, document, emails) VALUES (new.case_id, new.handles, new.document, new.emails); END",
]
SEARCH_DROP_SQLITE = [
    'DROP TABLE IF EXISTS case_search_fts',
]
SEARCH_DDL_POSTGRESQL = [
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    "ALTER TABLE case_search ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, reference), 'A') || setweight(to_tsvector('simple'::regconfig, handles), 'B') || to_tsvector('simple'::regconfig, document) || to_tsvector('simple'::regconfig, emails)) STORED",
    'CREATE INDEX IF NOT EXISTS ix_case_search_tsv ON case_search USING gin (tsv)',
    'CREATE INDEX IF NOT EXISTS ix_case_search_handles_trgm ON case_search USING gin (handles gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS ix_case_search_reference_trgm ON case_search USING gin (reference gin_trgm_ops)',
]


def _letters(index):
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _backfill_labels():
    """Existing reports are labelled A, B, C... in filing order within their case."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, case_id FROM report ORDER BY case_id, created_at, id")).all()
    labels, index, current = [], 0, None
    for report_id, case_id in rows:
        index = 0 if case_id != current else index + 1
        current = case_id
        labels.append({"r": report_id, "c": case_id, "l": _letters(index)})
    if labels:
        conn.execute(sa.text("UPDATE report SET label = :l WHERE id = :r"), labels)
        conn.execute(sa.text(
            "INSERT INTO report_label (case_id, report_id, label, created_at) "
            "VALUES (:c, :r, :l, CURRENT_TIMESTAMP)"), labels)


def upgrade():
    op.create_table('case_search',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('handles', sa.Text(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('emails', sa.Text(), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_search_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_search'))
    )
    op.create_table('report_label',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=8), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_report_label_case_id_case')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_label_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_label')),
    sa.UniqueConstraint('case_id', 'label', name='uq_report_label_case_label'),
    sa.UniqueConstraint('case_id', 'report_id', name='uq_report_label_case_report')
    )
    with op.batch_alter_table('report_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_label_report_id'), ['report_id'], unique=False)
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=8), nullable=True))
    ddl = SEARCH_DDL_POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SEARCH_DDL_SQLITE
    for statement in ddl:
        op.execute(statement)
    _backfill_labels()
    # The index itself is filled by `flask cases reindex` (run it once after upgrading).


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('report_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_label_report_id'))
    op.drop_table('report_label')
    op.drop_table('case_search')  # and with it the FTS triggers, or the tsv column and indexes
    if sqlite:
        for statement in SEARCH_DROP_SQLITE:
            op.execute(statement)
        # batch mode copies the table and cannot reflect this expression index
        op.execute("DROP INDEX IF EXISTS ix_report_account_norm")
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('label')
    if sqlite:
        op.execute("CREATE INDEX IF NOT EXISTS ix_report_account_norm "
                   "ON report (lower(ltrim(reported_account, '@')))")
