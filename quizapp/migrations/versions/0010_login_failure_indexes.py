"""partial indexes of failed logins for the login throttle

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 20:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = ("username", "address")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(f"ix_login_failures_{column}", "login_attempts", [column, "at"], unique=False,
                        postgresql_where=sa.text("NOT succeeded"), sqlite_where=sa.text("succeeded = 0"))


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_login_failures_{column}", table_name="login_attempts")
