"""answers: the server's version of each saved answer (attempt_answers.seq)

Until now the page numbered its saves by its own clock (microseconds, up to
2**62 accepted), and the newest number won. From now on the server counts the
saves it keeps of each question: 1 for the first, one more for each later
one, and the page sends back the version it showed (exams.write_answers). A
stored clock reading is replaced by 1, the version of an answer saved once:
the page holds numbers exactly only up to 2**53. 0 (answers saved before
0008) stays 0.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:45:00
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE attempt_answers SET seq = 1 WHERE seq > 1")


def downgrade() -> None:
    # Nothing to undo: 0 and 1 are numbers the earlier releases order below any page's clock.
    pass
