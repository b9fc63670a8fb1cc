"""Telegram update handlers: translate messages, commands and button presses into AskService / DraftService calls."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from assistant.drafting.intent import classify, is_question
from assistant.drafting.models import Draft
from bot import texts, views
from bot.format import Seg, nonblank, split_segments
from bot.guard import Allowlist, QueueFull, UserQueue
from bot.state import ChatState

log = logging.getLogger(__name__)

Ctx = ContextTypes.DEFAULT_TYPE
TYPING_EVERY = 4.5
QUEUE_LIMIT = 5
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class BotHandlers:
    """Holds the services and the guards; `register(app)` wires every handler."""

    def __init__(
        self,
        settings: Any,
        ask: Any,
        drafts: Any,
        store: Any,
        knowledge: Any | None = None,
    ) -> None:
        self.settings = settings
        self.ask = ask
        self.drafts = drafts
        self.state = ChatState(store)
        self.knowledge = knowledge if knowledge is not None else getattr(ask, "knowledge", None)
        self.allowlist = Allowlist(getattr(settings, "telegram_allowlist", None) or [])
        self.queue = UserQueue(limit=QUEUE_LIMIT)
        self.knowledge_dir = getattr(settings, "knowledge_dir", None)

    # ------------------------------------------------------------------ wiring
    def register(self, app: Application) -> None:
        app.add_handler(TypeHandler(Update, self.check_access), group=-1)
        app.add_handler(CommandHandler("start", self.cmd_start))
        app.add_handler(CommandHandler(["help", "trogiup"], self.cmd_help))
        app.add_handler(CommandHandler("soan", self.cmd_soan))
        app.add_handler(CommandHandler("sua", self.cmd_sua))
        app.add_handler(CommandHandler("nguon", self.cmd_nguon))
        app.add_handler(CommandHandler("moi", self.cmd_moi))
        app.add_handler(CommandHandler("tailieu", self.cmd_tailieu))
        app.add_handler(CallbackQueryHandler(self.on_button))
        only_new = filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(only_new & filters.COMMAND, self.cmd_unknown))
        app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, self.on_text))
        # non-text: explain in private chats; stay silent in groups (photos there are not meant for the bot)
        non_text = only_new & ~filters.TEXT & ~filters.StatusUpdate.ALL & filters.ChatType.PRIVATE
        app.add_handler(MessageHandler(non_text, self.on_non_text))
        app.add_error_handler(self.on_error)

    # ------------------------------------------------------------------ helpers
    async def send(
        self, context: Ctx, chat_id: int, segs: Sequence[Seg], markup: Any = None
    ) -> list[Any]:
        """Send rich text as one or more HTML messages (each under Telegram's 4096 limit); buttons on the last.
        Returns the messages sent."""
        parts = nonblank(split_segments(segs))
        sent = []
        for i, part in enumerate(parts):
            msg = await context.bot.send_message(
                chat_id=chat_id,
                text=part,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=markup if i == len(parts) - 1 else None,
            )
            sent.append(msg)
        return sent

    async def say(self, context: Ctx, chat_id: int, text: str, markup: Any = None) -> None:
        await self.send(context, chat_id, [Seg(text)], markup)

    @contextlib.asynccontextmanager
    async def typing(
        self, context: Ctx, chat_id: int, action: str = ChatAction.TYPING
    ) -> AsyncIterator[None]:
        """Show 'typing…' (refreshed every few seconds) while the block runs."""

        async def show() -> None:
            try:
                await context.bot.send_chat_action(chat_id=chat_id, action=action)
            except TelegramError as exc:  # cosmetic only
                log.debug("send_chat_action failed: %s", exc)

        async def loop() -> None:
            while True:
                await asyncio.sleep(TYPING_EVERY)
                await show()

        await show()
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def in_turn(self, update: Update, context: Ctx, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` after this user's earlier requests (in arrival order); say so when it has to wait."""
        user = update.effective_user
        chat = update.effective_chat
        assert chat is not None
        key = user.id if user else chat.id
        if self.queue.is_busy(key):
            if self.queue.waiting(key) >= self.queue.limit:
                await self.say(context, chat.id, texts.QUEUE_FULL.format(n=self.queue.waiting(key)))
                return
            await self.say(context, chat.id, texts.QUEUED)
        try:
            async with self.queue.turn(key):
                await work()
        except QueueFull:
            await self.say(context, chat.id, texts.QUEUE_FULL.format(n=self.queue.waiting(key)))

    @staticmethod
    def _command_rest(text: str | None) -> str:
        """Text after the command word (keeps the user's spacing and line breaks)."""
        if not text:
            return ""
        parts = re.split(r"\s", text, maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""

    # ------------------------------------------------------------------ access
    async def check_access(self, update: Update, context: Ctx) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if self.allowlist.allows(user.id if user else None, chat.id if chat else None):
            return
        log.info("refused telegram user=%s chat=%s", user.id if user else None, chat.id if chat else None)
        if chat is not None and update.message is not None:
            await self.say(context, chat.id, texts.NOT_ALLOWED)
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(texts.NOT_ALLOWED)
        raise ApplicationHandlerStop

    # ------------------------------------------------------------------ commands
    async def cmd_start(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        await self.send(context, update.effective_chat.id, views.help_view(welcome=True))

    async def cmd_help(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        await self.send(context, update.effective_chat.id, views.help_view())

    async def cmd_unknown(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        await self.send(context, update.effective_chat.id, views.unknown_command_view())

    async def cmd_moi(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        chat_id = update.effective_chat.id
        await asyncio.to_thread(self.state.new_conversation, chat_id)
        await self.say(context, chat_id, texts.NEW_CONVERSATION)

    async def cmd_nguon(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        chat_id = update.effective_chat.id

        def load() -> Any:
            return self.state.last_answer(self.state.conversation_id(chat_id))

        answer = await asyncio.to_thread(load)
        if answer is None:
            await self.say(context, chat_id, texts.NO_SOURCES)
            return
        await self.send(context, chat_id, views.sources_view(answer))

    async def cmd_tailieu(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        chat_id = update.effective_chat.id
        docs = await asyncio.to_thread(self.knowledge.documents) if self.knowledge is not None else []
        today = getattr(self.knowledge, "today", None)  # the index's reference date, if it has one
        await self.send(context, chat_id, views.documents_view(docs, today=today))

    async def cmd_soan(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat and update.effective_message
        chat_id = update.effective_chat.id
        prompt = self._command_rest(update.effective_message.text)
        if not prompt:
            await self.say(context, chat_id, texts.SOAN_USAGE)
            return
        await self._draft_checked(update, context, prompt)

    async def cmd_sua(self, update: Update, context: Ctx) -> None:
        """/sua <phần> <yêu cầu>: regenerate one section of the conversation's last draft."""
        assert update.effective_chat and update.effective_message
        chat_id = update.effective_chat.id
        rest = self._command_rest(update.effective_message.text)
        section, _, instruction = rest.partition(" ")
        if not section or not instruction.strip():
            await self.say(context, chat_id, texts.SUA_USAGE)
            return

        async def work() -> None:
            cid = await asyncio.to_thread(self.state.conversation_id, chat_id)
            draft = await asyncio.to_thread(self.state.last_draft, cid)
            if draft is None:
                await self.say(context, chat_id, texts.NO_DRAFT)
                return
            await self._redo_section(context, chat_id, cid, draft, section, instruction.strip())

        await self.in_turn(update, context, work)

    # ------------------------------------------------------------------ messages
    async def on_non_text(self, update: Update, context: Ctx) -> None:
        assert update.effective_chat
        await self.say(context, update.effective_chat.id, texts.NON_TEXT)

    async def on_text(self, update: Update, context: Ctx) -> None:
        """A question, a drafting request, or the reply to what the bot asked (draft details, a section edit)."""
        assert update.effective_chat and update.effective_message
        chat_id = update.effective_chat.id
        text = (update.effective_message.text or "").strip()
        if not text:
            await self.say(context, chat_id, texts.EMPTY)
            return
        limit = self.settings.max_question_chars
        if len(text) > limit:
            await self.say(context, chat_id, texts.TOO_LONG.format(n=len(text), limit=limit))
            return
        intent = classify(text, self.knowledge_dir)
        # a question asked while the bot waits for draft details or a section instruction is answered instead;
        # the pending step keeps waiting (the "Soạn ngay" / "✏️" buttons still work)
        question = is_question(text, self.knowledge_dir)

        async def work() -> None:
            cid = await asyncio.to_thread(self.state.conversation_id, chat_id)
            editing = await asyncio.to_thread(self.state.pending_section, cid)
            if editing and not question:
                await asyncio.to_thread(self.state.set_pending_section, cid, None)
                draft = await asyncio.to_thread(self.state.load_draft, editing[0])
                if draft is not None:
                    await self._redo_section(context, chat_id, cid, draft, editing[1], text)
                    return
            pending = await asyncio.to_thread(self.state.pending_draft, cid)
            if pending and intent != "draft" and not question:
                await asyncio.to_thread(self.state.set_pending_draft, cid, None)
                await self._draft(context, chat_id, cid, f"{pending}\n{text}", follow_up=True)
                return
            if intent == "draft":
                await self.say(context, chat_id, texts.DRAFT_STARTED)
                await self._draft(context, chat_id, cid, text)
                return
            await self._answer(context, chat_id, cid, text, offer_draft=intent == "maybe")

        await self.in_turn(update, context, work)

    async def _answer(self, context: Ctx, chat_id: int, cid: str, text: str, offer_draft: bool = False) -> None:
        if getattr(self.ask, "ask_stream", None) is None:
            async with self.typing(context, chat_id):
                answer = await asyncio.to_thread(self.ask.ask, text, cid)
            aid = await asyncio.to_thread(self.state.remember_answer, cid, text, answer)
            await self.send(context, chat_id, views.answer_view(answer), views.answer_keyboard(aid, offer_draft))
            return
        # LLM mode: the grounded answer is sent at once; the model's verified line follows as its own message
        shown: list[Any] = []
        line: str | None = None
        answer = None
        async with self.typing(context, chat_id):
            async for ev in self._events(text, cid):
                if ev.type == "grounded" and ev.answer is not None:
                    shown = await self.send(context, chat_id, views.answer_view(ev.answer))
                elif ev.type == "line":
                    line = ev.text
                elif ev.type == "final":
                    answer = ev.answer
        assert answer is not None
        aid = await asyncio.to_thread(self.state.remember_answer, cid, text, answer)
        keyboard = views.answer_keyboard(aid, offer_draft)
        if not shown:
            await self.send(context, chat_id, views.answer_view(answer), keyboard)
        else:  # the line, or why there is none, carries the answer's buttons
            note = texts.MODEL_LINE.format(line=line) if line else texts.MODEL_NO_LINE
            await self.send(context, chat_id, [Seg(note)], keyboard)

    async def _events(self, text: str, cid: str) -> AsyncIterator[Any]:
        """The ask service's stream, read in a worker thread, as an async iterator."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        done = object()

        def run() -> None:
            try:
                for ev in self.ask.ask_stream(text, conversation_id=cid):
                    loop.call_soon_threadsafe(queue.put_nowait, ev)
            except Exception as exc:  # re-raised in the handler, like the non-streaming path
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, done)

        worker = asyncio.create_task(asyncio.to_thread(run))
        try:
            while (item := await queue.get()) is not done:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            await worker

    # ------------------------------------------------------------------ buttons
    async def on_button(self, update: Update, context: Ctx) -> None:
        """Inline buttons: src:<answer>, fb:<+|->:<answer>, dr:<answer>, dn (draft now), rs:<draft>:<section>."""
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        chat_id = update.effective_chat.id
        data = query.data or ""
        kind, _, arg = data.partition(":")
        cid = await asyncio.to_thread(self.state.conversation_id, chat_id)
        if kind == "src":
            await query.answer()
            found = await asyncio.to_thread(self.state.answer_by_id, cid, arg)
            if found is None:
                await self.say(context, chat_id, texts.STALE_BUTTON)
                return
            await self.send(context, chat_id, views.sources_view(found[1]))
        elif kind == "fb":
            sign, _, aid = arg.partition(":")
            rating = 1 if sign == "+" else -1
            user = update.effective_user
            ok = await asyncio.to_thread(
                self.state.record_feedback, cid, aid, rating, user.id if user else None
            )
            await query.answer(texts.FEEDBACK_THANKS if ok else texts.STALE_BUTTON)
            if ok and query.message is not None:
                with contextlib.suppress(TelegramError):  # cosmetic: the vote is already stored
                    await query.edit_message_reply_markup(views.feedback_done_keyboard(aid, rating))
        elif kind == "dr":
            await query.answer()
            found = await asyncio.to_thread(self.state.answer_by_id, cid, arg)
            if found is None:
                await self.say(context, chat_id, texts.STALE_BUTTON)
                return
            prompt = found[0]
            await self.in_turn(update, context, lambda: self._draft(context, chat_id, cid, prompt))
        elif kind == "dn":
            await query.answer()

            async def draft_now() -> None:
                pending = await asyncio.to_thread(self.state.pending_draft, cid)
                if not pending:
                    await self.say(context, chat_id, texts.NOTHING_PENDING)
                    return
                await asyncio.to_thread(self.state.set_pending_draft, cid, None)
                await self._draft(context, chat_id, cid, pending, follow_up=True)

            await self.in_turn(update, context, draft_now)
        elif kind == "rs":
            await query.answer()
            draft_id, _, section = arg.partition(":")
            draft = await asyncio.to_thread(self.state.load_draft, draft_id)
            target = next((s for s in views.editable_sections(draft) if s.key == section), None) if draft else None
            if target is None:
                await self.say(context, chat_id, texts.STALE_BUTTON)
                return
            await asyncio.to_thread(self.state.set_pending_section, cid, draft_id, section)
            await self.say(
                context, chat_id, texts.SECTION_PROMPT.format(heading=views.shorten(target.heading, 120)),
                ForceReply(selective=True, input_field_placeholder=texts.SECTION_PLACEHOLDER),
            )
        else:
            await query.answer()

    # ------------------------------------------------------------------ drafting
    async def _draft_checked(self, update: Update, context: Ctx, prompt: str) -> None:
        assert update.effective_chat
        chat_id = update.effective_chat.id
        limit = self.settings.max_prompt_chars
        if len(prompt) > limit:
            await self.say(context, chat_id, texts.PROMPT_TOO_LONG.format(n=len(prompt), limit=limit))
            return

        async def work() -> None:
            cid = await asyncio.to_thread(self.state.conversation_id, chat_id)
            await self._draft(context, chat_id, cid, prompt)

        await self.in_turn(update, context, work)

    async def _draft(
        self, context: Ctx, chat_id: int, cid: str, prompt: str, follow_up: bool = False
    ) -> None:
        """Draft; ask back when essentials are missing (once), else send the summary, the .docx and the .md."""
        async with self.typing(context, chat_id):
            draft = await asyncio.to_thread(self.drafts.draft, prompt, conversation_id=cid)
        # ask back once; after the user's reply, deliver what we have (remaining questions become hints)
        if draft.questions and not (follow_up and draft.sections):
            await asyncio.to_thread(self.state.set_pending_draft, cid, prompt)
            markup = views.draft_now_keyboard() if draft.sections else None
            await self.send(context, chat_id, views.draft_questions_view(draft), markup)
            return
        await asyncio.to_thread(self.state.set_pending_draft, cid, None)
        await self._deliver(context, chat_id, cid, draft, views.draft_summary_view(draft))

    async def _redo_section(
        self, context: Ctx, chat_id: int, cid: str, base: Draft, section: str, instruction: str
    ) -> None:
        """Regenerate one section of `base` following `instruction`; the other sections are kept."""
        target = next(
            (s for s in views.editable_sections(base) if s.key.upper() == section.strip().rstrip(".").upper()),
            None,
        )
        if target is None:
            keys = ", ".join(s.key for s in views.editable_sections(base))
            await self.say(context, chat_id, texts.UNKNOWN_SECTION.format(section=section, sections=keys))
            return
        async with self.typing(context, chat_id):
            draft = await asyncio.to_thread(
                self.drafts.draft, "", section=target.key, instruction=instruction, conversation_id=cid, base=base
            )
        redone = next((s for s in draft.sections if s.key == target.key), target)
        await self._deliver(context, chat_id, cid, draft, views.section_view(redone, instruction))

    async def _deliver(self, context: Ctx, chat_id: int, cid: str, draft: Draft, segs: list[Seg]) -> None:
        """Save the draft, show `segs` with one edit button per section, then send the .docx and the .md."""
        if draft.sections:
            await asyncio.to_thread(self.state.save_draft, cid, draft)
        markup: InlineKeyboardMarkup | None = views.draft_keyboard(draft) if draft.sections else None
        await self.send(context, chat_id, segs, markup)
        if not draft.sections:
            return
        name = f"du-thao-{_slug(draft.draft_id)}"
        async with self.typing(context, chat_id, ChatAction.UPLOAD_DOCUMENT):
            with tempfile.TemporaryDirectory(prefix="tdkt-bot-") as tmp:
                path = Path(tmp) / f"{name}.docx"
                await asyncio.to_thread(self.drafts.to_docx, draft, path)
                data = await asyncio.to_thread(path.read_bytes)
            await context.bot.send_document(
                chat_id=chat_id, document=data, filename=path.name, caption=texts.DRAFT_CAPTION
            )
            markdown = draft.markdown or await asyncio.to_thread(self.drafts.to_markdown, draft)
            await context.bot.send_document(
                chat_id=chat_id, document=markdown.encode("utf-8"), filename=f"{name}.md",
                caption=texts.DRAFT_MD_CAPTION,
            )

    # ------------------------------------------------------------------ errors
    async def on_error(self, update: object, context: Ctx) -> None:
        """Log the exception; tell the user something went wrong, never how."""
        log.error("telegram handler failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self.say(context, update.effective_chat.id, texts.ERROR)
            except TelegramError as exc:
                log.warning("could not send the error message: %s", exc)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "ban"
