"""the grader's queue: a partial index on the attempts handed in and not yet
scored (status 'grading'), which each worker's grader takes oldest first
(quizapp/grader.py, exams.grade_handed_in).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_attempts_grading', 'attempts', ['id'], unique=False,
                    sqlite_where=sa.text("status = 'grading'"), postgresql_where=sa.text("status = 'grading'"))


def downgrade() -> None:
    op.drop_index('ix_attempts_grading', table_name='attempts')
