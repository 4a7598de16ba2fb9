"""Two mandates added at the same moment for a person without an account: both kept, one account."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import sqlalchemy as sa

from liaison.accounts.models import Role, User
from liaison.deputies.models import Mandate
from liaison.extensions import db
from liaison.terms.models import Level
from tests import factories
from tests.conftest import sign_in
from tests.deputies.conftest import mandate_data

PEOPLE = 5


def test_two_mandates_at_once_for_a_new_person_are_both_kept(app, db):
    """Committee staff (two tabs, or two colleagues) add a person's 区 and 市 seats at the same instant,
    for five new people at once: every request succeeds, every seat is saved, and each person gets
    one account awaiting activation (on PostgreSQL one request used to fail with a 500 and lose its seat)."""
    township = factories.make_township(name="安平镇")
    district_term = factories.make_term(level=Level.district, ordinal=8, name="区第八届",
                                        start_date=date(2021, 12, 1), end_date=date(2099, 12, 1))
    city_term = factories.make_term(level=Level.municipal, ordinal=15, name="市第十五届",
                                    start_date=date(2022, 1, 10), end_date=date(2099, 12, 1))
    electoral = factories.make_district(term=district_term, township=township, name="第一选区")
    people = [factories.make_deputy(name=f"新代表{n}") for n in range(PEOPLE)]
    staff = factories.make_user(roles={Role.committee}, name="代表工委")
    db.session.commit()
    posts = []
    for deputy in people:
        posts.append((deputy.id, mandate_data(district_term, township, district=electoral)))
        posts.append((deputy.id, mandate_data(city_term, township)))
    clients = []
    for _ in posts:
        client = app.test_client()
        assert sign_in(client, staff.mobile).status_code == 302
        clients.append(client)
    barrier = threading.Barrier(len(posts))

    def send(args):
        client, (deputy_id, data) = args
        barrier.wait(timeout=60)
        return client.post(f"/deputies/{deputy_id}/mandates/new", data=data).status_code

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        statuses = list(pool.map(send, zip(clients, posts)))
    assert statuses == [302] * len(posts)
    db.session.expire_all()
    for deputy in people:
        assert db.session.scalar(sa.select(sa.func.count(Mandate.id)).where(Mandate.deputy_id == deputy.id)) == 2
        [account] = db.session.scalars(sa.select(User).where(User.mobile == deputy.mobile)).all()
        assert account.deputy_id == deputy.id and account.has_role(Role.deputy)
        assert account.password_hash is None
