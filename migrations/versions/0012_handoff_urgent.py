"""handoff_request.urgent_at: the resident wrote urgent words (119/112, a crisis line) while
waiting for an officer; the console lists such requests first

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoff_request', schema=None) as batch_op:
        batch_op.drop_column('urgent_at')
