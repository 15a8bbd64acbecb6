"""Keyed audit chain, per-organization audit entries, no staff account lock.

`key_id` names the HMAC-SM3 key of each new entry (rows written before stay NULL: the unkeyed
SM3 prefix of the chain); `organization_id` scopes the audit log to a hospital's admins.
Adding columns fires no row trigger, so the append-only triggers stay as they are.
`staff_user.locked_until` goes: a failing address now waits (counted in Redis), the account
itself never locks.

Revision ID: 5e0c4a1d9b27
Revises: d4c9c9cd9454
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = '5e0c4a1d9b27'
down_revision = 'd4c9c9cd9454'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_entry', sa.Column('key_id', sa.String(length=32), nullable=True))
    op.add_column('audit_entry', sa.Column('organization_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_entry_organization_id', 'audit_entry', ['organization_id'])
    op.drop_column('staff_user', 'locked_until')


def downgrade():
    op.add_column('staff_user', sa.Column('locked_until', sa.DateTime(timezone=True),
                                          nullable=True))
    op.drop_index('ix_audit_entry_organization_id', table_name='audit_entry')
    # Plain DROP COLUMN (SQLite >= 3.35 too): a batch table rebuild would lose the triggers.
    op.drop_column('audit_entry', 'organization_id')
    op.drop_column('audit_entry', 'key_id')
