# tdkt — Trợ lý Thi đua – Khen thưởng
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SHARED_EVALS ?= ../shared/evals/dev_questions.jsonl
STEPS := $(PYTHON) scripts/pip_steps.py

.PHONY: install install-dev run serve ingest test lint bench eval clean

$(BIN)/activate:
	@echo "[cài đặt 1/3] Tạo môi trường Python riêng (.venv)…"
	@$(PYTHON) -m venv $(VENV)

# `make run`: only what the app needs (no torch, no test tools)
$(VENV)/.installed-run: pyproject.toml | $(BIN)/activate
	@echo "[cài đặt 2/3] Cập nhật pip…"
	@$(BIN)/pip install --upgrade pip 2>&1 | $(STEPS)
	@echo "[cài đặt 3/3] Cài các gói cần để chạy trợ lý (pip install -e .)…"
	@$(BIN)/pip install --no-compile -e . 2>&1 | $(STEPS)
	@$(BIN)/tdkt engine build --optional
	@touch $@

# `make test`: the app plus the developer tools (pytest, ruff, playwright) and the `st` extra (torch)
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	@echo "[cài đặt 2/3] Cập nhật pip…"
	@$(BIN)/pip install --upgrade pip 2>&1 | $(STEPS)
	@echo "[cài đặt 3/3] Cài các gói để chạy và kiểm thử (pip install -e '.[dev]', gồm torch)…"
	@$(BIN)/pip install -e '.[dev]' 2>&1 | $(STEPS)
	@$(BIN)/tdkt engine build --optional
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

install-dev: $(VENV)/.installed-dev

ingest: install
	$(BIN)/tdkt ingest

## make run: cài đặt (chỉ gói cần chạy), lập chỉ mục từ khóa, mở web app http://127.0.0.1:$${TDKT_PORT:-8000}
## ngay; vector ngữ nghĩa được tạo tiếp trong nền (và bot Telegram nếu đặt TELEGRAM_BOT_TOKEN)
run: install
	@$(BIN)/tdkt serve

serve: run

## make test: cài đặt bản phát triển rồi chạy ruff + toàn bộ bộ kiểm thử (trừ các test `slow` cần mô hình cục bộ)
test: lint
	$(BIN)/pytest -m "not slow" -q

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	mkdir -p bench-results
	$(BIN)/tdkt bench --embed-scale 10 --json bench-results/bench.json

eval: install-dev
	mkdir -p bench-results
	$(BIN)/tdkt eval retrieval $(SHARED_EVALS) --json bench-results/retrieval.json
	$(BIN)/tdkt eval answers $(SHARED_EVALS) --llm none --json bench-results/answers.json
	$(BIN)/tdkt eval drafts --json bench-results/drafts.json

clean:
	rm -rf $(VENV) .tdkt .pytest_cache .ruff_cache
