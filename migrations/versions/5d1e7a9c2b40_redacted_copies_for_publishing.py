"""redacted copies of evidence for publishing, approval without redaction

Revision ID: 5d1e7a9c2b40
Revises: 99a1183d0246
Create Date: 2026-12-02 03:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '5d1e7a9c2b40'
down_revision = '99a1183d0246'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('redaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('thumb_key', sa.String(length=200), nullable=False),
    sa.Column('mime', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('boxes', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_redaction_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_redaction_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction')),
    sa.UniqueConstraint('evidence_id', 'version', name=op.f('uq_redaction_evidence_id'))
    )
    with op.batch_alter_table('redaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redaction_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('unredacted_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', portal.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_unredacted_approval_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_unredacted_approval_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unredacted_approval')),
    sa.UniqueConstraint('evidence_id', name=op.f('uq_unredacted_approval_evidence_id'))
    )


def downgrade():
    op.drop_table('unredacted_approval')
    with op.batch_alter_table('redaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redaction_evidence_id'))

    op.drop_table('redaction')
