"""read_model_writes: which tenants' leaderboard inputs a transaction changed, so the api can keep a page it
rendered until one of them changes (services.api.reading.page_cache)

A statement-level trigger on each table a leaderboard page is made of (rep_scores, reps, rep_standings,
targets) writes one row per tenant the statement touched, with the writing transaction's id. A reader holding
the Postgres snapshot a page was read at (pg_current_snapshot()) asks whether a row exists for its tenant that
the snapshot does not see: if none, the page is still what a fresh read would give. No foreign key: a tenant's
deletion writes rows here too. The sink deletes rows older than SSI_SINK_WALK_LOG_SECONDS.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 00:10:00
"""

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = ('rep_scores', 'reps', 'rep_standings', 'targets')


def upgrade() -> None:
    op.execute("""
        CREATE TABLE read_model_writes (
            id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_read_model_writes PRIMARY KEY,
            tenant_id uuid NOT NULL,
            xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            written_at timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("COMMENT ON TABLE read_model_writes IS 'tenants whose leaderboard inputs a transaction changed "
               "(statement triggers), for the api''s page cache; kept for SSI_SINK_WALK_LOG_SECONDS'")
    op.create_index('ix_read_model_writes_tenant_id_xid', 'read_model_writes', ['tenant_id', 'xid'])
    op.create_index('ix_read_model_writes_written_at', 'read_model_writes', ['written_at'])
    # one function for every table and operation: the transition table is called "touched" in each trigger
    op.execute("""
        CREATE FUNCTION read_model_written() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO read_model_writes (tenant_id) SELECT DISTINCT tenant_id FROM touched ORDER BY 1;
            RETURN NULL;
        END $$
    """)
    for table in TABLES:  # a trigger with a transition table takes one event
        for event, image in (('INSERT', 'NEW'), ('UPDATE', 'NEW'), ('DELETE', 'OLD')):
            op.execute(f"CREATE TRIGGER {table}_{event.lower()}_written AFTER {event} ON {table} "
                       f"REFERENCING {image} TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION read_model_written()")


def downgrade() -> None:
    for table in TABLES:
        for event in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER {table}_{event}_written ON {table}")
    op.execute("DROP FUNCTION read_model_written()")
    op.drop_table('read_model_writes')
