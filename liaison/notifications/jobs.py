"""The task that delivers queued messages (email, SMS) from the scheduler process, never from a web worker."""
from flask_babel import lazy_gettext as _l

from liaison.jobs.registry import task
from liaison.notifications.delivery import deliver_pending


@task("deliver_messages", title=_l("发送消息（邮件、短信）"),
      seconds=lambda config: config["LIAISON_DELIVERY_INTERVAL_SECONDS"])
def deliver_messages():
    """Send the queued deliveries that are due; a run with nothing due does nothing."""
    counts = deliver_pending()
    if not counts:
        return ""
    return ", ".join(f"{outcome} {n}" for outcome, n in sorted(counts.items()))
