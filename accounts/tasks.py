"""Background jobs of the accounts app."""

from celery import shared_task

from .sign_ins import email_new_browser, forget_old_sign_ins


@shared_task(name="accounts.email_new_browser", acks_late=True, reject_on_worker_lost=True)
def email_new_browser_task(event_id: int) -> None:
    """Sent through the outbox (``core.jobs``): written with the sign-in, never lost to a broker outage."""
    email_new_browser(event_id)


@shared_task(name="accounts.forget_old_sign_ins", acks_late=True)
def forget_old_sign_ins_task() -> int:
    return forget_old_sign_ins()
