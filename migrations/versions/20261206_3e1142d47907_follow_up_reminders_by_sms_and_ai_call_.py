"""Follow-up reminders by SMS and AI phone call (follow_up_contact) and residents' consent to
them, the between-visit questionnaire (follow_up_questionnaire), and home device readings kept
once (vital_reading.device_reading_id).

Revision ID: 3e1142d47907
Revises: 8c1d2e3f4a5b
Create Date: 2026-12-06 01:11:22.846997

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e1142d47907'
down_revision = '8c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_up_questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('edition', sa.String(length=80), nullable=False),
    sa.Column('programmes', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('readings', sa.JSON(), nullable=False),
    sa.Column('provisional', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_follow_up_questionnaire_account_id_account')),
    sa.ForeignKeyConstraint(['record_id'], ['follow_up_record.id'], name=op.f('fk_follow_up_questionnaire_record_id_follow_up_record')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_follow_up_questionnaire_resident_id_resident')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['staff_user.id'], name=op.f('fk_follow_up_questionnaire_reviewed_by_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_questionnaire')),
    sa.UniqueConstraint('external_id', name=op.f('uq_follow_up_questionnaire_external_id'))
    )
    with op.batch_alter_table('follow_up_questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_questionnaire_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_follow_up_questionnaire_submitted', ['resident_id'], unique=False, postgresql_where=sa.text("status = 'submitted'"), sqlite_where=sa.text("status = 'submitted'"))

    op.create_table('follow_up_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('vendor_ref', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_follow_up_contact_resident_id_resident')),
    sa.ForeignKeyConstraint(['task_id'], ['follow_up_task.id'], name=op.f('fk_follow_up_contact_task_id_follow_up_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_contact')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_follow_up_contact_dedupe_key')),
    sa.UniqueConstraint('external_id', name=op.f('uq_follow_up_contact_external_id'))
    )
    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_contact_pending', ['channel', 'id'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index(batch_op.f('ix_follow_up_contact_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_contact_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('vital_reading', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_reading_id', sa.String(length=160), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_vital_reading_device_reading_id'), ['device_reading_id'])

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_consented_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('call_consented_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('phone_unreachable_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('vital_reading', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_vital_reading_device_reading_id'), type_='unique')
        batch_op.drop_column('device_reading_id')

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('phone_unreachable_at')
        batch_op.drop_column('call_consented_at')
        batch_op.drop_column('sms_consented_at')

    with op.batch_alter_table('follow_up_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_contact_task_id'))
        batch_op.drop_index(batch_op.f('ix_follow_up_contact_resident_id'))
        batch_op.drop_index('ix_follow_up_contact_pending', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))

    op.drop_table('follow_up_contact')
    with op.batch_alter_table('follow_up_questionnaire', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_questionnaire_submitted', postgresql_where=sa.text("status = 'submitted'"), sqlite_where=sa.text("status = 'submitted'"))
        batch_op.drop_index(batch_op.f('ix_follow_up_questionnaire_resident_id'))

    op.drop_table('follow_up_questionnaire')
