"""The JSON API under /api/v1: the same services and permission checks as the pages."""

from fastapi import APIRouter

from community.api import (
    accounts,
    bookmarks,
    categories,
    forum,
    leaderboard,
    lists,
    notifications,
    uploads,
)

router = APIRouter(prefix="/api/v1")
router.include_router(accounts.router)
router.include_router(notifications.router)
router.include_router(lists.router)
router.include_router(categories.router)
router.include_router(leaderboard.router)
router.include_router(forum.router)
router.include_router(bookmarks.router)
router.include_router(uploads.router)
