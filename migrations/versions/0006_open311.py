"""open311: API keys of the clients that file service requests (hashed at rest)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'open311_api_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client', sa.String(length=60), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('key_prefix', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_api_key')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_open311_api_key_key_hash')),
    )
    with op.batch_alter_table('open311_api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open311_api_key_client'), ['client'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('open311_api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open311_api_key_client'))
    op.drop_table('open311_api_key')
