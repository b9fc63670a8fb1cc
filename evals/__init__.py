"""Evaluation harness: retrieval, answers and drafts, plus the tutorial baseline for comparison."""
