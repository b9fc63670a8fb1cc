"""Follow-ups through the real bot: a title named by another wording replaces the carried one."""

from __future__ import annotations

import asyncio

from botkit import new_user, to

from bot.format import plain_of


def test_follow_up_with_another_title_wording(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?")
        await api.wait_for("sendMessage", to(uid, "Điều 23"), timeout=60)
        await asyncio.sleep(1.0)  # the whole first answer (it may be split)
        before = len(api.sent("sendMessage", uid))
        api.push_text(uid, uid, "còn chiến sỹ thi đua cấp tỉnh thì sao?")
        reply = ""
        for _ in range(240):  # the new messages only
            reply = "".join(plain_of(c.text) for c in api.sent("sendMessage", uid)[before:])
            if "Điều 22" in reply:
                break
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.5)
        reply = "".join(plain_of(c.text) for c in api.sent("sendMessage", uid)[before:])
        assert "Không tìm thấy căn cứ" not in reply and "Điều 22" in reply
        assert "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh" in reply

    go(scenario)
