"""read models: rep standings (rank counts, trend), precomputed explanations, team aggregates and daily
trend, targets

Kept by the sink's read-model refresher (services/scorer/sink/read_models.py) and read by the api in one
primary-key lookup each; targets are written by the api (PUT /v1/targets).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 17:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _keys(*extra: sa.Column) -> list:
    return [
        sa.Column('tenant_id', postgresql.UUID(as_uuid=False), sa.ForeignKey('tenants.id', ondelete='CASCADE'),
                  primary_key=True),
        *extra,
    ]


def upgrade() -> None:
    op.create_table(
        'rep_standings',
        *_keys(sa.Column('rep_id', sa.Text(), primary_key=True)),
        sa.Column('total', sa.Float(), nullable=False),
        sa.Column('team_below', sa.Integer()), sa.Column('team_size', sa.Integer()),
        sa.Column('tenant_below', sa.Integer(), nullable=False), sa.Column('tenant_size', sa.Integer(), nullable=False),
        sa.Column('industry_below', sa.Integer()), sa.Column('industry_size', sa.Integer()),
        sa.Column('industry_tenants', sa.Integer()),
        sa.Column('trend_per_day', sa.Float()),
        sa.Column('trend_days', sa.Integer(), nullable=False, server_default=sa.text('0')),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'rep_explanations',
        *_keys(sa.Column('rep_id', sa.Text(), primary_key=True)),
        sa.Column('model_version', sa.Text(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('explanation', postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        'team_stats',
        *_keys(sa.Column('team', sa.Text(), primary_key=True)),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('scored', sa.Integer(), nullable=False),
        sa.Column('stats', postgresql.JSONB(), nullable=False),
        sa.Column('totals', postgresql.ARRAY(sa.Float()), nullable=False),
        sa.Column('trend_per_day', sa.Float()),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'team_daily',
        *_keys(sa.Column('team', sa.Text(), primary_key=True), sa.Column('day', sa.Date(), primary_key=True)),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('stats', postgresql.JSONB(), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'targets',
        *_keys(sa.Column('team', sa.Text(), primary_key=True)),
        sa.Column('milestones', postgresql.JSONB(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    for table in ('targets', 'team_daily', 'team_stats', 'rep_explanations', 'rep_standings'):
        op.drop_table(table)
