"""leaderboard walks and retention: rep_score_changes (the before-image of every change of a stored score, so a
cursor walk reads the scores as of its first page) and the indexes the sink's retention deletes walk
(crm_outcomes, brand_mentions and team_daily by time)

A trigger on rep_scores writes one row per inserted rep score (no score before: old_* null) and one per update
that changes the total or a pillar (the values before it), with the writing transaction's id, so that a reader
holding a snapshot (pg_current_snapshot()) knows which changes it did not see. The sink deletes rows older than
the cursors' validity.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 21:00:00
"""

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

PILLARS = ('brand', 'people', 'insights', 'relationships')
OLD = ('total', *PILLARS)


def upgrade() -> None:
    olds = ', '.join(f'old_{c}' for c in OLD)
    op.execute(f"""
        CREATE TABLE rep_score_changes (
            id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_rep_score_changes PRIMARY KEY,
            tenant_id uuid NOT NULL CONSTRAINT fk_rep_score_changes_tenant_id_tenants
                REFERENCES tenants (id) ON DELETE CASCADE,
            rep_id text NOT NULL,
            model_version text NOT NULL,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            changed_at timestamptz NOT NULL DEFAULT now(),
            {', '.join(f'old_{c} double precision' for c in OLD)},
            old_as_of timestamptz
        )
    """)
    op.execute("COMMENT ON TABLE rep_score_changes IS 'before-images of rep_scores changes (trigger), for "
               "leaderboard walks; kept for the cursor validity'")
    op.create_index('ix_rep_score_changes_tenant_id_model_version_xid', 'rep_score_changes',
                    ['tenant_id', 'model_version', 'xid'])
    op.create_index('ix_rep_score_changes_changed_at', 'rep_score_changes', ['changed_at'])
    op.create_index('ix_rep_score_changes_tenant_id_rep_id', 'rep_score_changes', ['tenant_id', 'rep_id'])
    values = ', '.join(f'OLD.{c}' for c in OLD)
    op.execute(f"""
        CREATE FUNCTION rep_score_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO rep_score_changes (tenant_id, rep_id, model_version)
                VALUES (NEW.tenant_id, NEW.rep_id, NEW.model_version);
            ELSE
                INSERT INTO rep_score_changes (tenant_id, rep_id, model_version, {olds}, old_as_of)
                VALUES (OLD.tenant_id, OLD.rep_id, OLD.model_version, {values}, coalesce(OLD.evaluated_at, OLD.as_of));
            END IF;
            RETURN NULL;
        END $$
    """)
    changed = ' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in OLD)
    op.execute("CREATE TRIGGER rep_scores_inserted AFTER INSERT ON rep_scores "
               "FOR EACH ROW EXECUTE FUNCTION rep_score_changed()")
    op.execute(f"CREATE TRIGGER rep_scores_updated AFTER UPDATE ON rep_scores "
               f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION rep_score_changed()")
    op.create_index('ix_crm_outcomes_event_time', 'crm_outcomes', ['event_time'])
    op.create_index('ix_brand_mentions_event_time', 'brand_mentions', ['event_time'])
    op.create_index('ix_team_daily_day', 'team_daily', ['day'])


def downgrade() -> None:
    op.drop_index('ix_team_daily_day', table_name='team_daily')
    op.drop_index('ix_brand_mentions_event_time', table_name='brand_mentions')
    op.drop_index('ix_crm_outcomes_event_time', table_name='crm_outcomes')
    op.execute("DROP TRIGGER rep_scores_updated ON rep_scores")
    op.execute("DROP TRIGGER rep_scores_inserted ON rep_scores")
    op.execute("DROP FUNCTION rep_score_changed()")
    op.drop_table('rep_score_changes')
