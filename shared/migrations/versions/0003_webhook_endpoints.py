"""webhook endpoints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:23:30.119361
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Text(), nullable=False, comment="unguessable: the URL's last segment identifies the tenant"),
    sa.Column('tenant_id', sa.UUID(as_uuid=False), nullable=False),
    sa.Column('provider', sa.Text(), nullable=False),
    sa.Column('secret_sealed', sa.LargeBinary(), nullable=False, comment='encrypted with SSI_SECRET_KEY'),
    sa.Column('verify_token_sealed', sa.LargeBinary(), nullable=True, comment="Meta's hub.verify_token, encrypted"),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_webhook_endpoints_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index(op.f('ix_webhook_endpoints_tenant_id'), 'webhook_endpoints', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_webhook_endpoints_tenant_id'), table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
