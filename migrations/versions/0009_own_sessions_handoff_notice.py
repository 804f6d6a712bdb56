"""staff_session.ip/user_agent (an officer's own sessions page); handoff_message sender 'system'
(the notice a resident gets when an unanswered request becomes a callback ticket at closing)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _sender_check(values: str) -> None:
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_handoff_message_sender_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_handoff_message_sender_known'), f"sender IN ({values})")


def upgrade() -> None:
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=200), nullable=True))
    _sender_check("'officer', 'resident', 'system'")


def downgrade() -> None:
    op.execute("DELETE FROM handoff_message WHERE sender = 'system'")
    _sender_check("'officer', 'resident'")
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_column('user_agent')
        batch_op.drop_column('ip')
