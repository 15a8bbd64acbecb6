"""Audit entries appended without a lock, sealed into the chain by a single sealer.

New entries are numbered from the `audit_entry_seq` sequence (PostgreSQL) and carry their own
`mac`; `prev_hash`/`hash` stay only on entries chained before. `audit_seal` holds one link per
number, append-only like `audit_entry`. Every entry already chained is carried over as a seal
with its own hash (key_id empty marks a carried-over link), so the chain and its head and the
checkpoints outside the database still verify. SQLite rebuilds `audit_entry` to relax the two
columns, which drops its triggers: they are created again.

Revision ID: 8c1d2e3f4a5b
Revises: 4134391ecb32
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '8c1d2e3f4a5b'
down_revision = '4134391ecb32'
branch_labels = None
depends_on = None

# Every entry chained per request becomes the seal of its own number, hash for hash.
CARRY_OVER = ("INSERT INTO audit_seal (seq, entry_mac, prev_hash, hash, key_id, sealed_at) "
              "SELECT seq, hash, prev_hash, hash, NULL, occurred_at FROM audit_entry "
              "WHERE hash IS NOT NULL")
PG_SEAL_APPEND_ONLY = [
    """CREATE FUNCTION audit_seal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_seal is append-only'; END $$""",
    """CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
       FOR EACH ROW EXECUTE FUNCTION audit_seal_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
       BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END""",
    """CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
       BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END""",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'audit_seal',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('entry_mac', sa.String(length=64), nullable=True),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=32), nullable=True),
        sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_seal')),
    )
    if dialect == "sqlite":
        with op.batch_alter_table('audit_entry') as batch_op:
            batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))
            batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    else:
        op.add_column('audit_entry', sa.Column('mac', sa.String(length=64), nullable=True))
        op.alter_column('audit_entry', 'prev_hash', existing_type=sa.String(length=64),
                        nullable=True)
        op.alter_column('audit_entry', 'hash', existing_type=sa.String(length=64),
                        nullable=True)
    op.execute(CARRY_OVER)
    if dialect == "postgresql":
        op.execute("CREATE SEQUENCE audit_entry_seq OWNED BY audit_entry.seq")
        op.execute("SELECT setval('audit_entry_seq', (SELECT max(seq) FROM audit_entry)) "
                   "WHERE EXISTS (SELECT 1 FROM audit_entry)")
        for statement in PG_SEAL_APPEND_ONLY:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    unchained = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM audit_entry WHERE hash IS NULL")).scalar_one()
    if unchained:
        raise RuntimeError(f"{unchained} audit entries were sealed by the sealer and have no "
                           "per-entry chain hash; the previous release cannot verify them")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_seal_append_only ON audit_seal")
        op.execute("DROP FUNCTION IF EXISTS audit_seal_append_only()")
        op.execute("DROP SEQUENCE IF EXISTS audit_entry_seq")
    op.drop_table('audit_seal')
    if dialect == "postgresql":
        op.alter_column('audit_entry', 'prev_hash', existing_type=sa.String(length=64),
                        nullable=False)
        op.alter_column('audit_entry', 'hash', existing_type=sa.String(length=64),
                        nullable=False)
    # Plain DROP COLUMN (SQLite >= 3.35 too): a batch rebuild would lose the triggers.
    op.drop_column('audit_entry', 'mac')
