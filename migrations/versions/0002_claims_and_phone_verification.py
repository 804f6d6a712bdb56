"""notification claims (claimed_by/claimed_at), phone verification codes; unverified numbers dropped

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00

Numbers stored before this revision were never verified with a one-time code, so no
알림톡 may go to them any more: they are deleted with their consent (residents get chat
updates and can say "알림톡 받기" again).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))

    op.create_table('phone_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('code_hash', sa.String(length=128), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('code_to_send', sa.String(length=6), nullable=True),
    sa.Column('send_claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_phone_verification_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_verification')),
    sa.UniqueConstraint('resident_id', name=op.f('uq_phone_verification_resident_id'))
    )
    op.execute("UPDATE resident SET phone = NULL, phone_consent_at = NULL, phone_consent_purpose = NULL "
               "WHERE phone IS NOT NULL")


def downgrade() -> None:
    op.drop_table('phone_verification')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
