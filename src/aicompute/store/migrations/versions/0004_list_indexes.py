"""Indexes for the records list: by domain (the commonest filter) and in list order (year,
name, id), so a filtered page reads its rows without scanning every stored record.

Measured with bench/web.py's list read (/api/records?domain=Games, 50 clients): without them
SQLite steps through every row's JSON for each request.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_index("ix_records_domain", "records", ["domain"])
    op.create_index("ix_records_order", "records", ["year", "name", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_order", table_name="records")
    op.drop_index("ix_records_domain", table_name="records")
