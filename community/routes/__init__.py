"""HTML pages and htmx partials."""

from fastapi import APIRouter

from community.routes import (
    accounts,
    bookmarks,
    categories,
    email,
    erasure,
    forum,
    leaderboard,
    lists,
    notifications,
    password,
    uploads,
)

router = APIRouter()
router.include_router(accounts.router)
router.include_router(password.router)
router.include_router(email.router)
router.include_router(erasure.router)
router.include_router(notifications.router)
router.include_router(lists.router)
router.include_router(bookmarks.router)
router.include_router(leaderboard.router)
router.include_router(categories.router)
router.include_router(forum.router)
router.include_router(uploads.router)
