"""The network data model (townships, terms, electoral districts, stations, deputies, mandates) and accounts.

Revision ID: 9228938dcc95
Revises: 
Create Date: 2026-11-26 02:01:14.003403

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9228938dcc95'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deputies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_sort_key', sa.String(length=255), nullable=False),
    sa.Column('gender', sa.Enum('male', 'female', name='gender', native_enum=False, length=10), nullable=False),
    sa.Column('ethnicity', sa.String(length=20), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputies')),
    sa.UniqueConstraint('mobile', name=op.f('uq_deputies_mobile'))
    )
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deputies_name_sort_key'), ['name_sort_key'], unique=False)

    op.create_table('townships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.Enum('township', 'subdistrict', name='townshipkind', native_enum=False, length=20), nullable=False),
    sa.Column('name_sort_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_townships')),
    sa.UniqueConstraint('name', name=op.f('uq_townships_name'))
    )
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_townships_name_sort_key'), ['name_sort_key'], unique=False)

    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('national', 'municipal', 'district', 'township', name='level', native_enum=False, length=20), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('end_provisional', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_terms_ends_after_start')),
    sa.CheckConstraint('ordinal > 0', name=op.f('ck_terms_ordinal_positive')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_terms_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
    sa.UniqueConstraint('name', name=op.f('uq_terms_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_users_deputy_id_deputies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('deputy_id', name=op.f('uq_users_deputy_id')),
    sa.UniqueConstraint('mobile', name=op.f('uq_users_mobile'))
    )
    op.create_table('activation_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activation_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activation_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_activation_tokens_token_hash'))
    )
    with op.batch_alter_table('activation_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('electoral_districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_sort_key', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_electoral_districts_term_id_terms')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_electoral_districts_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_electoral_districts')),
    sa.UniqueConstraint('term_id', 'township_id', 'name', name=op.f('uq_electoral_districts_term_id_township_id_name'))
    )
    with op.batch_alter_table('electoral_districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_electoral_districts_term_id'), ['term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_electoral_districts_township_id'), ['township_id'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('deputy', 'township_staff', 'committee', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('user_townships',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_user_townships_township_id_townships')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_townships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'township_id', name=op.f('pk_user_townships'))
    )
    op.create_table('stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('home', 'station', name='stationkind', native_enum=False, length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('name_sort_key', sa.String(length=255), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('electoral_district_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('radius_m', sa.Integer(), nullable=False),
    sa.Column('open_on_holidays', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(latitude IS NULL AND longitude IS NULL) OR (latitude IS NOT NULL AND longitude IS NOT NULL)', name=op.f('ck_stations_coordinates_paired')),
    sa.CheckConstraint('radius_m > 0 AND radius_m <= 5000', name=op.f('ck_stations_radius_sensible')),
    sa.ForeignKeyConstraint(['electoral_district_id'], ['electoral_districts.id'], name=op.f('fk_stations_electoral_district_id_electoral_districts')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_stations_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
    sa.UniqueConstraint('township_id', 'name', name=op.f('uq_stations_township_id_name'))
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stations_name_sort_key'), ['name_sort_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_stations_township_id'), ['township_id'], unique=False)

    op.create_table('mandates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('electoral_district_id', sa.Integer(), nullable=True),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Enum('moved_away', 'resigned', 'absent_twice', 'recalled', 'lost_nationality', 'deprived_of_rights', 'incapacitated', 'died', name='endreason', native_enum=False, length=30), nullable=True),
    sa.Column('by_election', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(end_date IS NULL AND end_reason IS NULL) OR (end_date IS NOT NULL AND end_reason IS NOT NULL)', name=op.f('ck_mandates_end_has_reason')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_mandates_ends_after_start')),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputies.id'], name=op.f('fk_mandates_deputy_id_deputies')),
    sa.ForeignKeyConstraint(['electoral_district_id'], ['electoral_districts.id'], name=op.f('fk_mandates_electoral_district_id_electoral_districts')),
    sa.ForeignKeyConstraint(['home_id'], ['stations.id'], name=op.f('fk_mandates_home_id_stations')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_mandates_station_id_stations')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_mandates_term_id_terms')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_mandates_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')),
    sa.UniqueConstraint('deputy_id', 'term_id', name=op.f('uq_mandates_deputy_id_term_id'))
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_term_id'), ['term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandates_township_id'), ['township_id'], unique=False)

    op.create_table('opening_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.CheckConstraint('closes > opens', name=op.f('ck_opening_hours_closes_after_opens')),
    sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_opening_hours_weekday_range')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_opening_hours_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours')),
    sa.UniqueConstraint('station_id', 'weekday', 'opens', name=op.f('uq_opening_hours_station_id_weekday_opens'))
    )
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_hours_station_id'), ['station_id'], unique=False)

    op.create_table('suspensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_suspensions_ends_after_start')),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_suspensions_mandate_id_mandates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suspensions'))
    )
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suspensions_mandate_id'), ['mandate_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suspensions_mandate_id'))

    op.drop_table('suspensions')
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_hours_station_id'))

    op.drop_table('opening_hours')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandates_township_id'))
        batch_op.drop_index(batch_op.f('ix_mandates_term_id'))
        batch_op.drop_index(batch_op.f('ix_mandates_deputy_id'))

    op.drop_table('mandates')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stations_township_id'))
        batch_op.drop_index(batch_op.f('ix_stations_name_sort_key'))

    op.drop_table('stations')
    op.drop_table('user_townships')
    op.drop_table('user_roles')
    with op.batch_alter_table('electoral_districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_electoral_districts_township_id'))
        batch_op.drop_index(batch_op.f('ix_electoral_districts_term_id'))

    op.drop_table('electoral_districts')
    with op.batch_alter_table('activation_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activation_tokens_user_id'))

    op.drop_table('activation_tokens')
    op.drop_table('users')
    op.drop_table('terms')
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_townships_name_sort_key'))

    op.drop_table('townships')
    with op.batch_alter_table('deputies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deputies_name_sort_key'))

    op.drop_table('deputies')
