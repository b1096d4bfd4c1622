"""key and endpoint lifecycle: named keys with a last-used time; a rotated webhook secret's overlap

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 15:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('api_keys', sa.Column('name', sa.Text(), nullable=True, comment='what the key is for'))
    op.add_column('api_keys', sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True,
                                        comment='when a request last used it (to the minute)'))
    op.add_column('webhook_endpoints', sa.Column('previous_secret_sealed', sa.LargeBinary(), nullable=True,
                                                 comment='the secret before the last rotation, encrypted'))
    op.add_column('webhook_endpoints', sa.Column('previous_secret_until', sa.DateTime(timezone=True), nullable=True,
                                                 comment='the previous secret is accepted until then'))


def downgrade() -> None:
    op.drop_column('webhook_endpoints', 'previous_secret_until')
    op.drop_column('webhook_endpoints', 'previous_secret_sealed')
    op.drop_column('api_keys', 'last_used_at')
    op.drop_column('api_keys', 'name')
