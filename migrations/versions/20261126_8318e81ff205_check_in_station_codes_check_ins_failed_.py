"""Check-in: station codes and policies, check-ins, failed scans, voided codes.

Revision ID: 8318e81ff205
Revises: bd7c537be028
Create Date: 2026-11-26 02:22:26.189299

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8318e81ff205'
down_revision = 'bd7c537be028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('station_kind', sa.Enum('home', 'station', name='stationkind', native_enum=False, length=10), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('quarter_key', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('poster', 'kiosk', 'back_entry', name='method', native_enum=False, length=12), nullable=False),
    sa.Column('status', sa.Enum('accepted', 'pending', 'confirmed', 'rejected', name='status', native_enum=False, length=12), nullable=False),
    sa.Column('pending_reason', sa.Enum('no_location', 'outside_fence', 'low_accuracy', 'no_fence', 'implausible_travel', 'station_policy', name='pendingreason', native_enum=False, length=20), nullable=True),
    sa.Column('inside_fence', sa.Boolean(), nullable=True),
    sa.Column('accuracy_m', sa.Integer(), nullable=True),
    sa.Column('client_nonce', sa.String(length=64), nullable=False),
    sa.Column('away_from_own', sa.Boolean(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('back_entry_reason', sa.String(length=200), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.String(length=200), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('constituents_received', sa.Integer(), nullable=True),
    sa.Column('matters_raised', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('constituents_received IS NULL OR constituents_received >= 0', name=op.f('ck_checkins_constituents_not_negative')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_checkins_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_checkins_entered_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_checkins_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_checkins_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('deputy_id', 'client_nonce', name=op.f('uq_checkins_deputy_id_client_nonce'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index('ix_checkins_deputy_id_month_key', ['deputy_id', 'month_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_quarter_key'), ['quarter_key'], unique=False)
        batch_op.create_index('ix_checkins_station_id_local_date', ['station_id', 'local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_status'), ['status'], unique=False)

    op.create_table('failed_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('scanned_code', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Enum('expired_token', 'invalid_token', 'other_station', 'voided_code', 'unknown_code', 'inactive_station', 'not_deputy', 'no_mandate', name='rejectreason', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_failed_scans_station_id_stations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_failed_scans_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_scans'))
    )
    with op.batch_alter_table('failed_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_scans_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_failed_scans_station_id'), ['station_id'], unique=False)

    op.create_table('voided_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_voided_codes_station_id_stations')),
    sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_voided_codes_voided_by_id_users')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_voided_codes'))
    )
    with op.batch_alter_table('voided_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voided_codes_station_id'), ['station_id'], unique=False)

    # Existing stations get a random code each before the column becomes NOT NULL and unique.
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('key_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('checkin_policy', sa.Enum('fence', 'kiosk_only', 'staff_confirms', name='checkinpolicy', native_enum=False, length=20), nullable=False, server_default='fence'))
    connection = op.get_bind()
    stations = sa.table('stations', sa.column('id', sa.Integer), sa.column('code', sa.String))
    taken = set()
    for (station_id,) in connection.execute(sa.select(stations.c.id)).all():
        code = _new_code(taken)
        connection.execute(sa.update(stations).where(stations.c.id == station_id).values(code=code))
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_stations_code'), ['code'])


def _new_code(taken):
    """Same alphabet and length as stations.models.new_station_code (copied: migrations stay frozen)."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        if code not in taken:
            taken.add(code)
            return code


def downgrade():
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_stations_code'), type_='unique')
        batch_op.drop_column('checkin_policy')
        batch_op.drop_column('key_version')
        batch_op.drop_column('code')

    with op.batch_alter_table('voided_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voided_codes_station_id'))

    op.drop_table('voided_codes')
    with op.batch_alter_table('failed_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_scans_station_id'))
        batch_op.drop_index(batch_op.f('ix_failed_scans_occurred_at'))

    op.drop_table('failed_scans')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_status'))
        batch_op.drop_index('ix_checkins_station_id_local_date')
        batch_op.drop_index(batch_op.f('ix_checkins_quarter_key'))
        batch_op.drop_index('ix_checkins_deputy_id_month_key')
        batch_op.drop_index(batch_op.f('ix_checkins_deputy_id'))

    op.drop_table('checkins')
