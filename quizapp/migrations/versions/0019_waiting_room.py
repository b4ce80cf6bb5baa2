"""waiting room: an exam's 候考 minutes before its start and its deadline mode
(quizapp/domain/waiting.py). Exams made before keep no waiting room (0) and
each attempt's own deadline, as they had.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exams') as batch:
        batch.add_column(sa.Column('waiting_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('deadline_mode', sa.String(length=8), nullable=False, server_default='own'))


def downgrade() -> None:
    with op.batch_alter_table('exams') as batch:
        batch.drop_column('deadline_mode')
        batch.drop_column('waiting_minutes')
