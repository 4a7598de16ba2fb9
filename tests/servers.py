"""Real processes for tests: gunicorn instances, the scheduler and `liaison` commands started as
subprocesses on a test database, and a small HTTP client that behaves like one phone's browser."""
import http.client
import http.cookies
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse

#: The repository root: gunicorn finds ``wsgi:app`` there.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIAISON = os.path.join(os.path.dirname(sys.executable), "liaison")
#: The sample gunicorn configuration shipped for deployments; the tests run the same one.
GUNICORN_CONFIG = os.path.join(ROOT, "deploy", "gunicorn.conf.py")


def wait_for(condition, timeout=30, what="condition"):
    """Poll until ``condition()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Process:
    """A subprocess whose stdout and stderr go to files that can be read while it runs."""

    def __init__(self, name, args, env, folder):
        self.name = name
        self.paths = (os.path.join(folder, f"{name}.out"), os.path.join(folder, f"{name}.err"))
        self.handles = tuple(open(path, "w+") for path in self.paths)
        # Its own process group, so stopping it also stops the workers it forked.
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.handles[0], stderr=self.handles[1],
                                      start_new_session=True)

    @property
    def stdout(self):
        with open(self.paths[0]) as f:
            return f.read()

    @property
    def stderr(self):
        with open(self.paths[1]) as f:
            return f.read()

    def poll(self):
        return self.popen.poll()

    def wait(self, timeout=30):
        return self.popen.wait(timeout=timeout)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Stop the process (and its process group), then close its files; safe to call twice."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
            except ProcessLookupError:
                self.popen.wait()
        for handle in self.handles:
            if not handle.closed:
                handle.close()
        return self.popen.returncode

    def __repr__(self):
        return f"<Process {self.name} rc={self.popen.poll()}>"


class Processes:
    """Every process a test started, so one ``stop_all`` in a ``finally`` ends them even on failure."""

    def __init__(self, env, folder):
        self.env = env
        self.folder = folder
        self.started = []

    def start(self, name, args):
        process = Process(name, args, self.env, self.folder)
        self.started.append(process)
        return process

    def gunicorn(self, *names, workers=2):
        """Start one app instance per name, each on a free loopback port, all at once; returns
        [(process, base URL)] once every one answers /healthz."""
        started = [self.start(name, [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG,
                                     "--bind", "127.0.0.1:0", "--workers", str(workers), "wsgi:app"])
                   for name in names]
        return [(process, _wait_until_serving(process)) for process in started]

    def liaison(self, name, *args):
        """Start a ``liaison`` command (e.g. ``scheduler``, or ``jobs run …``)."""
        return self.start(name, [LIAISON, *args])

    def stop_all(self):
        for process in reversed(self.started):
            process.stop()


def _wait_until_serving(process):
    """The base URL of a gunicorn instance once it says where it listens and answers /healthz."""
    port = []

    def listening():
        if process.poll() is not None:
            raise AssertionError(f"{process.name} exited: {process.stderr[-2000:]}")
        match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", process.stderr)
        if match:
            port.append(int(match.group(1)))
        return bool(port)

    wait_for(listening, what=f"{process.name} to listen")
    base = f"http://127.0.0.1:{port[0]}"
    wait_for(lambda: _healthy(base), what=f"{process.name} /healthz")
    return base


def _healthy(base):
    try:
        return Browser(base).get("/healthz").status == 200
    except OSError:
        return False


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", errors="replace")

    @property
    def location(self):
        return self.headers.get("Location", "")

    def hidden(self, name):
        """The value of the hidden (or any) input ``name`` on the page."""
        for tag in re.findall(r"<input[^>]*>", self.text):
            if f'name="{name}"' in tag:
                match = re.search(r'value="([^"]*)"', tag)
                return match.group(1) if match else ""
        raise AssertionError(f"no input {name} on the page (status {self.status}): {self.text[:300]}")


class Browser:
    """One phone's browser: keeps its cookies (which, like a browser's, ignore the port), and sends
    each request to whichever instance it is given, as a load balancer would."""

    def __init__(self, base, timeout=30):
        self.base = base
        self.timeout = timeout
        self.cookies = {}

    def get(self, path, base=None):
        return self.request("GET", path, base=base)

    def post(self, path, data, base=None):
        return self.request("POST", path, body=urllib.parse.urlencode(data),
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, base=base)

    def request(self, method, path, body=None, headers=None, base=None):
        url = urllib.parse.urlsplit(base or self.base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in raw.headers.get_all("Set-Cookie") or ():
            self._remember(header)
        return response

    def _remember(self, header):
        cookie = http.cookies.SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or not morsel.value or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def sign_in(self, mobile, password, base=None):
        """The login form as a person fills it in; returns the response to the POST."""
        page = self.get("/login", base=base)
        assert page.status == 200, page.text[:300]
        return self.post("/login", {"csrf_token": page.hidden("csrf_token"), "mobile": mobile,
                                    "password": password, "remember": "y"}, base=base)
