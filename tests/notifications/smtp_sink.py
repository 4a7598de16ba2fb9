"""A tiny SMTP server on a loopback port that keeps what it receives (Python 3.11 has no smtpd)."""
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    """Speaks just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink.test ESMTP")
        sender, recipients, data, in_data = None, [], [], False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    self.server.received.append((sender, recipients, b"".join(data)))
                    sender, recipients, data, in_data = None, [], [], False
                    self.reply("250 OK queued")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command == b"EHLO":
                self.reply("250-sink.test")
                self.reply("250 8BITMIME")
            elif command == b"HELO":
                self.reply("250 sink.test")
            elif command == b"MAIL":
                sender = line.decode().split(":", 1)[1].strip()
                self.reply("250 OK")
            elif command == b"RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip())
                self.reply("250 OK")
            elif command == b"DATA":
                in_data = True
                self.reply("354 End data with <CR><LF>.<CR><LF>")
            elif command in (b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif command == b"QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    """``with SmtpSink() as sink: ... sink.port ... sink.received``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = []

    @property
    def port(self):
        return self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
