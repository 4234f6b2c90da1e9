"""Several senders at once never send one message twice."""

import asyncio
import threading

from portal.notify.operations import send_pending
from tests.conftest import Inbox, free_port


class SlowInbox(Inbox):
    """Takes a moment per message, so that two senders really overlap."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_two_senders_deliver_each_message_exactly_once(make_app, start_smtp, queue_news):
    port, inbox = free_port(), SlowInbox()
    start_smtp(port, inbox)
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    with app.app_context():
        for n in range(24):
            queue_news(to=f"warga{n}@example.test")

    start, results, errors = threading.Barrier(2), [], []

    def sender() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(send_pending())
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(stats.sent for stats in results) == 24
    delivered = [rcpt for envelope in inbox.envelopes for rcpt in envelope.rcpt_tos]
    assert sorted(delivered) == sorted(f"warga{n}@example.test" for n in range(24))
