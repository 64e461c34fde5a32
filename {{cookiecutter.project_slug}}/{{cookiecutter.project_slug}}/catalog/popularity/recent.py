"""Each signed-in user's recently viewed products: a capped list per user."""

from typing import Any

from django.conf import settings

from .store import MakeKey, fail_open

DAY = 24 * 3600


def recent_key(user_id: int) -> str:
    return f"catalog:recent:{user_id}"


def recent_queue(pipe: Any, make_key: MakeKey, *, user_id: int, product_id: int) -> None:
    """Queue on `pipe`: `product_id` first in `user_id`'s list, once, capped, kept for its days.

    Safe to send twice (store.with_scripts may): the list ends the same.
    """
    key = make_key(recent_key(user_id))
    pipe.lrem(key, 0, product_id)  # once in the list, at its latest place
    pipe.lpush(key, product_id)
    pipe.ltrim(key, 0, settings.RECENTLY_VIEWED_MAX - 1)
    pipe.expire(key, settings.RECENTLY_VIEWED_DAYS * DAY)


def recently_viewed_ids(*, user_id: int) -> list[int]:
    """Product ids `user_id` viewed, latest first, without repeats, at most RECENTLY_VIEWED_MAX.

    One round trip; empty when Redis is unreachable or absent.
    """

    def read(client: Any, make_key: MakeKey) -> list[int]:
        ids = client.lrange(make_key(recent_key(user_id)), 0, settings.RECENTLY_VIEWED_MAX - 1)
        return [int(pk) for pk in ids]

    return fail_open("recently viewed", read, [])


def recently_viewed_clear(*, user_id: int) -> None:
    """Forget what `user_id` viewed (their account was closed). Fails open like the rest."""

    def delete(client: Any, make_key: MakeKey) -> None:
        client.delete(make_key(recent_key(user_id)))

    fail_open("recently viewed", delete, None)


def recently_viewed_forget(sender: object, *, user_id: int, **kwargs: object) -> None:
    """Receiver of users' `account_closed`: a closed account's browsing is not kept."""
    recently_viewed_clear(user_id=user_id)
