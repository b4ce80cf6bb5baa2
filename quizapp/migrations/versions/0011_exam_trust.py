"""exam trust: exam-only questions, certifying exams, the focus grace period,
integrity events with their duration and whether they count, exam mistakes
entered into the mistake book only when the exam's review shows them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN with constant defaults: no table rebuild on SQLite.
    op.add_column('questions', sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='practice', nullable=False))
    op.add_column('exams', sa.Column('certifying', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('exams', sa.Column('focus_grace_seconds', sa.Integer(), server_default='3', nullable=False))
    op.add_column('integrity_events', sa.Column('duration_ms', sa.Integer(), nullable=True))
    op.add_column('integrity_events', sa.Column('counted', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('attempts', sa.Column('mistakes_recorded', sa.Boolean(), server_default='0', nullable=False))
    # Attempts graded before this revision put their mistakes in the book at grading.
    op.execute("UPDATE attempts SET mistakes_recorded = (status = 'graded')")
    # Blur events counted against the limit before; they stay counted in the old attempts' logs.
    op.execute("UPDATE integrity_events SET counted = (kind = 'blur')")


def downgrade() -> None:
    for table, column in (('attempts', 'mistakes_recorded'), ('integrity_events', 'counted'),
                          ('integrity_events', 'duration_ms'), ('exams', 'focus_grace_seconds'),
                          ('exams', 'certifying'), ('questions', 'pool')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
