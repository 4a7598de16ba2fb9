"""The camera and WebAssembly are allowed on scan mode's camera page only (rule R36): every other
response, for every role, keeps the strict Content-Security-Policy (no 'wasm-unsafe-eval', no
'unsafe-eval') and ``camera=()`` in its Permissions-Policy."""
import pytest

from liaison.accounts.models import Role
from liaison.security import CONTENT_SECURITY_POLICY
from tests import factories
from tests.conftest import sign_in
from tests.core.test_access import ROLES, _url, records  # noqa: F401 - records is a fixture

CAMERA_PAGE = "scanner.camera"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_camera_page_may_use_the_camera_or_webassembly(app, client, db, records, role):  # noqa: F811
    if role != "anonymous":
        user = factories.make_user(
            roles={Role(role)}, townships=[records["township"]] if role == "township_staff" else (),
            deputy=factories.make_deputy() if role == "deputy" else None)
        db.session.commit()
        sign_in(client, user.mobile)
    wrong, camera_pages = [], 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "accounts.logout":
            continue
        url = _url(app, rule, records)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        csp = response.headers.get("Content-Security-Policy", "")
        permissions = response.headers.get("Permissions-Policy", "")
        response.close()
        if rule.endpoint == CAMERA_PAGE and response.status_code == 200:
            camera_pages += 1
            if "'wasm-unsafe-eval'" not in csp or "camera=(self)" not in permissions:
                wrong.append(f"{url}: the camera page lacks its own policy: {csp} / {permissions}")
            if "'unsafe-eval'" in csp.replace("'wasm-unsafe-eval'", "") or "unsafe-inline" in csp:
                wrong.append(f"{url}: the camera page allows more than WebAssembly: {csp}")
            continue
        if csp != CONTENT_SECURITY_POLICY or "eval" in csp:
            wrong.append(f"{method} {url} ({rule.endpoint}): CSP {csp!r}")
        if "camera=()" not in permissions or "camera=(self)" in permissions:
            wrong.append(f"{method} {url} ({rule.endpoint}): Permissions-Policy {permissions!r}")
    assert wrong == []
    assert camera_pages == (1 if role in ("township_staff", "committee", "admin") else 0)
