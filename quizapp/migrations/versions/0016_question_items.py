"""question items: the delegated items (赋权事项, handbook/items/) each
question teaches, for practice and exam blueprints by item and the
item-level readiness reading (quizapp/content/items.py)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('items', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('items')
