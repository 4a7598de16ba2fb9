"""Real SMTP servers (aiosmtpd) on loopback ports: one that keeps what it receives, one that refuses
recipients, one that answers "try later", and one that hangs after the message data."""
import asyncio
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    """What the server answers: ``accept`` (250), ``refuse`` (550 on RCPT), ``defer`` (451 on RCPT)
    or ``hang`` (no answer to DATA until the server stops)."""

    def __init__(self, mode):
        self.mode = mode
        self.received = []
        self.sessions = 0
        self.release = threading.Event()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse":
            return "550 5.1.1 mailbox unavailable"
        if self.mode == "defer":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "hang":
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "421 shutting down"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK queued"


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.port ... sink.received`` (``mode`` as ``_Handler`` says)."""

    def __init__(self, mode="accept"):
        self.handler = _Handler(mode)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)

    @property
    def port(self):
        return self.controller.port

    @property
    def received(self):
        """(envelope sender, recipients, raw message bytes) per accepted message."""
        return self.handler.received

    @property
    def sessions(self):
        """How many clients said EHLO: a request that talked SMTP would show here."""
        return self.handler.sessions

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.release.set()
        self.controller.stop()
