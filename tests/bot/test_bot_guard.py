"""Allowlist and the per-user queue (messages run one at a time, in order, none dropped)."""

from __future__ import annotations

import asyncio

import pytest

from bot.guard import Allowlist, QueueFull, UserQueue


def test_allowlist_empty_allows_everyone() -> None:
    assert Allowlist([]).allows(1, 2)


def test_allowlist_user_or_chat() -> None:
    allow = Allowlist([10, -100])
    assert allow.allows(10, 999)
    assert allow.allows(5, -100)
    assert not allow.allows(5, 6)
    assert not allow.allows(None, None)


def test_queue_runs_a_users_requests_in_order_and_others_in_parallel() -> None:
    async def scenario() -> list[str]:
        queue = UserQueue(limit=5)
        log: list[str] = []
        first_in = asyncio.Event()
        release = asyncio.Event()

        async def job(user: int, name: str, hold: bool = False) -> None:
            async with queue.turn(user):
                log.append(f"start {name}")
                if hold:
                    first_in.set()
                    await release.wait()
                log.append(f"end {name}")

        t1 = asyncio.create_task(job(1, "a", hold=True))
        await first_in.wait()
        assert queue.is_busy(1)
        t2 = asyncio.create_task(job(1, "b"))
        t3 = asyncio.create_task(job(1, "c"))
        await asyncio.sleep(0)
        assert queue.waiting(1) == 2
        await job(2, "other")  # another user is not blocked by user 1
        release.set()
        await asyncio.gather(t1, t2, t3)
        assert not queue.is_busy(1) and queue.waiting(1) == 0
        return log

    log = asyncio.run(scenario())
    assert log == ["start a", "start other", "end other", "end a", "start b", "end b", "start c", "end c"]


def test_queue_is_bounded_and_released_after_errors() -> None:
    async def scenario() -> None:
        queue = UserQueue(limit=1)
        release = asyncio.Event()

        async def hold() -> None:
            async with queue.turn(1):
                await release.wait()

        holder = asyncio.create_task(hold())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(QueueFull):
            async with queue.turn(1):
                pass
        release.set()
        await asyncio.gather(holder, waiter)
        with pytest.raises(RuntimeError):
            async with queue.turn(1):
                raise RuntimeError("x")
        assert not queue.is_busy(1)  # released after an error

    asyncio.run(scenario())
