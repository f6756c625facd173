"""In-app notifications, produced by the outbox worker from community events."""

from community import events


def consumer() -> events.Consumer:
    return events.Consumer(name="notifications", handlers={})
