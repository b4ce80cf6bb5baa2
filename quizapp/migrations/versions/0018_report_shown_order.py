"""report shown order: the order in which the reporting trainee saw a
question's options (practice and exam papers shuffle them), so the editor can
map the letters of the report to the bank's (quizapp/reports.py)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('content_reports') as batch:
        batch.add_column(sa.Column('shown_order', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('content_reports') as batch:
        batch.drop_column('shown_order')
