"""resident page: favourites, preferences (recommendations on/off), recent page taps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_favourites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_favourites_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_favourites')),
    sa.UniqueConstraint('resident_id', 'service_id', name='uq_resident_favourites_resident_service')
    )
    with op.batch_alter_table('resident_favourites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_favourites_resident_id'), ['resident_id'], unique=False)

    op.create_table('resident_prefs',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('recommendations_on', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_prefs_resident_id_resident')),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_resident_prefs'))
    )

    op.create_table('resident_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_activity_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_activity')),
    sa.UniqueConstraint('resident_id', 'service_id', name='uq_resident_activity_resident_service')
    )
    with op.batch_alter_table('resident_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_activity_resident_id'), ['resident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resident_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_activity_resident_id'))
    op.drop_table('resident_activity')
    op.drop_table('resident_prefs')
    with op.batch_alter_table('resident_favourites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_favourites_resident_id'))
    op.drop_table('resident_favourites')
