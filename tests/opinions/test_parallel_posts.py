"""The per-address opinion limit holds when one address posts many opinions at the same instant."""
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.opinions.conftest import opinions
from tests.servers import Browser


def _post_at_once(base, path, bodies):
    """POST each body from its own thread (its own connection), all released together; the statuses."""
    barrier = threading.Barrier(len(bodies))

    def send(body):
        barrier.wait(timeout=60)
        return Browser(base, timeout=60).post(path, body).status

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_twenty_parallel_posts_from_one_address_store_exactly_the_limit(db, net, live_server, setting):
    """20 opinions sent at once from one address through a real server, with a limit of 5: exactly 5
    are stored, the other 15 are refused with 429, and none fails."""
    setting("LIAISON_OPINION_MAX_PER_ADDRESS", 5)
    code = net.station.code
    db.session.commit()  # SQLite: hold no transaction while the server writes
    bodies = [{"category": "transport", "content": f"第 {n} 条：东升路口红绿灯时间太短，老人过马路来不及。",
               "name": "", "phone": ""} for n in range(20)]
    statuses = _post_at_once(live_server, f"/p/{code}/opinion", bodies)
    assert sorted(statuses, key=str) == [302] * 5 + [429] * 15, statuses
    assert len(opinions(db)) == 5
