"""handoff: the live handoff queue (requests waiting → claimed → closed, callback tickets) and officer lines

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handoff_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=200), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('resident_ref', sa.String(length=200), nullable=False),
        sa.Column('department_code', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('callback', sa.Boolean(), nullable=False),
        sa.Column('claimed_by', sa.Integer(), nullable=True),
        sa.Column('claimed_by_name', sa.String(length=60), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'claimed', 'closed')", name=op.f('ck_handoff_request_state_known')),
        sa.ForeignKeyConstraint(['claimed_by'], ['staff_account.id'], name=op.f('fk_handoff_request_claimed_by_staff_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_request')),
    )
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_request_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_request_department_code'), ['department_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_request_state'), ['state'], unique=False)

    op.create_table(
        'handoff_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=200), nullable=False),
        sa.Column('sender', sa.String(length=16), nullable=False),
        sa.Column('author', sa.String(length=60), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("sender IN ('officer', 'resident')", name=op.f('ck_handoff_message_sender_known')),
        sa.ForeignKeyConstraint(['request_id'], ['handoff_request.id'], name=op.f('fk_handoff_message_request_id_handoff_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_message')),
    )
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_message_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_message_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_message_request_id'))
        batch_op.drop_index(batch_op.f('ix_handoff_message_conversation_id'))
    op.drop_table('handoff_message')
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_request_state'))
        batch_op.drop_index(batch_op.f('ix_handoff_request_department_code'))
        batch_op.drop_index(batch_op.f('ix_handoff_request_conversation_id'))
    op.drop_table('handoff_request')
