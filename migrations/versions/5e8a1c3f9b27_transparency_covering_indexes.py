"""covering indexes for the unfiltered transparency page (one million cases)

Revision ID: 5e8a1c3f9b27
Revises: 7b3d9e2f4a61
Create Date: 2026-12-02 12:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8a1c3f9b27'
down_revision = '7b3d9e2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stat_cell', schema=None) as batch_op:
        batch_op.create_index(
            'ix_stat_cell_region_n', ['is_rollup', 'region_id', 'n'], unique=False
        )
    with op.batch_alter_table('stat_duration', schema=None) as batch_op:
        batch_op.create_index(
            'ix_stat_duration_histogram', ['is_rollup', 'kind', 'hours', 'n'], unique=False
        )


def downgrade():
    with op.batch_alter_table('stat_duration', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_duration_histogram')
    with op.batch_alter_table('stat_cell', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_cell_region_n')
