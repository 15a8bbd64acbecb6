"""SMS delivery receipts on follow-up reminders (follow_up_contact.delivery, receipt_code,
receipt_at, passed_to), the worklist's note when no reminder reached a resident
(follow_up_task.unreached_note), and the due-scan's index of ended enrolments.

Revision ID: b7d41c2e9a10
Revises: 3e1142d47907
Create Date: 2026-12-06 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41c2e9a10'
down_revision = '3e1142d47907'
branch_labels = None
depends_on = None

AWAITING = "status = 'sent' AND channel = 'sms' AND delivery IS NULL"


def upgrade():
    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('receipt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('passed_to', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_follow_up_contact_awaiting_receipt', ['id'], unique=False,
                              postgresql_where=sa.text(AWAITING), sqlite_where=sa.text(AWAITING))
        batch_op.create_index('ix_follow_up_contact_vendor_ref', ['vendor_ref'], unique=False)
    with op.batch_alter_table('follow_up_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreached_note', sa.String(length=200), nullable=True))
    with op.batch_alter_table('programme_enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_programme_enrolment_ended', ['id'], unique=False,
                              postgresql_where=sa.text('ended_on IS NOT NULL'),
                              sqlite_where=sa.text('ended_on IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('programme_enrolment', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_enrolment_ended')
    with op.batch_alter_table('follow_up_task', schema=None) as batch_op:
        batch_op.drop_column('unreached_note')
    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_contact_vendor_ref')
        batch_op.drop_index('ix_follow_up_contact_awaiting_receipt')
        batch_op.drop_column('passed_to')
        batch_op.drop_column('receipt_at')
        batch_op.drop_column('receipt_code')
        batch_op.drop_column('delivery')
