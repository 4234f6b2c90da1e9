"""category examples (both languages) and the three groups of the report form

Revision ID: c4a7d2e9b1f3
Revises: 96ae6743d3f0
Create Date: 2026-12-02 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7d2e9b1f3'
down_revision = '96ae6743d3f0'
branch_labels = None
depends_on = None

# The groups became election | neutrality | service: money politics and the use of state
# facilities are election offences, not civil-servant neutrality.
ELECTION_CODES = ("politik-uang", "fasilitas-negara")
# The shipped description that made the two social-media categories overlap; replaced only
# where no admin changed it. `flask reference load` fills in the examples.
OLD_POSTING = ("ASN atau akun resmi instansi mengunggah materi kampanye calon.",
               "A civil servant or an official account posts a candidate's campaign material.")
NEW_POSTING = ("Seorang ASN mengunggah materi kampanye dari akun pribadinya "
               "(bukan akun resmi instansi).",
               "A civil servant posts campaign material from their own personal account "
               "(not an official agency account).")


def upgrade():
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('example_id', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('example_en', sa.Text(), nullable=False, server_default=''))
    category = sa.table('category', sa.column('code'), sa.column('group'),
                        sa.column('description_id'), sa.column('description_en'))
    op.execute(category.update().where(category.c.group == 'money_politics')
               .values(group='election'))
    op.execute(category.update().where(category.c.code.in_(ELECTION_CODES))
               .where(category.c.group == 'neutrality').values(group='election'))
    for column, old, new in zip(("description_id", "description_en"), OLD_POSTING, NEW_POSTING):
        op.execute(category.update()
                   .where(category.c.code == 'asn-medsos-posting', category.c[column] == old)
                   .values({column: new}))


def downgrade():
    category = sa.table('category', sa.column('code'), sa.column('group'))
    op.execute(category.update().where(category.c.code == 'politik-uang')
               .where(category.c.group == 'election').values(group='money_politics'))
    op.execute(category.update().where(category.c.group == 'election').values(group='neutrality'))
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_column('example_en')
        batch_op.drop_column('example_id')
