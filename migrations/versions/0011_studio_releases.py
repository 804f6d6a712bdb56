"""studio_training and studio_release: the studio's trainings (validate, train, evaluate) and
every change of the model Rasa serves (publish, rollback, the baseline before the first publish)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'studio_training',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('model_file', sa.String(length=255), nullable=True),
        sa.Column('model_sha256', sa.String(length=64), nullable=True),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'refused', 'failed')",
            name=op.f('ck_studio_training_status_known'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_training')),
    )
    with op.batch_alter_table('studio_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_training_status'), ['status'], unique=False)
    op.create_table(
        'studio_release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=True),
        sa.Column('model_file', sa.String(length=255), nullable=False),
        sa.Column('model_sha256', sa.String(length=64), nullable=False),
        sa.Column('base_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "kind IN ('baseline', 'publish', 'rollback')", name=op.f('ck_studio_release_kind_known')
        ),
        sa.ForeignKeyConstraint(['base_id'], ['studio_release.id'], name=op.f('fk_studio_release_base_id_studio_release')),
        sa.ForeignKeyConstraint(
            ['training_id'], ['studio_training.id'], name=op.f('fk_studio_release_training_id_studio_training')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_release')),
        sa.UniqueConstraint('seq', name=op.f('uq_studio_release_seq')),
    )


def downgrade() -> None:
    op.drop_table('studio_release')
    with op.batch_alter_table('studio_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_training_status'))
    op.drop_table('studio_training')
