"""staff console: staff accounts, sessions, per-officer API tokens, audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('display_name', sa.String(length=60), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('officer_id', sa.Integer(), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('session_nonce', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'officer', 'trainer')", name=op.f('ck_staff_account_role_known')),
        sa.ForeignKeyConstraint(
            ['department_id'], ['department.id'], name=op.f('fk_staff_account_department_id_department')
        ),
        sa.ForeignKeyConstraint(['officer_id'], ['officer.id'], name=op.f('fk_staff_account_officer_id_officer')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_account')),
        sa.UniqueConstraint('username', name=op.f('uq_staff_account_username')),
    )
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_account_department_id'), ['department_id'], unique=False)

    op.create_table(
        'staff_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['account_id'], ['staff_account.id'], name=op.f('fk_staff_session_account_id_staff_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash')),
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_account_id'), ['account_id'], unique=False)

    op.create_table(
        'staff_api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['account_id'], ['staff_account.id'], name=op.f('fk_staff_api_token_account_id_staff_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_api_token_token_hash')),
    )
    with op.batch_alter_table('staff_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_api_token_account_id'), ['account_id'], unique=False)

    op.create_table(
        'staff_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=100), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ['account_id'], ['staff_account.id'], name=op.f('fk_staff_audit_account_id_staff_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_audit')),
    )
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_audit_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_audit_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_audit_at'))
        batch_op.drop_index(batch_op.f('ix_staff_audit_account_id'))
    op.drop_table('staff_audit')
    with op.batch_alter_table('staff_api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_api_token_account_id'))
    op.drop_table('staff_api_token')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_account_id'))
    op.drop_table('staff_session')
    with op.batch_alter_table('staff_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_account_department_id'))
    op.drop_table('staff_account')
