# tdkt — Trợ lý Thi đua – Khen thưởng
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SHARED_EVALS ?= ../shared/evals/dev_questions.jsonl

.PHONY: install run serve ingest test lint bench eval clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

ingest: install
	$(BIN)/tdkt ingest

## make run: cài đặt, lập chỉ mục từ knowledge/ (+ kho bổ sung), chạy web app http://127.0.0.1:8000
## (và bot Telegram nếu đặt TELEGRAM_BOT_TOKEN)
run: ingest
	$(BIN)/tdkt serve

## make test: cài đặt rồi chạy ruff + toàn bộ bộ kiểm thử (trừ các test `slow` cần mô hình cục bộ)
test: lint
	$(BIN)/pytest -m "not slow" -q

lint: install
	$(BIN)/ruff check .

bench: install
	mkdir -p bench-results
	$(BIN)/tdkt bench --json bench-results/bench.json

eval: install
	mkdir -p bench-results
	$(BIN)/tdkt eval retrieval $(SHARED_EVALS) --json bench-results/retrieval.json
	$(BIN)/tdkt eval answers $(SHARED_EVALS) --llm none --json bench-results/answers.json
	$(BIN)/tdkt eval drafts --json bench-results/drafts.json

clean:
	rm -rf $(VENV) .tdkt .pytest_cache .ruff_cache
