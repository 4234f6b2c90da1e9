"""case page version: bumped with every write that changes what a case's pages show

Revision ID: a5c8e3f1d7b2
Revises: 7b3d9e2f4a61
Create Date: 2026-12-02 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5c8e3f1d7b2'
down_revision = '7b3d9e2f4a61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('page_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('page_version')
