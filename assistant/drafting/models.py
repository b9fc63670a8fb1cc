"""Draft data shapes shared by the drafting service and the channels."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class DraftRequest(BaseModel):
    """What the official asked for, parsed from a short prompt (missing essentials listed in `missing`)."""

    prompt: str
    doc_type: str | None = None  # ke-hoach | phat-dong | giao-uoc | ke-hoach-dot
    issuer: str | None = None  # e.g. "UBND xã Quang Trung"
    level: str | None = None  # tinh | xa | co-quan | huyen
    locality: str | None = None
    year: int | None = None
    theme: str | None = None
    occasion: str | None = None
    period: str | None = None
    targets: list[str] = Field(default_factory=list)
    parent_plan: str | None = None
    signer: str | None = None
    recipient: str | None = None
    missing: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    # added by the drafting service
    unit_word: str | None = None  # xã | phường | đặc khu | tỉnh | thành phố | huyện | Sở | Trường …
    province: str | None = None
    signer_capacity: str = "head"  # head | deputy
    plan_date: date | None = None
    questions: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    parent_body: str | None = None  # an agency's parent body ("Sở Y tế tỉnh …"), when given
    agency_key: str | None = None  # so | truong | benh vien … (knowledge/drafting.yaml agencies)


class DraftParagraph(BaseModel):
    text: str
    style: str = "body"  # body | subheading | item
    sources: list[str] = Field(default_factory=list, description="Citations/source files this was built from.")
    role: str | None = Field(None, description="Role of the source paragraph (assistant/drafting/roles.py).")


class DraftSection(BaseModel):
    key: str  # header | opening | I | II | III | closing | recipients | signature
    heading: str
    kind: str | None = None  # canonical section kind: muc-dich | noi-dung | doi-tuong | khen-thuong | to-chuc
    paragraphs: list[DraftParagraph] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Draft(BaseModel):
    draft_id: str
    request: DraftRequest
    sections: list[DraftSection] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list, description="What to ask back in chat channels.")
    notes: list[str] = Field(default_factory=list, description="Drafting notes: assumptions, missing models.")
    markdown: str = ""
    doc_type: str | None = None
    mode: str = "grounded"  # grounded | llm
