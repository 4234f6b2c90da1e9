"""case priority: keyset indexes for sorting the queue by priority

Revision ID: c4e1a7d2b9f3
Revises: df4ef1459a40
Create Date: 2026-12-02 04:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e1a7d2b9f3'
down_revision = 'df4ef1459a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_priority_id', ['priority', 'id'], unique=False)
        batch_op.create_index('ix_case_team_priority_id', ['team_id', 'priority', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_team_priority_id')
        batch_op.drop_index('ix_case_priority_id')
