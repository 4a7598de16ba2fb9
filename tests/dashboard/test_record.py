"""履职档案: the deputy's record shows check-ins, reports, exemptions and suspensions in one timeline."""
from tests import factories


def test_record_shows_the_timeline_in_scope(client, db, login_as, world):
    """P5 (冯五): a suspension, a station check-in, a home check-in and a year exemption; nothing of others."""
    from liaison.deputies.models import Mandate

    mandate = db.session.get(Mandate, world["P5"])
    deputy_id = mandate.deputy_id
    login_as("committee")
    page = client.get(f"/dashboard/deputies/{deputy_id}").get_data(as_text=True)
    assert "冯五的履职档案" in page
    for text in ("任职", "暂停执行代表职务", "进站", "回家", "免于考核", "2024-07-20"):
        assert text in page, text
    assert "安一" not in page
    detail = client.get(f"/deputies/{deputy_id}").get_data(as_text=True)
    assert f"/dashboard/deputies/{deputy_id}" in detail


def test_record_of_another_township_is_404_for_staff(client, db, login_as, world):
    from liaison.deputies.models import Mandate

    deputy_id = db.session.get(Mandate, world["P5"]).deputy_id  # P5 is in 东城镇 (A)
    login_as("township_staff", townships=[factories.make_township(name="别的镇")])
    assert client.get(f"/dashboard/deputies/{deputy_id}").status_code == 404


def test_staff_see_only_their_townships_visits_on_the_record(client, db, login_as, world):
    """P2 (白二) holds a 区 seat in A and a 市 seat in B: A's staff see the 区 seat's events at A only."""
    from liaison.deputies.models import Mandate
    from liaison.townships.models import Township

    deputy_id = db.session.get(Mandate, world["P2D"]).deputy_id
    login_as("township_staff", townships=[db.session.get(Township, world["A"])])
    page = client.get(f"/dashboard/deputies/{deputy_id}").get_data(as_text=True)
    # Both of P2's check-ins were at B's station and home (2024-01-10, 2024-05-05).
    assert "2024-01-10" not in page and "2024-05-05" not in page
    assert "区第八届" in page
