"""rep directory, scored-event ledger, evaluated_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:11:56.090348
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reps',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('rep_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('team', sa.Text(), nullable=True),
    sa.Column('industry', sa.Text(), nullable=True, comment='lower-cased, so that cohorts across tenants meet'),
    sa.Column('identities', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False, comment='platform -> platform user id'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reps_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'rep_id', name=op.f('pk_reps'))
    )
    op.create_index('ix_reps_industry', 'reps', ['industry'], unique=False)
    op.create_index('ix_reps_tenant_team', 'reps', ['tenant_id', 'team'], unique=False)
    op.create_table('scored_events',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.Column('rep_id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('pillar', sa.Text(), nullable=False),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False, comment='UTC day of the event, days since the epoch'),
    sa.Column('quality', sa.Float(), nullable=False),
    sa.Column('decayed', sa.Float(), nullable=False, comment='quality * 2^((event_time - day start) / half-life)'),
    sa.Column('model_version', sa.Text(), nullable=False, comment='a new model version re-scores every event'),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_scored_events_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'source', 'event_id', 'model_version', name=op.f('pk_scored_events')),
    comment='every scored event once (the ledger behind explanations and point-in-time reads)'
    )
    op.create_index('ix_scored_events_rep_time', 'scored_events', ['tenant_id', 'rep_id', 'event_time'], unique=False)
    op.add_column('rep_scores', sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True, comment='when total and pillars were last re-read with decay'))
    op.create_index('ix_rep_scores_tenant_total', 'rep_scores', ['tenant_id', 'total'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rep_scores_tenant_total', table_name='rep_scores')
    op.drop_column('rep_scores', 'evaluated_at')
    op.drop_index('ix_scored_events_rep_time', table_name='scored_events')
    op.drop_table('scored_events')
    op.drop_index('ix_reps_tenant_team', table_name='reps')
    op.drop_index('ix_reps_industry', table_name='reps')
    op.drop_table('reps')
