"""erased reps: the permanent registry of reps erased under GDPR article 17; an index for the daily history's retention

One row per (tenant, rep) ever erased. ``erased`` is true while the erasure stands (``ssi rep unerase``
clears it); ``erased_at`` stays: events received before it are never scored again, whatever replays them.
``change_id`` comes from a sequence and moves on every change, so the scorer reads only what changed.
``identities`` keeps the platform identities the rep had, so that later webhook events of the erased person
are still recognised (and dead-lettered) and ``unerase`` can release them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 17:45:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE erased_reps_change_seq")
    op.create_table(
        'erased_reps',
        sa.Column('tenant_id', UUID(as_uuid=False), sa.ForeignKey('tenants.id', ondelete='CASCADE'), nullable=False),
        sa.Column('rep_id', sa.Text(), nullable=False),
        sa.Column('erased', sa.Boolean(), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('identities', JSONB(), nullable=False, server_default='{}'),
        sa.Column('change_id', sa.BigInteger(), nullable=False,
                  server_default=sa.text("nextval('erased_reps_change_seq')")),
        sa.PrimaryKeyConstraint('tenant_id', 'rep_id', name='pk_erased_reps'),
        comment="reps erased (GDPR art. 17): consulted by every scorer version, the sink and every replay",
    )
    op.create_index('ix_erased_reps_change_id', 'erased_reps', ['change_id'], unique=True)
    # the daily history's retention deletes by day (services/scorer/sink, SSI_SINK_HISTORY_RETENTION_DAYS)
    op.create_index('ix_rep_score_daily_day', 'rep_score_daily', ['day'])


def downgrade() -> None:
    op.drop_index('ix_rep_score_daily_day', table_name='rep_score_daily')
    op.drop_index('ix_erased_reps_change_id', table_name='erased_reps')
    op.drop_table('erased_reps')
    op.execute("DROP SEQUENCE erased_reps_change_seq")
