"""Vietnamese user-facing strings of the Telegram bot (kept in one place for review and translation)."""

from __future__ import annotations

COMMANDS: list[tuple[str, str]] = [
    ("help", "Hướng dẫn sử dụng"),
    ("soan", "Soạn dự thảo văn bản, ví dụ: /soan kế hoạch thi đua năm 2026 của UBND xã …"),
    ("sua", "Soạn lại một phần của dự thảo gần nhất, ví dụ: /sua II nhấn mạnh chuyển đổi số"),
    ("nguon", "Xem nguồn trích dẫn của câu trả lời gần nhất"),
    ("moi", "Bắt đầu cuộc trò chuyện mới"),
    ("tailieu", "Danh sách tài liệu trong kho tri thức"),
]

WELCOME = (
    "Xin chào! Tôi là Trợ lý Thi đua – Khen thưởng. "
    "Hãy gửi câu hỏi bằng tiếng Việt, tôi sẽ trả lời kèm trích dẫn văn bản nguồn."
)
HELP_INTRO = "Gửi câu hỏi bằng tin nhắn chữ, hoặc dùng các lệnh:"
UNKNOWN_COMMAND = "Xin lỗi, tôi không hiểu lệnh này. Các lệnh có thể dùng:"
NON_TEXT = (
    "Hiện tôi chỉ đọc được tin nhắn chữ. Vui lòng gõ câu hỏi bằng chữ "
    "(chưa hỗ trợ hình ảnh, nhãn dán, âm thanh hay tệp đính kèm)."
)
TOO_LONG = (
    "Câu hỏi quá dài ({n} ký tự, tối đa {limit}). "
    "Vui lòng rút gọn câu hỏi hoặc tách thành nhiều câu ngắn hơn."
)
PROMPT_TOO_LONG = "Yêu cầu soạn thảo quá dài ({n} ký tự, tối đa {limit}). Vui lòng rút gọn."
QUEUED = "Đã nhận — tôi sẽ trả lời tin nhắn này ngay sau khi xong tin nhắn trước."
QUEUE_FULL = (
    "Anh/chị đã gửi {n} tin nhắn đang chờ xử lý. Vui lòng đợi các câu trả lời trước rồi gửi tiếp."
)
NOT_ALLOWED = (
    "Xin lỗi, bot này chỉ phục vụ người dùng được cấp quyền. "
    "Vui lòng liên hệ quản trị viên để được thêm vào danh sách."
)
ERROR = "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau hoặc diễn đạt câu hỏi theo cách khác."
EMPTY = "Vui lòng gửi nội dung câu hỏi."
SOAN_USAGE = (
    "Cách dùng: /soan <yêu cầu>. Ví dụ: /soan kế hoạch tổ chức phong trào thi đua năm 2026 của UBND xã …"
)
NEW_CONVERSATION = "Đã bắt đầu cuộc trò chuyện mới. Các câu hỏi tiếp theo sẽ không dựa vào ngữ cảnh trước."
NO_SOURCES = "Chưa có câu trả lời nào để xem nguồn. Hãy đặt một câu hỏi trước."
NO_CITATIONS = "Câu trả lời gần nhất không có trích dẫn nguồn."
SOURCES_TITLE = "Nguồn chi tiết"
CITATIONS_TITLE = "Nguồn:"
NO_DOCUMENTS = "Kho tri thức chưa có tài liệu nào."
DOCUMENTS_TITLE = "Tài liệu trong kho tri thức ({n})"
IN_FORCE = "còn hiệu lực"
NOT_IN_FORCE = "hết hiệu lực"
DRAFT_QUESTIONS = "Để soạn được dự thảo, xin cho biết thêm:"
DRAFT_QUESTIONS_HINT = (
    "Hãy trả lời ngay trong tin nhắn tiếp theo — dự thảo sẽ được soạn lại với thông tin đó — "
    "hoặc bấm “Soạn ngay” để soạn với thông tin hiện có."
)
DRAFT_TITLE = "Dự thảo"
DRAFT_HINTS = "Để dự thảo sát hơn, anh/chị có thể bổ sung (gửi lại yêu cầu soạn kèm thông tin):"
DRAFT_SECTIONS = "Bố cục:"
DRAFT_CAPTION = "Dự thảo (.docx) — cần rà soát trước khi ban hành."
DRAFT_MD_CAPTION = "Dự thảo (Markdown) — để dán vào trình soạn thảo khác."
DRAFT_EDIT_HINT = "Bấm một phần bên dưới để soạn lại phần đó theo yêu cầu của anh/chị."
SECTION_PROMPT = "Anh/chị muốn sửa phần “{heading}” thế nào? Gõ yêu cầu trong tin nhắn tiếp theo."
SECTION_PLACEHOLDER = "Ví dụ: nhấn mạnh chuyển đổi số"
SECTION_REDONE = "Đã soạn lại phần “{heading}” theo yêu cầu: {instruction}"
SUA_USAGE = "Cách dùng: /sua <phần> <yêu cầu>. Ví dụ: /sua II nhấn mạnh chuyển đổi số"
NO_DRAFT = "Chưa có dự thảo nào trong cuộc trò chuyện này. Hãy gửi yêu cầu soạn trước."
UNKNOWN_SECTION = "Dự thảo không có phần “{section}”. Các phần: {sections}."
DRAFT_STARTED = "Đây là yêu cầu soạn văn bản — đang soạn dự thảo…"
# inline buttons
BTN_SOURCES = "📚 Nguồn chi tiết"
BTN_UP = "👍"
BTN_DOWN = "👎"
BTN_UP_DONE = "👍 Đã ghi nhận"
BTN_DOWN_DONE = "👎 Đã ghi nhận"
BTN_DRAFT_THIS = "📝 Soạn dự thảo theo yêu cầu này"
BTN_DRAFT_NOW = "✅ Soạn ngay với thông tin hiện có"
BTN_EDIT_SECTION = "✏️ Sửa {key}"
FEEDBACK_THANKS = "Cảm ơn anh/chị đã góp ý!"
STALE_BUTTON = "Nút này thuộc một câu trả lời cũ (cuộc trò chuyện trước). Hãy hỏi lại."
NOTHING_PENDING = "Không còn yêu cầu soạn nào đang chờ."
MODEL_LINE = "💡 Kết luận (mô hình ngôn ngữ viết, đã kiểm chứng với đoạn trích được dẫn): {line}"
MODEL_NO_LINE = "ℹ️ Câu trả lời trên trích nguyên văn từ văn bản (mô hình ngôn ngữ không thêm được kết luận đã kiểm chứng)."
