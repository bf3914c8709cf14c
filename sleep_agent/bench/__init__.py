"""Benchmarks run from ``sleep-agent bench``: retention of what a sleep consolidated."""

from .world import Question, World

__all__ = ["Question", "World"]
