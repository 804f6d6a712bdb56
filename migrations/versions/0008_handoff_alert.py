"""handoff_alert: the 알림톡 telling a KakaoTalk resident that an officer wrote

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handoff_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('template_code', sa.String(length=60), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('provider_request_id', sa.String(length=120), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('idempotency_key', sa.String(length=100), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['handoff_request.id'], name=op.f('fk_handoff_alert_request_id_handoff_request')),
        sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_handoff_alert_resident_id_resident')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_alert')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_handoff_alert_idempotency_key')),
    )
    with op.batch_alter_table('handoff_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_alert_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_alert_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoff_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_alert_status'))
        batch_op.drop_index(batch_op.f('ix_handoff_alert_request_id'))
    op.drop_table('handoff_alert')
