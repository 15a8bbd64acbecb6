"""health portraits (健康画像) reviewed by family doctors

Revision ID: d13a7e2b4c55
Revises: c0a5e1e13f01
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd13a7e2b4c55'
down_revision = 'c0a5e1e13f01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('health_portrait',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.Column('statements', sa.JSON(), nullable=False),
    sa.Column('reviewed', sa.JSON(), nullable=True),
    sa.Column('data_mark', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('built_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('rejection_reason', sa.String(length=200), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['built_by'], ['staff_user.id'], name=op.f('fk_health_portrait_built_by_staff_user')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient_profile.id'], name=op.f('fk_health_portrait_patient_id_patient_profile')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['staff_user.id'], name=op.f('fk_health_portrait_reviewed_by_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_portrait')),
    sa.UniqueConstraint('external_id', name=op.f('uq_health_portrait_external_id')),
    sa.UniqueConstraint('patient_id', 'version', name=op.f('uq_health_portrait_patient_id_version'))
    )
    with op.batch_alter_table('health_portrait', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_portrait_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_health_portrait_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('health_portrait', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_portrait_status'))
        batch_op.drop_index(batch_op.f('ix_health_portrait_patient_id'))
    op.drop_table('health_portrait')
