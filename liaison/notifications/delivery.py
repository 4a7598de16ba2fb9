"""Sending queued deliveries: claim one due row, hand it to its channel, record sent or the retry.

Runs in the scheduler process only (the ``deliver_messages`` task), never in a web worker. Each
delivery is claimed alone: on PostgreSQL with ``SELECT ... FOR UPDATE SKIP LOCKED``, held while the
channel talks to the server, so a second process (a scheduler taking over, ``liaison jobs run
deliver_messages`` by hand) takes the next row instead of the same one. On SQLite every transaction
holds the one write lock (``BEGIN IMMEDIATE``), so the claim is committed before the network call
and the outcome is written in a new transaction; one scheduler per SQLite file (its file lock)
keeps that safe.

At least once, never "exactly once": only a pending row is claimed and a row marked sent is never
claimed again, but a process that dies after the server accepted a message and before its commit
leaves the row pending, and the message goes out once more on the next run.
"""
import logging
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from liaison.clock import utcnow
from liaison.extensions import db
from liaison.notifications.channels import DeliveryFailed, Outgoing, configured_channels
from liaison.notifications.models import Delivery, DeliveryStatus, Message

log = logging.getLogger(__name__)

#: At most this many deliveries per run, and no new claim after this many seconds: the scheduler's
#: one worker thread is shared with the cron jobs, which must not wait long.
BATCH_MAX = 200
RUN_SECONDS = 20
#: The back-off doubles from LIAISON_DELIVERY_RETRY_SECONDS up to this.
BACKOFF_MAX = timedelta(hours=6)


def backoff(attempts, config=None):
    """How long to wait after the ``attempts``-th failed try: base × 2^(attempts-1), at most 6 hours."""
    config = config or current_app.config
    seconds = config["LIAISON_DELIVERY_RETRY_SECONDS"] * 2 ** min(attempts - 1, 30)
    return min(timedelta(seconds=seconds), BACKOFF_MAX)


def _holds_row_locks():
    """Tell whether the database locks single rows (PostgreSQL and its kin); SQLite locks the file."""
    return db.session.get_bind().dialect.name != "sqlite"


def claim_next(channel_names, now):
    """Lock and read the next due pending delivery on one of ``channel_names``: (Outgoing, attempts so
    far), or None. On PostgreSQL the row stays locked until the caller commits."""
    row = db.session.execute(
        sa.select(Delivery.id, Delivery.channel, Delivery.address, Delivery.attempts,
                  Message.kind, Message.subject, Message.body)
        .join(Message, Message.id == Delivery.message_id)
        .where(Delivery.status == DeliveryStatus.pending, Delivery.next_try_at <= now,
               Delivery.channel.in_(channel_names))
        .order_by(Delivery.next_try_at, Delivery.id).limit(1)
        .with_for_update(of=Delivery, skip_locked=True)).first()
    if row is None:
        return None
    return Outgoing(row.id, row.address, row.kind, row.subject, row.body), row.channel, row.attempts


def record_sent(delivery_id):
    """Mark a claimed delivery sent (only if still pending: a sent row is never touched again)."""
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.pending)
        .values(status=DeliveryStatus.sent, sent_at=utcnow(), attempts=Delivery.attempts + 1, last_error="",
                next_try_at=None))


def record_failure(delivery_id, attempts, failure, now):
    """Count a failed try: retry after the back-off, or mark failed (refused for good, or out of tries).
    Returns the new status."""
    tries = attempts + 1
    gives_up = failure.permanent or tries >= current_app.config["LIAISON_DELIVERY_MAX_ATTEMPTS"]
    status = DeliveryStatus.failed if gives_up else DeliveryStatus.pending
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.pending)
        .values(status=status, attempts=tries, last_error=failure.reason,
                next_try_at=None if gives_up else now + backoff(tries)))
    return status


def deliver_one(channels, now):
    """Claim, send and record one due delivery on one of ``channels`` (by name) and commit; returns
    (channel name, outcome, the failure or None), or None when nothing is due."""
    claimed = claim_next(list(channels), now)
    if claimed is None:
        db.session.commit()
        return None
    outgoing, channel_name, attempts = claimed
    if not _holds_row_locks():
        # Never keep SQLite's write lock across a network call: the web would wait for the server.
        db.session.commit()
    failure = None
    try:
        channels[channel_name].deliver(outgoing)
    except DeliveryFailed as error:
        failure = error
    except Exception as error:  # noqa: BLE001 - an adapter's bug costs a retry, not the whole run
        log.exception("delivery raised: delivery=%s channel=%s", outgoing.delivery_id, channel_name)
        failure = DeliveryFailed(f"{type(error).__name__}: {error}")
    if failure is None:
        record_sent(outgoing.delivery_id)
        outcome = "sent"
        log.info("delivery sent: delivery=%s channel=%s", outgoing.delivery_id, channel_name)
    else:
        outcome = record_failure(outgoing.delivery_id, attempts, failure, now).value
        log.warning("delivery failed: delivery=%s channel=%s attempt=%s outcome=%s reason=%s",
                    outgoing.delivery_id, channel_name, attempts + 1, outcome, failure.reason)
    db.session.commit()
    return channel_name, outcome, failure


def deliver_pending(now=None, batch_max=BATCH_MAX, run_seconds=RUN_SECONDS):
    """Send the due deliveries of every sending channel, one at a time; returns a Counter of outcomes.

    A channel whose server cannot be reached (a timeout, a refused connection, a 5xx gateway) is
    left alone for the rest of the run: one timeout per run, not one per waiting message.
    """
    now = now or utcnow()
    channels = {channel.name: channel for channel in configured_channels() if not channel.holds}
    counts = Counter()
    started = time.monotonic()
    while channels and sum(counts.values()) < batch_max and time.monotonic() - started < run_seconds:
        done = deliver_one(channels, now)
        if done is None:
            break
        channel_name, outcome, failure = done
        counts[outcome] += 1
        if failure is not None and failure.channel_down:
            del channels[channel_name]
    return counts
