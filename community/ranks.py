"""Ranks by reputation, and the privileges each unlocks (thresholds are settings, ``rank_*``).

| rank        | from (default) | unlocks                                                      |
| newcomer    | 0              | posting; a post with a link waits for a moderator until the   |
|             |                | member has ``newcomer_reviewed_posts`` posts out              |
| contributor | 50             | links without review                                          |
| trusted     | 200            | flags weigh ``trusted_flag_weight`` in the listening queue    |
| guide       | 500            | edit any thread's title and tags                              |
| expert      | 1000           | mark a thread as a duplicate of another                       |

Moderators and admins hold every privilege whatever their reputation. The services check these
(community.policy.Guardian); templates only mirror them.
"""

from dataclasses import dataclass
from enum import StrEnum

from community.i18n import N_
from community.models import User
from community.settings import get_settings


class Rank(StrEnum):
    newcomer = "newcomer"
    contributor = "contributor"
    trusted = "trusted"
    guide = "guide"
    expert = "expert"


LABELS: dict[Rank, str] = {
    Rank.newcomer: N_("Newcomer"),
    Rank.contributor: N_("Contributor"),
    Rank.trusted: N_("Trusted"),
    Rank.guide: N_("Guide"),
    Rank.expert: N_("Expert"),
}


def thresholds() -> list[tuple[Rank, int]]:
    """Every rank with the reputation it starts at, lowest first."""
    settings = get_settings()
    return [
        (Rank.newcomer, 0),
        (Rank.contributor, settings.rank_contributor),
        (Rank.trusted, settings.rank_trusted),
        (Rank.guide, settings.rank_guide),
        (Rank.expert, settings.rank_expert),
    ]


def rank_for(reputation: int) -> Rank:
    current = Rank.newcomer
    for rank, start in thresholds():
        if reputation >= start:
            current = rank
    return current


def at_least(user: User, rank: Rank) -> bool:
    order = [r for r, _ in thresholds()]
    return order.index(rank_for(user.reputation)) >= order.index(rank)


@dataclass(frozen=True)
class Progress:
    rank: Rank
    next_rank: Rank | None
    reputation: int
    start: int  # where the current rank begins
    target: int | None  # where the next one begins

    @property
    def percent(self) -> int:
        if self.target is None:
            return 100
        span = self.target - self.start
        return max(0, min(100, round(100 * (self.reputation - self.start) / span)))

    @property
    def to_go(self) -> int:
        return 0 if self.target is None else max(0, self.target - self.reputation)


def progress(reputation: int) -> Progress:
    """The member's rank and how far along they are to the next one (the profile's bar)."""
    levels = thresholds()
    current = rank_for(reputation)
    index = [r for r, _ in levels].index(current)
    start = levels[index][1]
    following = levels[index + 1] if index + 1 < len(levels) else None
    return Progress(
        rank=current,
        next_rank=following[0] if following else None,
        reputation=reputation,
        start=start,
        target=following[1] if following else None,
    )


# Privileges ------------------------------------------------------------------------------------


def links_without_review(user: User) -> bool:
    """Whether the member's posts with links go out at once by rank alone (else
    community.posting.needs_approval also counts the posts they already have out)."""
    return user.is_moderator or at_least(user, Rank.contributor)


def flag_weight(user: User) -> float:
    """How much the member's flag counts in the listening queue."""
    if user.is_moderator or at_least(user, Rank.trusted):
        return get_settings().trusted_flag_weight
    return 1.0


def edits_any_title_and_tags(user: User) -> bool:
    return user.is_moderator or at_least(user, Rank.guide)


def marks_duplicates(user: User) -> bool:
    return user.is_moderator or at_least(user, Rank.expert)
