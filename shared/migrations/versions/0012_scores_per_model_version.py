"""scores per model version: rep_scores and rep_score_daily keep one row per (rep, model version), so two
versions' scores can be read side by side during a switch (GET /v1/reps/{id}/score?model=ssi-v2) instead of the
new version's snapshots overwriting the old one's rows. The leaderboard indexes gain the version after the
tenant: reads of the active version walk them as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 17:50:00
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SORTED = ("total", "brand", "people", "insights", "relationships")


def upgrade() -> None:
    op.drop_constraint('pk_rep_scores', 'rep_scores', type_='primary')
    op.create_primary_key('pk_rep_scores', 'rep_scores', ['tenant_id', 'rep_id', 'model_version'])
    op.drop_constraint('pk_rep_score_daily', 'rep_score_daily', type_='primary')
    op.create_primary_key('pk_rep_score_daily', 'rep_score_daily', ['tenant_id', 'rep_id', 'model_version', 'day'])
    for column in SORTED:
        op.drop_index(f'ix_rep_scores_tenant_id_{column}_rep_id', table_name='rep_scores')
        op.create_index(f'ix_rep_scores_tenant_id_model_version_{column}_rep_id', 'rep_scores',
                        ['tenant_id', 'model_version', column, 'rep_id'])


def downgrade() -> None:
    # keeps each rep's newest row (any version), as the single-version table did
    op.execute("DELETE FROM rep_scores a USING rep_scores b WHERE a.tenant_id = b.tenant_id "
               "AND a.rep_id = b.rep_id AND a.as_of < b.as_of")
    op.execute("DELETE FROM rep_score_daily a USING rep_score_daily b WHERE a.tenant_id = b.tenant_id "
               "AND a.rep_id = b.rep_id AND a.day = b.day AND a.as_of < b.as_of")
    for column in SORTED:
        op.drop_index(f'ix_rep_scores_tenant_id_model_version_{column}_rep_id', table_name='rep_scores')
        op.create_index(f'ix_rep_scores_tenant_id_{column}_rep_id', 'rep_scores', ['tenant_id', column, 'rep_id'])
    op.drop_constraint('pk_rep_score_daily', 'rep_score_daily', type_='primary')
    op.create_primary_key('pk_rep_score_daily', 'rep_score_daily', ['tenant_id', 'rep_id', 'day'])
    op.drop_constraint('pk_rep_scores', 'rep_scores', type_='primary')
    op.create_primary_key('pk_rep_scores', 'rep_scores', ['tenant_id', 'rep_id'])
