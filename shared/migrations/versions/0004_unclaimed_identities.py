"""unclaimed identities

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:28:26.866098
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unclaimed_identities',
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('platform', sa.Text(), nullable=False),
    sa.Column('identity', sa.Text(), nullable=False),
    sa.Column('parked', sa.Integer(), nullable=False, comment='events waiting for a rep to claim this identity'),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=False, comment='when the latest one arrived'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_unclaimed_identities_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'platform', 'identity', name=op.f('pk_unclaimed_identities')),
    comment='platform identities with parked webhook events; a row goes once a rep claims the identity'
    )


def downgrade() -> None:
    op.drop_table('unclaimed_identities')
