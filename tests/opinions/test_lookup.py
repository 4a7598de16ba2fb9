"""Following an opinion by its lookup number, without an account: typed loosely, never guessed in bulk."""
from tests.opinions.conftest import leave, opinions


def test_a_number_typed_loosely_finds_the_opinion(client, db, net):
    """Lower case, spaces and a dash are forgiven."""
    leave(client, net.station)
    [opinion] = opinions(db)
    typed = f" {opinion.number[:4].lower()} - {opinion.number[4:].lower()} "
    response = client.get("/o", query_string={"number": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/o/{opinion.number}")
    assert client.get(f"/o/{opinion.number.lower()}").status_code == 200


def test_an_unknown_number_says_so(client, db, net):
    """A number that does not exist gets a Chinese message; its page answers 404."""
    page = client.get("/o", query_string={"number": "ABCD-EFGH"}).get_data(as_text=True)
    assert "没有找到这个查询号" in page
    assert client.get("/o/ABCDEFGH").status_code == 404
    assert client.get("/o/0000").status_code == 404


def test_guessing_numbers_is_stopped(client, db, net, setting):
    """After a few unknown numbers from one address, even a real number is refused there for a while."""
    setting("LIAISON_OPINION_LOOKUP_MISSES", 3)
    leave(client, net.station)
    [opinion] = opinions(db)
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
        assert client.get("/o", query_string={"number": guess}).status_code == 200
    blocked = client.get("/o", query_string={"number": opinion.number})
    assert blocked.status_code == 429 and "查询过于频繁" in blocked.get_data(as_text=True)
    other = client.get("/o", query_string={"number": opinion.number},
                       environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 302


def test_guessing_numbers_in_the_url_is_stopped_too(client, db, net, setting):
    """Unknown numbers asked as /o/<number> count like those typed into the form: after the limit,
    even a real number's page is refused there (429), on every page a number opens."""
    setting("LIAISON_OPINION_LOOKUP_MISSES", 3)
    leave(client, net.station)
    [opinion] = opinions(db)
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
        assert client.get(f"/o/{guess}").status_code == 404
    for path in (f"/o/{opinion.number}", f"/o/{opinion.number}/received", "/o/DDDDDDDD"):
        blocked = client.get(path)
        assert blocked.status_code == 429 and "查询过于频繁" in blocked.get_data(as_text=True), path
    rated = client.post(f"/o/{opinion.number}/rate", data={"satisfaction": "satisfied"})
    assert rated.status_code == 429
    assert client.get("/o", query_string={"number": opinion.number}).status_code == 429
    other = client.get(f"/o/{opinion.number}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_misses_in_the_url_and_the_form_add_up(client, db, net, setting):
    """A guesser cannot double the limit by switching between the form and the URL."""
    setting("LIAISON_OPINION_LOOKUP_MISSES", 4)
    for guess in ("AAAAAAAA", "BBBBBBBB"):
        assert client.get(f"/o/{guess}/received").status_code == 404
        assert client.get("/o", query_string={"number": guess.replace("A", "E").replace("B", "F")}).status_code == 200
    assert client.get("/o/CCCCCCCC").status_code == 429
