"""console search: blind indexes of the last four digits of ID number and phone; name index

Revision ID: c0a5e1e13f01
Revises: 7a97050a582a
Create Date: 2026-12-05 21:45:00

Existing rows are indexed here from their ciphertext, with the running app's keys (Flask-Migrate
runs migrations inside the app context), in batches so a large table is not held in memory.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app


revision = 'c0a5e1e13f01'
down_revision = '7a97050a582a'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_tail_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_tail_index', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_patient_profile_document_tail_index'), ['document_tail_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_profile_phone_tail_index'), ['phone_tail_index'], unique=False)
        # Lists sort by name: the index lets a page of a million residents stop at 20 rows.
        batch_op.create_index(batch_op.f('ix_patient_profile_name'), ['name'], unique=False)
    _backfill()


def _backfill():
    cipher = current_app.extensions["field_cipher"]
    index = current_app.extensions["blind_index"]
    bind = op.get_bind()
    profile = sa.table('patient_profile', sa.column('id', sa.Integer),
                       sa.column('document_number', sa.String),
                       sa.column('phone', sa.String),
                       sa.column('document_tail_index', sa.String),
                       sa.column('phone_tail_index', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(profile.c.id, profile.c.document_number, profile.c.phone)
                            .where(profile.c.id > last).order_by(profile.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            number = cipher.decrypt(row.document_number)
            phone = cipher.decrypt(row.phone) if row.phone else None
            bind.execute(profile.update().where(profile.c.id == row.id).values(
                document_tail_index=index.digest(number[-4:], "document_tail"),
                phone_tail_index=index.digest(phone[-4:], "phone_tail") if phone else None))
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table('patient_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_profile_name'))
        batch_op.drop_index(batch_op.f('ix_patient_profile_phone_tail_index'))
        batch_op.drop_index(batch_op.f('ix_patient_profile_document_tail_index'))
        batch_op.drop_column('phone_tail_index')
        batch_op.drop_column('document_tail_index')
