"""The sleep's consolidation engine.

- :mod:`.dataset`: facts from the trajectory, derived 2-hop chains, question/answer examples;
- :mod:`.phrasings`: the disjoint words of training, validation and evals (templated and natural);
- :mod:`.anchors`: general-knowledge and "no record" examples against forgetting and hallucination;
- :mod:`.trainer`: LoRA training on answer tokens (sleep duration N = passes);
- :mod:`.gate`: answer with the adapter only about entities it consolidated;
- :mod:`.answering`: the one gated way to ask the adapter a question (validation, recall, evals);
- :mod:`.familiar`: decline names the base model does not know (its own surprisal), for the gate;
- :mod:`.validation`: held-out checks after training and the publish-or-keep decision;
- :mod:`.engine`: the whole sleep, from evicted messages to a published adapter version.
"""

from .anchors import GENERAL_CONTROL, general_correct, unknown_examples
from .dataset import QA_SYSTEM_PROMPT, Fact, SleepExample, build_examples, derive_chains, extract_facts
from .gate import EntityGate
from .engine import SleepData, SleepReport, assemble, consolidate
from .trainer import TrainResult, train_sleep
from .answering import ANSWER_TOKENS, DECLINE_PROMPT, Reply, answer_question, answer_questions, with_context
from .validation import Scores, judge, score

__all__ = [
    "ANSWER_TOKENS",
    "DECLINE_PROMPT",
    "GENERAL_CONTROL",
    "QA_SYSTEM_PROMPT",
    "EntityGate",
    "Fact",
    "Reply",
    "Scores",
    "SleepData",
    "SleepExample",
    "SleepReport",
    "TrainResult",
    "answer_question",
    "answer_questions",
    "assemble",
    "build_examples",
    "consolidate",
    "derive_chains",
    "extract_facts",
    "general_correct",
    "judge",
    "score",
    "train_sleep",
    "unknown_examples",
    "with_context",
]
