"""statistics deltas kept on write; indexes for one million cases

Revision ID: 7b3d9e2f4a61
Revises: 912b3ab494d1
Create Date: 2026-12-02 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e2f4a61'
down_revision = '912b3ab494d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stat_cell_delta',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('n_resolved', sa.Integer(), nullable=False),
        sa.Column('n_in_time', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_cell_delta')),
    )
    op.create_table(
        'stat_duration_delta',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_duration_delta')),
    )
    op.create_table(
        'stat_referral_delta',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('sanction_applied', sa.String(length=8), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_referral_delta')),
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_merged_into_id', ['merged_into_id'], unique=False)
        batch_op.create_index(
            'ix_public_case_published_category_created',
            ['is_published', 'category_id', 'created_at'],
            unique=False,
        )
    with op.batch_alter_table('stat_cell', schema=None) as batch_op:
        batch_op.create_index(
            'ix_stat_cell_month_category', ['month', 'category_id', 'region_id'], unique=False
        )
    with op.batch_alter_table('stat_duration', schema=None) as batch_op:
        batch_op.create_index(
            'ix_stat_duration_month_category',
            ['month', 'category_id', 'region_id'],
            unique=False,
        )
    # Aggregates computed before this revision missed the changes no delta recorded: the next
    # `flask public refresh-stats` recomputes them in full (it does when no run is recorded).
    op.execute('DELETE FROM stat_run')


def downgrade():
    with op.batch_alter_table('stat_duration', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_duration_month_category')
    with op.batch_alter_table('stat_cell', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_cell_month_category')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_public_case_published_category_created')
        batch_op.drop_index('ix_case_merged_into_id')
    op.drop_table('stat_referral_delta')
    op.drop_table('stat_duration_delta')
    op.drop_table('stat_cell_delta')
