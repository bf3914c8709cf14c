"""When decoding stops: the token ids that end a reply, and a stop criterion that reads the text so far.

The chat model ends a reply early once a whole tool call is out; transformers' stop criteria see
token ids, so :class:`TextStop` decodes the new tokens and asks a text predicate.
"""

from __future__ import annotations

__all__ = ["RowTextStop", "TextStop", "stop_token_ids"]


def stop_token_ids(tokenizer) -> list[int]:
    """EOS plus the end-of-turn tokens of the chat templates in use (Qwen, SmolLM, Llama)."""
    ids = {tokenizer.eos_token_id}
    for tok in ("<|im_end|>", "<|endoftext|>", "<|eot_id|>"):
        tid = tokenizer.convert_tokens_to_ids(tok)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id:
            ids.add(tid)
    return sorted(i for i in ids if i is not None)


class TextStop:
    """A transformers stopping criterion that asks ``check(decoded new text)`` after each token."""

    def __init__(self, tokenizer, prompt_len: int, check):
        self.tokenizer, self.prompt_len, self.check = tokenizer, prompt_len, check

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        text = self.tokenizer.decode(input_ids[0, self.prompt_len:], skip_special_tokens=True)
        done = bool(self.check(text))
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class RowTextStop:
    """Per-row criterion for batched decoding: a row is done once ``check(its decoded new text)``.

    transformers stops each row whose flag is set (later tokens of that row are padding) and the
    batch once every row is done, so short replies do not wait for the longest one.
    """

    def __init__(self, tokenizer, prompt_len: int, check):
        self.tokenizer, self.prompt_len, self.check = tokenizer, prompt_len, check

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        texts = self.tokenizer.batch_decode(input_ids[:, self.prompt_len:], skip_special_tokens=True)
        return torch.tensor([bool(self.check(t)) for t in texts], dtype=torch.bool, device=input_ids.device)
