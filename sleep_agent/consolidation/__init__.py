"""The sleep's consolidation engine.

- :mod:`.sources`: what in an evicted window may be learned (never the graph's nudges or failed calls);
- :mod:`.facts`: a fact with its provenance, the unit of sleep data;
- :mod:`.extract`: facts without a model - :mod:`.records` (JSON at any depth, ``key: value`` text) and
  :mod:`.statements` (stated relations, sentences about each entity);
- :mod:`.self_study`: the sleeping model writes questions about free text, checked against it;
- :mod:`.derive`: latest values, 2-hop chains, totals;
- :mod:`.rephrase`: the sleeping model asks each relation in its own words, checked back;
- :mod:`.dataset`: facts as question/answer examples, replayed agent turns;
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
from .dataset import QA_SYSTEM_PROMPT, SleepExample, build_examples
from .derive import derive, derive_chains, derive_totals, latest_values
from .extract import extract_facts
from .facts import Fact
from .self_study import self_study
from .gate import EntityGate
from .engine import SleepData, SleepReport, assemble, consolidate, learn_facts
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
    "derive",
    "derive_chains",
    "derive_totals",
    "extract_facts",
    "general_correct",
    "judge",
    "latest_values",
    "learn_facts",
    "score",
    "self_study",
    "train_sleep",
    "unknown_examples",
    "with_context",
]
