"""Review and authors: a record is reviewed or not; every change records who made it.

Records already stored (the seed, and edits made before this revision) count as reviewed;
their history rows have no author.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(
            sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("author", sa.String(200), nullable=True))
    # review actions are 6 letters; the action column (10) already fits them


def downgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.drop_column("author")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("reviewed")
