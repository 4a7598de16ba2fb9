"""The HTTP SMS gateway against a local HTTP server the test starts: a signed JSON request with the
template id and parameters; 2xx is sent, 5xx and a timeout are retried, 4xx fails with the reason."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from liaison.config import ConfigError, load_config
from liaison.extensions import db
from liaison.notifications.models import DeliveryStatus
from liaison.notifications.operations import send
from tests import factories
from tests.notifications.delivery_helpers import configured, deliveries, run_delivery_job

SECRET = "test-shared-secret"


class Gateway(ThreadingHTTPServer):
    """A stand-in SMS gateway: records each request and answers ``status`` (or sleeps ``delay`` first)."""

    daemon_threads = True

    def __init__(self, status=200, answer=b'{"ok": true}', delay=0.0):
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.status, self.answer, self.delay = status, answer, delay
        self.requests = []
        self.release = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/sms"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()


class _GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        if self.server.delay:
            self.server.release.wait(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.server.answer)

    def log_message(self, *args):
        pass


def gateway_settings(gateway, timeout=5):
    return {"LIAISON_SMS_GATEWAY": "http", "LIAISON_SMS_URL": gateway.url, "LIAISON_SMS_SECRET": SECRET,
            "LIAISON_SMS_TEMPLATES": {"default": "SMS_0001", "rota_published": "SMS_0002"},
            "LIAISON_SMS_TIMEOUT": timeout}


@pytest.fixture()
def sms(app, db, monkeypatch, request):
    """SMS through the HTTP gateway to a local server (status, answer, delay from the test's param)."""
    with Gateway(**getattr(request, "param", {})) as gateway, \
            configured(app, monkeypatch, **gateway_settings(gateway, timeout=1)):
        yield gateway


def queue_text(kind="rota_published"):
    user = factories.make_user(name="王芳", mobile="13912345678")
    message = send(user, "2026年10月接待排班已公示", "您的接待时段：10月14日（周三）09:00–11:30 东升站。", kind=kind)
    db.session.commit()
    return message


def test_a_text_goes_out_as_a_signed_template_request(sms):
    """The job posts the mobile, the template for the message's kind and the parameters, signed
    with HMAC-SHA256 over the body; a 2xx answer marks the delivery sent. Nothing is posted before."""
    message = queue_text()
    assert sms.requests == []
    assert run_delivery_job() == "sent 1"
    [(headers, body)] = sms.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Liaison-Signature"] == expected
    assert headers["Content-Type"].startswith("application/json")
    sent = json.loads(body)
    assert (sent["mobile"], sent["template"]) == ("13912345678", "SMS_0002")
    assert sent["params"] == {"subject": "2026年10月接待排班已公示", "content": message.body}
    assert sent["request_id"] == f"liaison-delivery-{deliveries('sms')[0].id}"
    assert abs(sent["timestamp"] - time.time()) < 60
    assert deliveries("sms")[0].status is DeliveryStatus.sent
    assert run_delivery_job() == "" and len(sms.requests) == 1


def test_a_kind_without_its_own_template_uses_the_default(sms):
    """Messages of other kinds use the default template."""
    queue_text(kind="opinion_overdue")
    run_delivery_job()
    assert json.loads(sms.requests[0][1])["template"] == "SMS_0001"


@pytest.mark.parametrize("sms", [{"status": 503, "answer": b'{"error": "upstream busy"}'}], indirect=True)
def test_a_gateway_error_is_retried(sms):
    """A 5xx answer keeps the text waiting for the next try, with the gateway's reason."""
    queue_text()
    assert run_delivery_job() == "pending 1"
    [waiting] = deliveries("sms")
    assert (waiting.status, waiting.attempts) == (DeliveryStatus.pending, 1)
    assert waiting.last_error == "HTTP 503: upstream busy" and waiting.next_try_at is not None


@pytest.mark.parametrize("sms", [{"status": 400, "answer": b'{"error": "template parameter too long"}'}],
                         indirect=True)
def test_a_refused_text_fails_with_the_reason(sms):
    """A 4xx answer is final: the delivery fails at once with the gateway's words."""
    queue_text()
    assert run_delivery_job() == "failed 1"
    [failed] = deliveries("sms")
    assert (failed.status, failed.last_error) == (
        DeliveryStatus.failed, "HTTP 400: template parameter too long")


@pytest.mark.parametrize("sms", [{"delay": 10}], indirect=True)
def test_a_gateway_that_does_not_answer_is_retried_after_the_timeout(sms):
    """A gateway slower than LIAISON_SMS_TIMEOUT costs the job one timeout; the text waits for a retry."""
    queue_text()
    started = time.monotonic()
    assert run_delivery_job() == "pending 1"
    assert time.monotonic() - started < 5
    [waiting] = deliveries("sms")
    assert waiting.status is DeliveryStatus.pending and "timed out" in waiting.last_error


def test_the_http_gateway_needs_its_settings(tmp_path, monkeypatch):
    """LIAISON_SMS_GATEWAY=http without URL, secret or templates refuses to start; templates are read
    as kind=id pairs."""
    monkeypatch.setenv("LIAISON_SMS_GATEWAY", "http")
    with pytest.raises(ConfigError, match="LIAISON_SMS_URL, LIAISON_SMS_SECRET"):
        load_config(str(tmp_path), {"ENV": "testing"})
    monkeypatch.setenv("LIAISON_SMS_URL", "https://sms.example.gov.cn/send")
    monkeypatch.setenv("LIAISON_SMS_SECRET", "s")
    monkeypatch.setenv("LIAISON_SMS_TEMPLATES", "default=SMS_1, rota_published = SMS_2")
    config = load_config(str(tmp_path), {"ENV": "testing"})
    assert config["LIAISON_SMS_TEMPLATES"] == {"default": "SMS_1", "rota_published": "SMS_2"}
    monkeypatch.setenv("LIAISON_SMS_TEMPLATES", "SMS_1")
    with pytest.raises(ConfigError, match="kind=template_id"):
        load_config(str(tmp_path), {"ENV": "testing"})
