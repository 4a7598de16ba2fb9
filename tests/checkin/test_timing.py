"""How long one check-in takes end to end in the test client: measured and reported, never asserted."""
import os
import statistics
import time

from tests.checkin.conftest import AT_STATION, counts, hidden, scan_url
from tests.conftest import sign_in

ROUNDS = 50


def _ms(values):
    """Median and 90th percentile in milliseconds."""
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.9) - 1] * 1000


def test_measure_one_checkin(db, client, place, capsys, request):
    """50 check-ins (open the page, tap 签到 inside the fence, see the confirmation): all saved, timed."""
    sign_in(client, place.user.mobile)
    code = place.station.code
    posts, whole = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        nonce = hidden(client.get(scan_url(code)).get_data(as_text=True), "nonce")
        before_post = time.perf_counter()
        response = client.post(f"/s/{code}", data={"nonce": nonce, **AT_STATION})
        after_post = time.perf_counter()
        assert response.status_code == 303
        client.get(response.headers["Location"])
        posts.append(after_post - before_post)
        whole.append(time.perf_counter() - start)
    assert counts() == (ROUNDS, 0)
    post_median, post_p90 = _ms(posts)
    whole_median, whole_p90 = _ms(whole)
    dialect = db.engine.dialect.name
    line = (f"check-in timing on {dialect}: POST median {post_median:.1f} ms (p90 {post_p90:.1f}); "
            f"page + POST + confirmation median {whole_median:.1f} ms (p90 {whole_p90:.1f}); n={ROUNDS}")
    folder = os.path.join(str(request.config.rootpath), "test-results")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"checkin-timing-{dialect}.txt"), "w", encoding="utf-8") as out:
        out.write(line + "\n")
    with capsys.disabled():
        print("\n" + line)
