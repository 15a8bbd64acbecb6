"""Cardiovascular risk inputs (risk_factor_entry: waist, smoking, family history, urban/rural,
known ASCVD, each dated with its source) and the health centre's province for the China-PAR
north/south term (organization.province, organization.cvd_region).

Revision ID: b7c2d9e4f513
Revises: b7d41c2e9a10
Create Date: 2026-12-06 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c2d9e4f513'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('risk_factor_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('factor', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=16), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_risk_factor_entry_account_id_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_risk_factor_entry_resident_id_resident')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_risk_factor_entry_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_factor_entry')),
    sa.UniqueConstraint('external_id', name=op.f('uq_risk_factor_entry_external_id'))
    )
    with op.batch_alter_table('risk_factor_entry', schema=None) as batch_op:
        batch_op.create_index('ix_risk_factor_entry_latest', ['resident_id', 'factor', 'observed_on'], unique=False)

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('cvd_region', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('cvd_region')
        batch_op.drop_column('province')

    with op.batch_alter_table('risk_factor_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_factor_entry_latest')

    op.drop_table('risk_factor_entry')
