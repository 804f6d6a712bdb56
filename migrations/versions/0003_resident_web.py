"""resident web page: web devices (hashed cookie tokens), resident aliases, one-time link codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.String(length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_web_devices_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_devices')),
    sa.UniqueConstraint('public_key', name=op.f('uq_web_devices_public_key'))
    )
    with op.batch_alter_table('web_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_devices_resident_id'), ['resident_id'], unique=False)

    op.create_table('resident_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('channel_user_id', sa.String(length=128), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_aliases_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_aliases')),
    sa.UniqueConstraint('channel', 'channel_user_id', name='uq_resident_aliases_channel_user')
    )
    with op.batch_alter_table('resident_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_aliases_resident_id'), ['resident_id'], unique=False)

    op.create_table('link_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_link_codes_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_codes'))
    )
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_codes_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_codes_resident_id'), ['resident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_codes_resident_id'))
        batch_op.drop_index(batch_op.f('ix_link_codes_code_hash'))
    op.drop_table('link_codes')
    with op.batch_alter_table('resident_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_aliases_resident_id'))
    op.drop_table('resident_aliases')
    with op.batch_alter_table('web_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_devices_resident_id'))
    op.drop_table('web_devices')
