"""webhook endpoints: an optional allow-list of source networks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 15:10:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('webhook_endpoints', sa.Column(
        'source_networks', postgresql.ARRAY(sa.Text()), nullable=True,
        comment='CIDR networks deliveries must come from (the client address, see SSI_INGEST_TRUSTED_PROXIES)'))


def downgrade() -> None:
    op.drop_column('webhook_endpoints', 'source_networks')
