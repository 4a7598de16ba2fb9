"""补登 for many deputies of one event at once, one reason (rule R26)."""
from datetime import date

import sqlalchemy as sa

from stations.checkin.models import Checkin, Method
from tests.rota.conftest import local, make_checkin, october  # noqa: F401


def _post(client, october, ids, **over):
    data = {"station_id": october.dongsheng.id, "day": "2026-10-14", "time": "09:30",
            "reason": "接待日纸质签到簿", "deputy_ids": ids}
    data.update(over)
    return client.post("/checkins/back-entry/many", data=data)


def test_many_deputies_one_reason_one_save(client, db, login_as, october):
    """The page lists the township's serving deputies; five ticked → five 补登 check-ins with one reason."""
    people = october.people
    staff = login_as("township_staff", townships=[october.township])
    page = client.get(f"/checkins/back-entry/many?station_id={october.dongsheng.id}&day=2026-10-14")
    html = page.get_data(as_text=True)
    assert "东升1" in html and "红旗1" in html and 'id="select-all"' in html
    ids = [people[f"东升{i}"].id for i in range(1, 6)]
    response = _post(client, october, ids)
    assert response.status_code == 302
    assert "已为 5 位代表补登" in client.get(response.headers["Location"]).get_data(as_text=True)
    rows = db.session.scalars(sa.select(Checkin)).all()
    assert sorted(c.deputy_id for c in rows) == sorted(ids)
    assert {(c.method, c.back_entry_reason, c.entered_by_id, c.local_date, c.station_id) for c in rows} == {
        (Method.back_entry, "接待日纸质签到簿", staff.id, date(2026, 10, 14), october.dongsheng.id)}


def test_all_or_nothing_with_every_problem_named(client, db, login_as, october):
    """东升2 already scanned there that day and 东升3 too: nothing is saved, both are named."""
    people = october.people
    make_checkin(people["东升2"], october.dongsheng, local(2026, 10, 14, 9, 5))
    make_checkin(people["东升3"], october.dongsheng, local(2026, 10, 14, 9, 6))
    login_as("township_staff", townships=[october.township])
    page = _post(client, october, [people[f"东升{i}"].id for i in (1, 2, 3)]).get_data(as_text=True)
    assert "全部未保存" in page and "东升2 在 2026-10-14 已有" in page and "东升3 在 2026-10-14 已有" in page
    assert db.session.scalar(sa.select(sa.func.count(Checkin.id)).where(Checkin.method == Method.back_entry)) == 0


def test_reason_required_and_strangers_ignored(client, db, login_as, october):
    """No reason: refused in Chinese. A deputy of another township ticked by hand is not entered."""
    from tests import factories

    stranger = factories.make_mandate().deputy  # a deputy of another township
    login_as("township_staff", townships=[october.township])
    page = _post(client, october, [october.people["东升1"].id], reason="").get_data(as_text=True)
    assert "请填写补登原因" in page
    response = _post(client, october, [october.people["东升1"].id, stranger.id])
    assert response.status_code == 302
    assert [c.deputy_id for c in db.session.scalars(sa.select(Checkin))] == [october.people["东升1"].id]
