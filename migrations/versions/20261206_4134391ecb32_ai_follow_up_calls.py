"""AI follow-up calls (AI电话随访): the calls owed and their attempts, the resident's follow-up channel, and records waiting for the doctor's confirmation.

Revision ID: 4134391ecb32
Revises: 5f5a9aa16558
Create Date: 2026-12-06 01:01:00.855116

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4134391ecb32'
down_revision = '5f5a9aa16558'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_up_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('last_result', sa.String(length=32), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['follow_up_record.id'], name=op.f('fk_follow_up_call_record_id_follow_up_record')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_follow_up_call_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_call')),
    sa.UniqueConstraint('external_id', name=op.f('uq_follow_up_call_external_id')),
    sa.UniqueConstraint('resident_id', 'due_on', name=op.f('uq_follow_up_call_resident_id_due_on'))
    )
    with op.batch_alter_table('follow_up_call', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_call_next_attempt', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'scheduled'"), sqlite_where=sa.text("status = 'scheduled'"))

    op.create_table('call_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disposition', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('cause', sa.String(length=64), nullable=True),
    sa.Column('barge_ins', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('recording_file', sa.String(length=200), nullable=True),
    sa.Column('purge_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['follow_up_call.id'], name=op.f('fk_call_attempt_call_id_follow_up_call')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_attempt')),
    sa.UniqueConstraint('call_id', 'number', name=op.f('uq_call_attempt_call_id_number')),
    sa.UniqueConstraint('external_id', name=op.f('uq_call_attempt_external_id'))
    )
    with op.batch_alter_table('call_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_call_attempt_purge', ['purge_after'], unique=False, postgresql_where=sa.text('purged_at IS NULL'), sqlite_where=sa.text('purged_at IS NULL'))

    with op.batch_alter_table('follow_up_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=16), nullable=True))

    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followup_channel', sa.String(length=16), server_default='doctor', nullable=False))



def downgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('followup_channel')

    with op.batch_alter_table('follow_up_record', schema=None) as batch_op:
        batch_op.drop_column('review_status')

    with op.batch_alter_table('call_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_call_attempt_purge', postgresql_where=sa.text('purged_at IS NULL'), sqlite_where=sa.text('purged_at IS NULL'))

    op.drop_table('call_attempt')
    with op.batch_alter_table('follow_up_call', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_call_next_attempt', postgresql_where=sa.text("status = 'scheduled'"), sqlite_where=sa.text("status = 'scheduled'"))

    op.drop_table('follow_up_call')
