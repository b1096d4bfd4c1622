"""outcomes and mentions: crm_outcomes, brand_mentions, tenant_brands

CRM outcomes (deal.won, deal.lost, opportunity.created, quota.set) and brand mentions (mention.received) are
stored by the sink from ssi.outcomes.v1, once each by (tenant, source, event id); tenant_brands holds what
PUT /v1/brands declares.

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-26 17:40:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def _keys(table: str) -> list:
    return [
        sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('event_id', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', 'source', 'event_id', name=op.f(f'pk_{table}')),
    ]


def upgrade() -> None:
    op.create_table('crm_outcomes',
    *_keys('crm_outcomes'),
    sa.Column('rep_id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False, comment='opportunity.created, deal.won, deal.lost or quota.set'),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amount', sa.Float(), nullable=True),
    sa.Column('currency', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True, comment='quota.set: first day of data.period'),
    sa.Column('period_end', sa.Date(), nullable=True, comment='quota.set: last day of data.period (included)'),
    sa.Column('stored_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    comment='CRM outcomes, once each by (tenant, source, event id), for validation against quota attainment'
    )
    op.create_index('ix_crm_outcomes_tenant_id_type_event_time', 'crm_outcomes', ['tenant_id', 'type', 'event_time'])
    op.create_index('ix_crm_outcomes_tenant_id_rep_id', 'crm_outcomes', ['tenant_id', 'rep_id'])
    op.create_table('brand_mentions',
    *_keys('brand_mentions'),
    sa.Column('rep_id', sa.Text(), nullable=False, comment='the event\'s subject (a rep or the listening account)'),
    sa.Column('brand', sa.Text(), nullable=False, comment='as sent; matched to declared brands case-insensitively'),
    sa.Column('reach', sa.Float(), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=True, comment='-1 (negative) to 1 (positive), when sent'),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    comment='mention.received events, once each by (tenant, source, event id), for share of voice'
    )
    op.create_index('ix_brand_mentions_tenant_id_event_time', 'brand_mentions', ['tenant_id', 'event_time'])
    op.create_index('ix_brand_mentions_tenant_id_rep_id', 'brand_mentions', ['tenant_id', 'rep_id'])
    op.create_table('tenant_brands',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('own', sa.Text(), nullable=False),
    sa.Column('competitors', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_brands_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_tenant_brands')),
    comment='the tenant\'s own brand and its declared competitors (PUT /v1/brands)'
    )


def downgrade() -> None:
    op.drop_table('tenant_brands')
    op.drop_index('ix_brand_mentions_tenant_id_rep_id', table_name='brand_mentions')
    op.drop_index('ix_brand_mentions_tenant_id_event_time', table_name='brand_mentions')
    op.drop_table('brand_mentions')
    op.drop_index('ix_crm_outcomes_tenant_id_rep_id', table_name='crm_outcomes')
    op.drop_index('ix_crm_outcomes_tenant_id_type_event_time', table_name='crm_outcomes')
    op.drop_table('crm_outcomes')
