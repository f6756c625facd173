"""Demo data: a believable support community for Connettia, an Italian broadband and mobile brand.

``generator`` invents users, categories, threads, replies, kudos and accepted solutions from
``vocabulary`` with one ``random.Random(seed)`` and a fixed reference "now", so the same seed and
now give the same rows. ``loader`` writes them with SQLAlchemy Core bulk inserts in one
transaction, with every denormalised counter already consistent with the rows.

Seeding writes no outbox events: nothing happened, the data simply is. Derived data (search index,
moderation signals, notifications) is rebuilt from the rows by its own commands.
"""

from dataclasses import dataclass

from community.models import Role

# Shared by every seeded account, printed by `peerdesk seed` (and so by `make run`).
DEMO_PASSWORD = "peerdesk-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    language: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("giulia", "Giulia Ferri", Role.member, "it"),
    DemoAccount("luca", "Luca Bianchi", Role.member, "it"),
    DemoAccount("sara", "Sara · Team Connettia", Role.moderator, "it"),
    DemoAccount("admin", "Admin Connettia", Role.admin, "it"),
)
