"""The ``mail`` outbox consumer: every message the community sends, each with no transaction open
(``events.Outbound``), so a slow or absent SMTP server holds no lock and is retried with backoff."""

from community import email_confirmation, events, notification_mail, password_reset


def consumer() -> events.Consumer:
    return events.Consumer(
        name="mail",
        handlers={
            "password_reset_requested": password_reset.send_link,
            "password_changed": password_reset.send_change_notice,
            "notifications_to_mail": notification_mail.send,
            "user_signed_up": email_confirmation.send_link,
            "email_confirmation_requested": email_confirmation.send_link,
            "email_changed": email_confirmation.send_change_notice,
        },
        catch_up=notification_mail.queue_due,
        one_per_transaction=True,
    )
