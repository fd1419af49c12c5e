"""Soft deletes: a deleted record keeps its row (and so its last version) until restored.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM records WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("deleted_at")
