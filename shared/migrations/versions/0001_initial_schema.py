"""initial schema: tenants, api keys, scores, daily history

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 17:38:03.292198
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tenants',
    sa.Column('id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('name', name=op.f('uq_tenants_name'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False, comment='sha256 hex of the whole key'),
    sa.Column('prefix', sa.String(length=16), nullable=False, comment='first characters, to recognise a key in listings'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_keys_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_index(op.f('ix_api_keys_tenant_id'), 'api_keys', ['tenant_id'], unique=False)
    op.create_table('rep_score_daily',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('rep_id', sa.Text(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False, comment='UTC day of the snapshot'),
    sa.Column('brand', sa.Float(), nullable=False),
    sa.Column('people', sa.Float(), nullable=False),
    sa.Column('insights', sa.Float(), nullable=False),
    sa.Column('relationships', sa.Float(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('state', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='decayed pillar values at state.anchor, see shared.scoring'),
    sa.Column('model_version', sa.Text(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False, comment='when the scorer produced this snapshot'),
    sa.Column('seq', sa.BigInteger(), nullable=False, comment='input offset of the last event in the snapshot'),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rep_score_daily_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'rep_id', 'day', name=op.f('pk_rep_score_daily'))
    )
    op.create_table('rep_scores',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('rep_id', sa.Text(), nullable=False),
    sa.Column('brand', sa.Float(), nullable=False),
    sa.Column('people', sa.Float(), nullable=False),
    sa.Column('insights', sa.Float(), nullable=False),
    sa.Column('relationships', sa.Float(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('state', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='decayed pillar values at state.anchor, see shared.scoring'),
    sa.Column('model_version', sa.Text(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False, comment='when the scorer produced this snapshot'),
    sa.Column('seq', sa.BigInteger(), nullable=False, comment='input offset of the last event in the snapshot'),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rep_scores_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'rep_id', name=op.f('pk_rep_scores'))
    )


def downgrade() -> None:
    op.drop_table('rep_scores')
    op.drop_table('rep_score_daily')
    op.drop_index(op.f('ix_api_keys_tenant_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_table('tenants')
