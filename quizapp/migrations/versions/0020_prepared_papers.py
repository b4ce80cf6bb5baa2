"""prepared papers: the exam page of an attempt in its waiting room, rendered and
gzipped while the candidate waits, sent as it is at the start second
(quizapp/prepared_paper.py).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'prepared_papers',
        sa.Column('attempt_id', sa.Integer(), sa.ForeignKey('attempts.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('session_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('page', sa.LargeBinary(), nullable=False),
        sa.Column('prepared_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('prepared_papers')
