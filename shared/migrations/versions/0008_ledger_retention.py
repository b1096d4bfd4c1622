"""ledger retention: an index on scored_events.event_time, so the sink's batched delete of rows older than
SSI_SINK_LEDGER_RETENTION_DAYS finds them without scanning the table

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 16:40:00
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # concurrently: a ledger that is already large keeps taking the sink's inserts while the index builds
    with op.get_context().autocommit_block():
        op.create_index('ix_scored_events_event_time', 'scored_events', ['event_time'],
                        postgresql_concurrently=True, if_not_exists=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index('ix_scored_events_event_time', table_name='scored_events', postgresql_concurrently=True,
                      if_exists=True)
