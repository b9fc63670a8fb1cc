"""Ask pipeline: rewrite → retrieve → compose (grounded or LLM) → verify → cite → warn."""
