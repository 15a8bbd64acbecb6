"""Critical values messaged to clinicians on WeCom (企业微信): the outbox and staff accounts.

Revision ID: 5f5a9aa16558
Revises: 0de927658173
Create Date: 2026-12-05 21:34:02.291049

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f5a9aa16558'
down_revision = '0de927658173'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clinician_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('critical_alert_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['critical_alert_id'], ['critical_alert.id'], name=op.f('fk_clinician_message_critical_alert_id_critical_alert')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_clinician_message_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinician_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_clinician_message_dedupe_key')),
    sa.UniqueConstraint('external_id', name=op.f('uq_clinician_message_external_id'))
    )
    with op.batch_alter_table('clinician_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinician_message_critical_alert_id'), ['critical_alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinician_message_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinician_message_status'), ['status'], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wecom_userid', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('wecom_userid')

    with op.batch_alter_table('clinician_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinician_message_status'))
        batch_op.drop_index(batch_op.f('ix_clinician_message_staff_id'))
        batch_op.drop_index(batch_op.f('ix_clinician_message_critical_alert_id'))

    op.drop_table('clinician_message')
