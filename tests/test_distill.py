"""Context distillation (consolidation/distill.py) on the tiny random Qwen2 (plumbing: its answers
mean nothing): the cached-window teacher equals a plain forward over the whole prompt, the mixed
loss reduces to cross-entropy where it must, and a sleep with ``distill`` records it."""

from __future__ import annotations

import json

import torch

from sleep_agent import AdapterStore
from sleep_agent_benchmarks.world import World
from sleep_agent import SleepConfig
from sleep_agent.consolidation import consolidate
from sleep_agent.consolidation.dataset import SleepExample
from sleep_agent.consolidation.distill import TeacherTargets, mixed_answer_loss, teacher_targets
from sleep_agent.consolidation.trainer import encode_example
from sleep_agent.models.messages import to_template_dicts

SYSTEM = "You are a helpful assistant."


def test_teacher_with_a_cached_window_matches_a_plain_forward(tiny_runtime):
    tiny_runtime.deactivate_adapter()  # the plain forward below is the base model, whatever ran before
    window = to_template_dicts(World(seed=3, people=2, companies=1).trajectory())
    examples = [SleepExample("Which city is listed for Ana Berg?", "Tarnwick.", "probe"),
                SleepExample("What is 2 + 2?", "4.", "general"),
                SleepExample("Where does Ana Berg work?", "At Fenmoor Ltd.", "probe")]
    encoded = [encode_example(tiny_runtime, ex, SYSTEM) for ex in examples]
    teachers = teacher_targets(tiny_runtime, window, encoded, SYSTEM,
                               [ex.question if ex.part == "probe" else None for ex in examples], k=5)
    assert teachers[1] is None
    for ex, (_, answer), t in zip(examples, encoded, teachers):
        if t is None:
            continue
        prompt = tiny_runtime.render([{"role": "system", "content": SYSTEM}, *window,
                                      {"role": "user", "content": ex.question}], add_generation_prompt=True)
        ids = tiny_runtime.encode(prompt)
        with torch.no_grad():
            logits = tiny_runtime.model(input_ids=torch.tensor([ids + answer[:-1]])).logits[0, len(ids) - 1:]
        top = torch.softmax(logits.float(), -1).topk(5, -1)
        assert t.ids.shape == (len(answer), 5) and torch.equal(t.ids, top.indices)
        assert torch.allclose(t.probs, top.values / top.values.sum(-1, keepdim=True), atol=2e-3)


def test_mixed_loss_is_cross_entropy_without_teachers_and_with_one_hot_teachers():
    torch.manual_seed(0)
    logits, targets = torch.randn(7, 11), torch.randint(0, 11, (7,))
    ce = torch.nn.functional.cross_entropy(logits, targets)
    assert torch.allclose(mixed_answer_loss(logits, targets, [None, None], [3, 4], 0.5), ce)
    one_hot = [TeacherTargets(targets[:3, None], torch.ones(3, 1)), TeacherTargets(targets[3:, None], torch.ones(4, 1))]
    assert torch.allclose(mixed_answer_loss(logits, targets, one_hot, [3, 4], 1.0), ce, atol=1e-6)
    # a teacher that disagrees with the written answer moves the loss; weight 0 ignores it
    other = [TeacherTargets((targets[:3, None] + 1) % 11, torch.ones(3, 1)), None]
    assert not torch.allclose(mixed_answer_loss(logits, targets, other, [3, 4], 1.0), ce)
    assert torch.allclose(mixed_answer_loss(logits, targets, other, [3, 4], 0.0), ce)


def test_a_distilled_sleep_trains_and_records_it(tiny_runtime, tmp_path):
    store = AdapterStore("distill", tmp_path)
    report = consolidate(tiny_runtime, store, World(seed=1, people=2, companies=1).trajectory(),
                         config=SleepConfig(passes=1, validate=False, distill=0.5))
    manifest = json.loads((store.version_path(report.version) / "manifest.json").read_text())
    assert manifest["distill"]["weight"] == 0.5
    assert manifest["distill"]["examples"] == report.data_parts["probe"] > 0
    assert all(x == x for x in report.loss_curve)  # no NaN from the KL term
