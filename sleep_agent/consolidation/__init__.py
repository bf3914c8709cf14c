"""The sleep's consolidation engine: sleep data (dataset), LoRA training (trainer), the whole sleep (engine)."""

from .dataset import Fact, SleepExample, build_examples, extract_facts
from .engine import SleepReport, answer_question, consolidate, is_correct
from .trainer import SleepTrainConfig, TrainResult, train_sleep

__all__ = [
    "Fact",
    "SleepExample",
    "SleepReport",
    "SleepTrainConfig",
    "TrainResult",
    "answer_question",
    "build_examples",
    "consolidate",
    "extract_facts",
    "is_correct",
    "train_sleep",
]
