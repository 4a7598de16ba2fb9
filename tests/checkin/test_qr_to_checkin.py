"""From the printed QR to a saved check-in: decode the poster PNG and the kiosk screen's QR like a phone,
follow the decoded URL as a signed-in deputy, tap 签到, and find exactly one row."""
from urllib.parse import urlsplit

from stations.checkin.models import Method, Status
from tests import factories
from tests.checkin.conftest import AT_STATION, client_for, hidden, only_checkin
from tests.stations.qr_decode import decode_png, decode_svg, kiosk_image_source, token_of


def follow(client, decoded_url, location=None):
    """Open the decoded URL on the deputy's phone and tap 签到 on the page it shows."""
    parts = urlsplit(decoded_url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    html = client.get(path).get_data(as_text=True)
    data = {"nonce": hidden(html, "nonce"), "t": hidden(html, "t")}
    data.update(location or {})
    return client.post(parts.path, data=data)


def test_poster_png_leads_to_one_checkin(app, place):
    """The poster PNG decodes to /s/<code>; following it inside the fence saves one counted check-in."""
    staff = client_for(app, factories.make_user(roles={"township_staff"}, townships=[place.town]))
    url = decode_png(staff.get(f"/stations/{place.station.id}/poster.png").data)
    assert url.endswith(f"/s/{place.station.code}")
    response = follow(client_for(app, place.user), url, AT_STATION)
    assert response.status_code == 303
    checkin = only_checkin()
    assert (checkin.method, checkin.status, checkin.station_id) == (
        Method.poster, Status.accepted, place.station.id)


def test_kiosk_qr_leads_to_one_checkin(app, place):
    """The kiosk screen's QR decodes to /s/<code>?t=<token>; following it saves one counted kiosk check-in."""
    staff = client_for(app, factories.make_user(roles={"township_staff"}, townships=[place.town]))
    url = decode_svg(kiosk_image_source(staff.get(f"/s/{place.station.code}/kiosk").get_data(as_text=True)))
    assert token_of(url)
    response = follow(client_for(app, place.user), url)
    assert response.status_code == 303
    checkin = only_checkin()
    assert (checkin.method, checkin.status, checkin.station_id) == (
        Method.kiosk, Status.accepted, place.station.id)
