"""trainee custody: an enrolment's status (a pending one waits for a
supervisor) and whether it gives its cohort's instructors power over the
account; who added it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Enrolments made before this revision stay as they were: active, with custody.
    op.add_column('enrolments', sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16),
                                          server_default='active', nullable=False))
    op.add_column('enrolments', sa.Column('custody', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('enrolments', sa.Column('added_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enrolments') as batch:
        batch.drop_column('added_by')
        batch.drop_column('custody')
        batch.drop_column('status')
