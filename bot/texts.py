"""Vietnamese user-facing strings of the Telegram bot (kept in one place for review and translation)."""

from __future__ import annotations

COMMANDS: list[tuple[str, str]] = [
    ("help", "Hướng dẫn sử dụng"),
    ("soan", "Soạn dự thảo văn bản, ví dụ: /soan kế hoạch thi đua năm 2026 của UBND xã …"),
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
BUSY = "Đang xử lý câu hỏi trước, vui lòng đợi trong giây lát…"
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
SOURCES_TITLE = "Nguồn của câu trả lời gần nhất"
CITATIONS_TITLE = "Nguồn:"
NO_DOCUMENTS = "Kho tri thức chưa có tài liệu nào."
DOCUMENTS_TITLE = "Tài liệu trong kho tri thức ({n})"
IN_FORCE = "còn hiệu lực"
NOT_IN_FORCE = "hết hiệu lực"
DRAFT_QUESTIONS = "Để soạn được dự thảo, xin cho biết thêm:"
DRAFT_QUESTIONS_HINT = "Hãy trả lời trong tin nhắn tiếp theo (hoặc gửi lại /soan với đầy đủ thông tin)."
DRAFT_TITLE = "Dự thảo"
DRAFT_HINTS = "Để dự thảo sát hơn, anh/chị có thể bổ sung (gửi lại /soan kèm thông tin):"
DRAFT_SECTIONS = "Bố cục:"
DRAFT_CAPTION = "Dự thảo (.docx) — cần rà soát trước khi ban hành."
