"""The ``mail`` outbox consumer: every message the community sends, each with no transaction open
(``events.Outbound``), so a slow or absent SMTP server holds no lock and is retried with backoff."""

from community import events, notification_mail, password_reset


def consumer() -> events.Consumer:
    return events.Consumer(
        name="mail",
        handlers={
            "password_reset_requested": password_reset.send_link,
            "password_changed": password_reset.send_change_notice,
            "notifications_to_mail": notification_mail.send,
        },
        catch_up=notification_mail.queue_due,
        one_per_transaction=True,
    )
