"""the bank's last change: an index on questions.updated_at, so that each new
paper's draw asks when the bank last changed in one lookup and otherwise uses
the rows its worker keeps (quizapp/draw_pool.py).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 07:30:00
"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_questions_updated_at', 'questions', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_questions_updated_at', table_name='questions')
