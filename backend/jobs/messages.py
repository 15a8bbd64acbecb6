"""Message jobs: send one patient message, and the scan that sends whatever is still pending."""

from __future__ import annotations

from backend.jobs import enqueue
from backend.jobs.context import with_app_context
from backend.services import messages


@with_app_context
def send_message(message_id: int) -> str:
    return messages.send(message_id)


@with_app_context
def dispatch_pending_messages() -> int:
    ids = messages.pending_ids()
    for message_id in ids:
        enqueue(send_message, message_id)
    return len(ids)
