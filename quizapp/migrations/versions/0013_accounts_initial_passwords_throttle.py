"""accounts: no initial password kept in plain text (roster_uploads.credentials
dropped); when each password was set (an initial one expires 14 days after),
the hash of the previous one, when a login throttle was lifted; the key that
signs the known-device cookie

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 12:45:00
"""
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): no rebuild of the users table on SQLite.
    op.add_column('users', sa.Column('password_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('users', sa.Column('previous_password_hash', sqlmodel.sql.sqltypes.AutoString(length=256),
                                     nullable=True))
    op.add_column('users', sa.Column('throttle_cleared_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # When the passwords of existing accounts were set is not known: count from the
    # upgrade, so an initial password still unused gets its 14 days from now.
    users = sa.table('users', sa.column('password_changed_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    op.execute(users.update().values(password_changed_at=datetime.now(timezone.utc)))

    # The initial passwords of every import were kept in plain text, even after the
    # trainees had changed them: gone, with the column (an import now answers with
    # its workbook, once).
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_column('credentials')

    keys = op.create_table(
        'signing_keys',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'))
    op.bulk_insert(keys, [{"name": "device", "key": secrets.token_hex(32), "created_at": datetime.now(timezone.utc)}])


def downgrade() -> None:
    op.drop_table('signing_keys')
    # The plain-text initial passwords are not brought back: old rows read an empty list.
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials', sa.JSON(), nullable=False, server_default='[]'))
    for column in ('throttle_cleared_at', 'previous_password_hash', 'password_changed_at'):
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.drop_column(column)
