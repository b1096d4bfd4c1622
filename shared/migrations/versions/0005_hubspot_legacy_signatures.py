"""webhook endpoints: HubSpot legacy (v1/v2) signatures only where the operator allows them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('webhook_endpoints', sa.Column(
        'allow_legacy_signatures', sa.Boolean(), server_default=sa.text('false'), nullable=False,
        comment='HubSpot: accept v1/v2 signatures (no timestamp) when no v3 is sent'))


def downgrade() -> None:
    op.drop_column('webhook_endpoints', 'allow_legacy_signatures')
