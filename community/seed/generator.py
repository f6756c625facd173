"""Invent the demo community: rows as plain dicts with their ids, counters kept as rows are made.

Everything random comes from one ``random.Random(seed)`` consumed in a fixed order, and every time
is measured back from the reference ``now``: the same seed and now give the same rows.
Thread ids follow creation time; a thread's posts get consecutive ids in post_number order.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from community.models import Role
from community.seed import DEMO_ACCOUNTS
from community.seed import topics as catalogue
from community.seed import vocabulary as vocab
from community.seed.text import SAFE_VALUE, Template, compose

WINDOW_DAYS = 120
ENGLISH_SHARE = 0.3
UNANSWERED_SHARE = 0.07

Row = dict[str, object]
Texts = dict[str, tuple[Template, ...]]

# Regulars who answer a lot (besides luca), by the languages they answer in.
POWER_USERS: tuple[tuple[str, str, str], ...] = (
    ("marco_fibra", "Marco Fibra", "it"),
    ("elena_wifi", "Elena Wi-Fi", "it"),
    ("antonio_tlc", "Antonio TLC", "it"),
    ("francesca_m", "Francesca M.", "it"),
    ("paolo_tech", "Paolo Tech", "it en"),
    ("dave_in_milan", "Dave in Milan", "en"),
    ("sophie_k", "Sophie K.", "en"),
)

# Thread start hours (UTC) and how busy each is: quiet nights, busy evenings.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 3, 3, 4, 6, 6, 6, 6, 5, 5, 5, 5, 8, 8, 8, 8, 8, 4, 4)

QUESTION, COMPLAINT, PRAISE, CHAT = "question", "complaint", "praise", "chat"


def _compile(source: dict[str, tuple[str, ...]]) -> Texts:
    return {lang: tuple(Template(item) for item in items) for lang, items in source.items()}


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


class TopicTexts:
    def __init__(self, topic: catalogue.Topic) -> None:
        self.tags = topic.tags
        self.line_details = topic.line_details
        self.titles = _compile(topic.titles)
        self.complaints = _compile(topic.complaints)
        self.problems = _compile(topic.problems)
        self.grievances = _compile(topic.grievances)
        self.answers = _compile(topic.answers)


class CategoryTexts:
    def __init__(self, spec: catalogue.CategorySpec) -> None:
        self.spec = spec
        self.topics = [TopicTexts(topic) for topic in spec.topics]
        # Topics that someone could angrily complain about, by language.
        self.sore = {
            lang: [topic for topic in self.topics if topic.complaints[lang]]
            for lang in ("it", "en")
        }


@dataclass
class Batch:
    """Rows for some threads, in an order that satisfies the foreign keys."""

    threads: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)
    solutions: list[Row] = field(default_factory=list)
    kudos: list[Row] = field(default_factory=list)
    thread_tags: list[Row] = field(default_factory=list)
    watches: list[Row] = field(default_factory=list)

    def tables(self) -> list[tuple[str, list[Row]]]:
        return [
            ("thread", self.threads),
            ("post", self.posts),
            ("solution", self.solutions),
            ("kudos", self.kudos),
            ("thread_tag", self.thread_tags),
            ("watch", self.watches),
        ]


@dataclass
class _Post:
    id: int
    author_id: int
    created_at: datetime
    kudos_mean: float


class Community:
    """The demo community for one seed, reference time and size."""

    def __init__(self, *, threads: int, seed: int, now: datetime, password_hash: str) -> None:
        if now.tzinfo is None:
            raise ValueError("the reference time must be aware UTC")
        _check_values()
        self.thread_total = threads
        self.now = now.astimezone(UTC)
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.categories = [CategoryTexts(spec) for spec in catalogue.CATEGORIES]
        self.category_cw = _cumulative([spec.weight for spec in catalogue.CATEGORIES])
        self.texts = {
            name: _compile(getattr(vocab, name))
            for name in (
                "OPENERS", "CLOSERS", "DETAILS", "TRIED", "ANGER", "ANGRY_CLOSERS",
                "PRAISE_TITLES", "PRAISE_BODIES", "GREETINGS", "ANSWER_ENDINGS", "ME_TOO",
                "FOLLOWUPS", "BUMPS", "THANKS", "EMPATHY", "COMPENSATION", "STAFF",
                "CHAT_REPLIES",
            )
        }  # fmt: skip
        self.users: list[Row] = []
        self.usernames: list[str] = [""]  # by id; ids start at 1
        self._make_users()
        n = len(self.users) + 1
        self.answer_count = [0] * n
        self.solution_count = [0] * n
        self.kudos_received = [0] * n
        self.thread_count = [0] * n
        self.category_threads = [0] * len(self.categories)
        self.category_posts = [0] * len(self.categories)
        self.category_last: list[tuple[datetime, int] | None] = [None] * len(self.categories)
        self.next_post_id = 1
        self.next_kudos_id = 1
        self.post_total = 0

    # -- users --------------------------------------------------------------------------------

    def _make_users(self) -> None:
        rng = self.rng
        taken: set[str] = set()
        for account in DEMO_ACCOUNTS:
            self._add_user(account.username, account.display_name, account.role, account.language)
            taken.add(account.username)
        self.giulia, self.luca, self.sara = 1, 2, 3
        self.power: dict[str, list[int]] = {"it": [], "en": []}
        for username, display_name, languages in POWER_USERS:
            user_id = self._add_user(username, display_name, Role.member, languages[:2])
            taken.add(username)
            for lang in languages.split():
                self.power[lang].append(user_id)
        self.members: dict[str, list[int]] = {"it": [], "en": []}
        weights: dict[str, list[float]] = {"it": [], "en": []}
        for _ in range(max(60, self.thread_total // 3)):
            lang = "en" if rng.random() < ENGLISH_SHARE else "it"
            if lang == "it":
                first = rng.choice(vocab.ITALIAN_FIRST_NAMES)
                last = rng.choice(vocab.ITALIAN_SURNAMES)
            else:
                first = rng.choice(vocab.ENGLISH_FIRST_NAMES)
                last = rng.choice(vocab.ENGLISH_SURNAMES)
            base = rng.choice(vocab.USERNAME_PATTERNS).format(
                f=first.lower(), l=last.lower(), i=last[0].lower()
            )
            username = base
            while username in taken:
                username = f"{base}{rng.randint(2, 999)}"
            taken.add(username)
            display_name = f"{first} {last[0]}." if rng.random() < 0.6 else f"{first} {last}"
            user_id = self._add_user(username, display_name, Role.member, lang)
            self.members[lang].append(user_id)
            # A few members are chatty, most ask once or twice.
            weights[lang].append(min(rng.paretovariate(1.3), 40.0))
        self.member_cw = {lang: _cumulative(w) for lang, w in weights.items()}

    def _add_user(self, username: str, display_name: str, role: Role, language: str) -> int:
        user_id = len(self.users) + 1
        joined = self.now - timedelta(
            days=self.rng.uniform(WINDOW_DAYS + 5, 1500), seconds=self.rng.randrange(86400)
        )
        self.users.append(
            {
                "id": user_id,
                "username": username,
                "email": f"{username}@example.com",
                "display_name": display_name,
                "password_hash": self.password_hash,
                "role": str(role),
                "language": language,
                "created_at": joined,
                "session_epoch": 0,
                "is_active": True,
                "email_verified_at": joined,  # the demo's addresses need no confirming
                "answer_count": 0,
                "solution_count": 0,
                "kudos_received": 0,
                "thread_count": 0,
            }
        )
        self.usernames.append(username)
        return user_id

    def _member(self, lang: str) -> int:
        return self.rng.choices(self.members[lang], cum_weights=self.member_cw[lang])[0]

    def _asker(self, lang: str) -> int:
        if lang == "it" and self.rng.random() < 0.01:
            return self.giulia
        if self.rng.random() < 0.03:
            return self.rng.choice(self.power[lang])
        return self._member(lang)

    def _replier(self, lang: str, asker: int) -> int:
        while True:
            r = self.rng.random()
            if r < 0.08:
                user_id = self.luca
            elif r < 0.30:
                user_id = self.rng.choice(self.power[lang])
            else:
                user_id = self._member(lang)
            if user_id != asker:
                return user_id

    # -- categories ---------------------------------------------------------------------------

    def category_rows(self) -> list[Row]:
        return [
            {
                "id": index + 1,
                "slug": texts.spec.slug,
                "name": texts.spec.name,
                "description_it": texts.spec.description_it,
                "description_en": texts.spec.description_en,
                "position": index + 1,
                "thread_count": 0,
                "post_count": 0,
            }
            for index, texts in enumerate(self.categories)
        ]

    # -- threads ------------------------------------------------------------------------------

    def batches(self, size: int) -> Iterator[Batch]:
        """Every thread with its posts, kudos, solution, tags and watches, `size` at a time."""
        times = sorted(self._thread_time() for _ in range(self.thread_total))
        batch = Batch()
        for thread_id, created_at in enumerate(times, start=1):
            self._thread(batch, thread_id, created_at)
            if len(batch.threads) >= size:
                yield batch
                batch = Batch()
        if batch.threads:
            yield batch

    def _thread_time(self) -> datetime:
        rng = self.rng
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        day = int(WINDOW_DAYS * rng.random() ** 1.15)
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        created = midnight - timedelta(days=day, hours=-hour, seconds=-rng.randrange(3600))
        if created > self.now - timedelta(minutes=5):
            created = self.now - timedelta(seconds=rng.randint(300, 12 * 3600))
        return created

    def _thread(self, batch: Batch, thread_id: int, created_at: datetime) -> None:
        rng = self.rng
        category = rng.choices(range(len(self.categories)), cum_weights=self.category_cw)[0]
        texts = self.categories[category]
        lang = "en" if rng.random() < ENGLISH_SHARE else "it"
        kind = self._kind(texts, lang)
        topic = rng.choice(texts.sore[lang] if kind == COMPLAINT else texts.topics)
        asker = self._asker(lang)
        values = self._values(lang)
        values["asker"] = self.usernames[asker]
        values["helper"] = self.usernames[self.luca]
        title_template, opening = self._opening(kind, texts, topic, lang)
        title = title_template.fill(values)
        posts: list[_Post] = []
        watchers: dict[int, datetime] = {}
        solution: tuple[_Post, datetime] | None = None

        def add(author: int, at: datetime, blocks: list[Template], kudos_mean: float) -> _Post:
            body, html = compose(blocks, values)
            post = _Post(self.next_post_id, author, at, kudos_mean)
            self.next_post_id += 1
            batch.posts.append(
                {
                    "id": post.id,
                    "thread_id": thread_id,
                    "author_id": author,
                    "post_number": len(posts) + 1,
                    "body": body,
                    "body_html": html,
                    "language": lang,
                    "created_at": at,
                    "published_at": at,
                    "revision_count": 0,
                    "kudos_count": 0,
                }
            )
            posts.append(post)
            watchers.setdefault(author, at)
            return post

        add(asker, created_at, opening, 0.6)
        target = self._reply_total(kind)
        wants_solution = (kind == QUESTION and rng.random() < 0.55) or (
            kind == COMPLAINT and rng.random() < 0.12
        )
        staff_at = 1 + rng.randrange(2) if kind == COMPLAINT and rng.random() < 0.3 else -1
        last_answer: _Post | None = None
        thanks_due = False
        at = created_at
        for index in range(target):
            at = at + self._delay(first=index == 0)
            if at > self.now - timedelta(minutes=1):
                break
            if thanks_due and solution is not None:
                values["helper"] = self.usernames[solution[0].author_id]
                add(asker, at, [rng.choice(self.texts["THANKS"][lang])], 0.3)
                thanks_due = False
                continue
            if index == staff_at:
                add(self.sara, at, [rng.choice(self.texts["STAFF"][lang])], 1.5)
                continue
            if index > 0 and rng.random() < 0.16:
                answered = any(p.author_id != asker for p in posts)
                pool = "FOLLOWUPS" if answered else "BUMPS"
                add(asker, at, [rng.choice(self.texts[pool][lang])], 0.2)
                continue
            author = self._replier(lang, asker)
            role = self._role(kind)
            is_power = author == self.luca or author in self.power[lang]
            blocks = self._reply_blocks(role, topic, lang)
            post = add(author, at, blocks, 2.0 if is_power else 0.9)
            if role in ("answer", "empathy"):
                last_answer = post
                if (
                    wants_solution
                    and solution is None
                    and rng.random() < (0.5 if is_power else 0.3)
                ):
                    solution = (post, self._after(at, hours=3))
                    thanks_due = rng.random() < 0.6
        if target == 0 and rng.random() < 0.3:
            bump_at = created_at + timedelta(days=rng.uniform(1, 3))
            if bump_at < self.now:
                add(asker, bump_at, [rng.choice(self.texts["BUMPS"][lang])], 0.0)
        if wants_solution and solution is None and last_answer is not None:
            solution = (last_answer, self._after(last_answer.created_at, hours=6))
        tags: list[str] = []
        if kind != PRAISE:
            tags = rng.sample(topic.tags, min(len(topic.tags), rng.choice((0, 1, 1, 2))))
        self._finish(
            batch, thread_id, category, lang, asker, title, tags, posts, watchers, solution
        )

    def _finish(
        self,
        batch: Batch,
        thread_id: int,
        category: int,
        lang: str,
        asker: int,
        title: str,
        tags: list[str],
        posts: list[_Post],
        watchers: dict[int, datetime],
        solution: tuple[_Post, datetime] | None,
    ) -> None:
        rng = self.rng
        first_post_row = len(batch.posts) - len(posts)
        thread_kudos = 0
        for offset, post in enumerate(posts):
            mean = post.kudos_mean + (4.0 if solution and solution[0] is post else 0.0)
            givers = self._kudos(
                batch, post, mean, asker if solution and solution[0] is post else 0
            )
            batch.posts[first_post_row + offset]["kudos_count"] = givers
            self.kudos_received[post.author_id] += givers
            thread_kudos += givers
            # Every seeded post is public, so each reply to someone else is an answer, each
            # question a thread started and each accepted answer a solution
            # (community.profile_counts).
            if post.author_id != asker:
                self.answer_count[post.author_id] += 1
        first_response = next((p.created_at for p in posts if p.author_id != asker), None)
        last = posts[-1]
        batch.threads.append(
            {
                "id": thread_id,
                "category_id": category + 1,
                "author_id": asker,
                "title": title,
                "tags": " ".join(tags),
                "language": lang,
                "created_at": posts[0].created_at,
                "last_activity_at": last.created_at,
                "last_post_id": last.id,
                "reply_count": len(posts) - 1,
                "kudos_count": thread_kudos,
                "view_count": (len(posts) - 1) * rng.randint(8, 40) + rng.randint(3, 60),
                "first_response_at": first_response,
                "solved_at": solution[1] if solution else None,
                "is_locked": False,
            }
        )
        batch.thread_tags.extend({"thread_id": thread_id, "tag": tag} for tag in tags)
        batch.watches.extend(
            {"user_id": user_id, "thread_id": thread_id, "watching": True, "created_at": at}
            for user_id, at in watchers.items()
        )
        if solution:
            post, accepted_at = solution
            batch.solutions.append(
                {
                    "thread_id": thread_id,
                    "post_id": post.id,
                    "accepted_by_id": asker,
                    "accepted_at": accepted_at,
                }
            )
            self.solution_count[post.author_id] += 1
        self.thread_count[asker] += 1
        self.category_threads[category] += 1
        self.category_posts[category] += len(posts)
        self.post_total += len(posts)
        previous = self.category_last[category]
        if previous is None or (last.created_at, thread_id) > previous:
            self.category_last[category] = (last.created_at, thread_id)

    def _kudos(self, batch: Batch, post: _Post, mean: float, first_giver: int) -> int:
        rng = self.rng
        if mean <= 0:
            return 0
        wanted = min(int(rng.expovariate(1 / mean)), 25)
        if first_giver and first_giver != post.author_id:
            wanted = max(wanted, 1)
        givers: list[int] = [first_giver] if first_giver and wanted else []
        user_total = len(self.users)
        tries = 0
        while len(givers) < wanted and tries < wanted * 3:
            tries += 1
            giver = rng.randint(1, user_total)
            if giver != post.author_id and giver not in givers:
                givers.append(giver)
        for giver in givers:
            batch.kudos.append(
                {
                    "id": self.next_kudos_id,
                    "post_id": post.id,
                    "user_id": giver,
                    "created_at": self._after(post.created_at, hours=5),
                }
            )
            self.next_kudos_id += 1
        return len(givers)

    # -- text ---------------------------------------------------------------------------------

    def _kind(self, texts: CategoryTexts, lang: str) -> str:
        r = self.rng.random()
        if texts.spec.is_lounge:
            return CHAT if r < 0.8 else PRAISE
        if r < 0.64:
            return QUESTION
        if r < 0.9 and texts.sore[lang]:
            return COMPLAINT
        return PRAISE

    def _role(self, kind: str) -> str:
        r = self.rng.random()
        if kind == QUESTION:
            return "answer" if r < 0.8 else "metoo"
        if kind == COMPLAINT:
            return "empathy" if r < 0.45 else "metoo" if r < 0.75 else "answer"
        if kind == CHAT:
            return "lounge" if r < 0.7 else "chat"
        return "chat"

    def _values(self, lang: str) -> dict[str, str]:
        rng = self.rng
        values = {slot: rng.choice(options) for slot, options in vocab.SHARED_VALUES.items()}
        for slot, options in vocab.SLOT_VALUES[lang].items():
            values[slot] = rng.choice(options)
        city = values["city"]
        values["incity"] = vocab.in_city(city) if lang == "it" else f"in {city}"
        return values

    def _opening(
        self, kind: str, texts: CategoryTexts, topic: TopicTexts, lang: str
    ) -> tuple[Template, list[Template]]:
        rng = self.rng
        pick = rng.choice
        t = self.texts
        title: Template
        blocks: list[Template] = []
        if kind in (QUESTION, CHAT):
            title = pick(topic.titles[lang])
            if kind == QUESTION and rng.random() < 0.6:
                blocks.append(pick(t["OPENERS"][lang]))
            blocks.append(pick(topic.problems[lang]))
            if kind == QUESTION:
                r = rng.random() if texts.spec.line_details and topic.line_details else 1.0
                if r < 0.35:
                    blocks.append(pick(t["DETAILS"][lang]))
                elif r < 0.6:
                    blocks.append(pick(t["TRIED"][lang]))
                if rng.random() < 0.7:
                    blocks.append(pick(t["CLOSERS"][lang]))
        elif kind == COMPLAINT:
            title = pick(topic.complaints[lang])
            blocks.append(pick(t["ANGER"][lang]))
            blocks.append(pick(topic.grievances[lang] or topic.problems[lang]))
            if texts.spec.line_details and rng.random() < 0.4:
                blocks.append(pick(t["TRIED"][lang]))
            blocks.append(pick(t["ANGRY_CLOSERS"][lang]))
        else:
            title = pick(t["PRAISE_TITLES"][lang])
            blocks.append(pick(t["PRAISE_BODIES"][lang]))
        return title, blocks

    def _reply_blocks(self, role: str, topic: TopicTexts, lang: str) -> list[Template]:
        rng = self.rng
        pick = rng.choice
        t = self.texts
        if role == "answer":
            blocks = [pick(t["GREETINGS"][lang])] if rng.random() < 0.5 else []
            blocks.append(pick(topic.answers[lang]))
            if rng.random() < 0.3:
                blocks.append(pick(t["ANSWER_ENDINGS"][lang]))
            return blocks
        if role == "empathy":
            second = t["COMPENSATION"][lang] if rng.random() < 0.5 else topic.answers[lang]
            return [pick(t["EMPATHY"][lang]), pick(second)]
        if role == "lounge":
            return [pick(topic.answers[lang])]
        if role == "metoo":
            return [pick(t["ME_TOO"][lang])]
        return [pick(t["CHAT_REPLIES"][lang])]

    # -- time ---------------------------------------------------------------------------------

    def _reply_total(self, kind: str) -> int:
        rng = self.rng
        r = rng.random()
        if r < UNANSWERED_SHARE:
            return 0
        if kind == COMPLAINT and r > 0.97:
            return rng.randint(25, 80)
        return 1 + int(rng.expovariate(1 / 5.2))

    def _delay(self, *, first: bool) -> timedelta:
        median_minutes = 45 if first else 150
        minutes = math.exp(self.rng.gauss(math.log(median_minutes), 1.25))
        return timedelta(minutes=min(minutes, 10 * 24 * 60))

    def _after(self, at: datetime, *, hours: float) -> datetime:
        later = at + timedelta(minutes=1 + self.rng.expovariate(1 / (hours * 60)))
        return min(later, self.now)

    # -- counters -----------------------------------------------------------------------------

    def user_counter_rows(self) -> list[Row]:
        return [
            {
                "user_id": user_id,
                "answer_count": self.answer_count[user_id],
                "solution_count": self.solution_count[user_id],
                "kudos_received": self.kudos_received[user_id],
                "thread_count": self.thread_count[user_id],
            }
            for user_id in range(1, len(self.users) + 1)
            if self.answer_count[user_id]
            or self.kudos_received[user_id]
            or self.thread_count[user_id]
        ]

    def category_counter_rows(self) -> list[Row]:
        rows: list[Row] = []
        for index, last in enumerate(self.category_last):
            rows.append(
                {
                    "category_id": index + 1,
                    "thread_count": self.category_threads[index],
                    "post_count": self.category_posts[index],
                    "last_activity_at": last[0] if last else None,
                    "last_thread_id": last[1] if last else None,
                }
            )
        return rows


def _check_values() -> None:
    """Slot values must mean nothing to Markdown or HTML, or the cached HTML would be wrong."""
    for options in [*vocab.SHARED_VALUES.values()] + [
        options for lang in vocab.SLOT_VALUES.values() for options in lang.values()
    ]:
        for value in options:
            if not SAFE_VALUE.match(value):
                raise ValueError(f"unsafe slot value in the seed vocabulary: {value!r}")
