"""LLM mode through the real bot: the grounded answer is sent at once, the model's verified line follows."""

from __future__ import annotations

import asyncio

from botkit import new_user, to
from fakes.openai_server import ScriptedOpenAI
from helpers import llm_ask_service

from bot import texts
from bot.format import plain_of

Q = "Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?"
GOOD = "Danh hiệu “Lao động tiên tiến” được thưởng 0,3 lần mức lương cơ sở [1]."


def test_grounded_answer_first_then_the_verified_line(api, go, ask_service) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()
    grounded = ask_service.ask(Q)
    with ScriptedOpenAI() as srv:
        srv.script(GOOD)
        svc = llm_ask_service(ask_service, srv.base_url, 5.0)

        async def scenario() -> None:
            api.push_text(uid, uid, Q)
            await api.wait_for("sendMessage", to(uid, "💡"), timeout=60)
            await asyncio.sleep(0.3)
            bodies = [plain_of(c.text) for c in api.sent("sendMessage", uid)]
            first_line = next(i for i, b in enumerate(bodies) if "💡" in b)
            assert any(grounded.answer.strip()[:50] in b for b in bodies[:first_line]), "grounded answer first"
            assert texts.MODEL_LINE.split("{")[0].strip() in bodies[first_line] and "0,3 lần" in bodies[first_line]

        go(scenario, ask=svc)
