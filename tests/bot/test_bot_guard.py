"""Allowlist and per-user concurrency guard."""

from __future__ import annotations

import asyncio

import pytest

from bot.guard import Allowlist, Busy, UserGate


def test_allowlist_empty_allows_everyone() -> None:
    assert Allowlist([]).allows(1, 2)


def test_allowlist_user_or_chat() -> None:
    allow = Allowlist([10, -100])
    assert allow.allows(10, 999)
    assert allow.allows(5, -100)
    assert not allow.allows(5, 6)
    assert not allow.allows(None, None)


def test_gate_one_request_per_user() -> None:
    async def scenario() -> None:
        gate = UserGate()
        async with gate.hold(1):
            assert gate.is_busy(1)
            with pytest.raises(Busy):
                async with gate.hold(1):
                    pass
            async with gate.hold(2):  # other users are not blocked
                pass
        assert not gate.is_busy(1)
        with pytest.raises(RuntimeError):
            async with gate.hold(1):
                raise RuntimeError("x")
        assert not gate.is_busy(1)  # released after an error

    asyncio.run(scenario())
