"""leaderboard indexes: one (tenant_id, column, rep_id) index per sortable score column of rep_scores

The leaderboard (GET /v1/reps) walks a tenant's scores in the order of the total or of one pillar, ties broken
by rep_id, with a keyset condition ``(column, rep_id) < (value, rep_id)``: each index serves one sort, in either
direction, without a sort step. The (tenant_id, total, rep_id) index replaces ix_rep_scores_tenant_total,
which it covers for the rank counts too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 16:35:00
"""

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SORTED = ("total", "brand", "people", "insights", "relationships")


def upgrade() -> None:
    for column in SORTED:
        op.create_index(f'ix_rep_scores_tenant_id_{column}_rep_id', 'rep_scores', ['tenant_id', column, 'rep_id'])
    op.drop_index('ix_rep_scores_tenant_total', table_name='rep_scores')


def downgrade() -> None:
    op.create_index('ix_rep_scores_tenant_total', 'rep_scores', ['tenant_id', 'total'])
    for column in SORTED:
        op.drop_index(f'ix_rep_scores_tenant_id_{column}_rep_id', table_name='rep_scores')
