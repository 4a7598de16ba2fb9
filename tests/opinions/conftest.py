"""The opinion tests' network: 安平镇 (a station and a home, a deputy, its staff) and 清河镇 (a station and
its own staff), a committee member, and helpers to leave and fetch opinions."""
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from liaison.accounts.models import Role
from liaison.network.models import StationKind
from liaison.opinions.models import Opinion
from tests import factories

#: A phone number typed by a constituent (with spaces, as people type it).
PHONE = "139 0000 0001"
PHONE_DIGITS = "13900000001"
PHONE_MASKED = "139****0001"


@pytest.fixture()
def photo_folder(setting, tmp_path):
    """Stored photos go to a folder of this test."""
    setting("LIAISON_ATTACHMENT_FOLDER", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


@pytest.fixture()
def setting(app):
    """``setting(NAME, value)`` changes one app setting for this test only."""
    before = {}

    def change(name, value):
        before.setdefault(name, app.config.get(name, _ABSENT))
        app.config[name] = value

    yield change
    for name, value in before.items():
        if value is _ABSENT:
            app.config.pop(name, None)
        else:
            app.config[name] = value


_ABSENT = object()


@pytest.fixture()
def net(db, photo_folder):
    """Two townships with stations, a deputy of the first, staff of each, and a committee member."""
    term = factories.make_term(name="区第八届", start_date=date(2021, 12, 1), end_date=date(2099, 12, 31))
    anping = factories.make_township(name="安平镇")
    qinghe = factories.make_township(name="清河镇")
    station = factories.make_station(township=anping, name="东升联络站")
    home = factories.make_station(township=anping, kind=StationKind.home, name="安平镇代表之家")
    other_station = factories.make_station(township=qinghe, name="河口联络站")
    deputy = factories.make_deputy(name="李明")
    factories.make_mandate(deputy=deputy, term=term, township=anping, station=station, home=home)
    other_deputy = factories.make_deputy(name="王芳")
    factories.make_mandate(deputy=other_deputy, term=term, township=qinghe, station=other_station)
    deputy_user = factories.make_user(roles={Role.deputy}, deputy=deputy)
    staff = factories.make_user(roles={Role.township_staff}, townships=[anping], name="安平专干")
    other_staff = factories.make_user(roles={Role.township_staff}, townships=[qinghe], name="清河专干")
    committee = factories.make_user(roles={Role.committee}, name="代表工委")
    db.session.commit()
    return SimpleNamespace(term=term, anping=anping, qinghe=qinghe, station=station, home=home,
                           other_station=other_station, deputy=deputy, other_deputy=other_deputy,
                           deputy_user=deputy_user, staff=staff, other_staff=other_staff, committee=committee,
                           photo_folder=photo_folder)


def leave(client, station, environ_base=None, **fields):
    """Post the public form of a station as a constituent would; one who leaves a number ticks the
    consent box unless ``phone_consent=None`` says they did not (rule R29)."""
    data = {"category": "transport", "content": "东升路口红绿灯时间太短，老人过马路来不及。", "name": "", "phone": ""}
    data.update(fields)
    if data["phone"] and "phone_consent" not in data:
        data["phone_consent"] = "y"
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/p/{station.code}/opinion", **multipart(data), environ_base=environ_base or {})


def multipart(data):
    """A multipart body built in memory: the test client spools large bodies to a temporary file
    that it never closes (a ResourceWarning, an error under filterwarnings=error)."""
    data = {k: FileStorage(v[0], filename=v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    body, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return {"data": body.getvalue(), "content_type": f"multipart/form-data; boundary={boundary}"}


def opinions(db):
    """Every stored opinion, oldest first."""
    db.session.expire_all()
    return db.session.scalars(sa.select(Opinion).order_by(Opinion.id)).all()


def sign_in_as(client, user):
    """Sign a user of the network in on this client."""
    from tests.conftest import sign_in

    response = sign_in(client, user.mobile)
    assert response.status_code == 302
