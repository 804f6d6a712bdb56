"""studio_change and studio_review: what staff taught the bot in the studio, and which inbox
messages they dealt with (issue 12)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'studio_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('needs_training', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('reverts_id', sa.Integer(), nullable=True),
        sa.Column('reverted_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('release_ref', sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ['reverted_by_id'], ['studio_change.id'], name=op.f('fk_studio_change_reverted_by_id_studio_change')
        ),
        sa.ForeignKeyConstraint(
            ['reverts_id'], ['studio_change.id'], name=op.f('fk_studio_change_reverts_id_studio_change')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_change')),
    )
    with op.batch_alter_table('studio_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_change_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_change_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_studio_change_published_at'), ['published_at'], unique=False)
    op.create_table(
        'studio_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=12), nullable=False),
        sa.Column('change_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_by', sa.String(length=40), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('taught', 'dismissed')", name=op.f('ck_studio_review_decision_known')),
        sa.ForeignKeyConstraint(
            ['change_id'], ['studio_change.id'], name=op.f('fk_studio_review_change_id_studio_change')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_review')),
        sa.UniqueConstraint('event_id', name=op.f('uq_studio_review_event_id')),
    )


def downgrade() -> None:
    op.drop_table('studio_review')
    with op.batch_alter_table('studio_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_change_published_at'))
        batch_op.drop_index(batch_op.f('ix_studio_change_kind'))
        batch_op.drop_index(batch_op.f('ix_studio_change_created_at'))
    op.drop_table('studio_change')
