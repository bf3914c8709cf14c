"""Facts from a transcript without a model: who said what, and when.

A chat log, a meeting transcript, a LoCoMo page: lines ``Speaker: words``, perhaps under a header that
dates them ("Session 2 (2:32 pm on 29 January, 2023), part 1 of 2:"). The statement reader
(:mod:`.statements`) cannot read these: a single-word speaker looks like a sentence start, "I" is
nobody, and greetings became names ("Hey Jon"). Measured on LoCoMo conv-30 (2026-12-04, first sleep,
sessions 1-2): 24 facts, none saying who did what or when ("The get of Gina is Woah, that pic's
from...").

Here every line of a transcript is an utterance of its speaker, said on the header's date, and becomes
``said`` facts: subject = the speaker, relation = a topic of the line, answer = the line's sentence that
names the topic, with who said it and when ("On 29 January, 2023, Gina said: I just launched an ad
campaign for my store."). One sentence, not the whole line: a line often opens with "Hey Jon!", and
answers are cut at their first sentence when scored. The date comes first, although the woken model
then picks it before the line (and the last sleep's dates win): with the date after the line (``Jon
said: ... (on 8 May, 2023).``) or after the quoted line (``"...," Jon said on 8 May, 2023.``), tried on
2026-12-06, the dates spread but LoCoMo conv-26 fell from 0.165 to 0.116 and 0.115 (conv-30 0.055 ->
0.074, 0.071; seed 0): the reply lost its trained opening "On" and either echoed the question or
recited a wrong line (docs/locomo/README.md, stop 46).
A line's topics are the things it names (capitalised words that are not the speakers or sentence
starts), then its content words, rarest in the transcript first (:data:`TOPICS_PER_LINE` at most), so
"When did Gina launch an ad campaign?" and the trained "What did Gina say about campaign?" share the
speaker and the topic. Each topic is a key to the line; the keys share the "said" forms
(:data:`.phrasings.SHARED_FORMS`), so a line with many keys is not trained many times over. The date
is what temporal questions ask for, and the only place a transcript keeps it.
Short lines (greetings, "Thanks!") teach nothing and are skipped. A line's relative times are written
as the dates they mean, counted from the header's (:mod:`.relative_dates`: "yesterday" said on 8 May,
2023 is written "on 7 May, 2023"): a person asks when a thing happened, not when it was mentioned.

Validation asks a said fact back in its own words (:data:`.phrasings.VALIDATION`) and checks the reply
with :func:`said_recalled`: the line's date, and a third of the line's words the question does not give.

A transcript is this reader's alone: self-study (:mod:`.self_study`) does not read one again
(:func:`.extract.free_texts`). In the spirit of EntiGraph's entity-centred statements (Yang et al.
2024): the words stay the speaker's, nothing is generated.

Example::

    >>> page = ("Session 1 (8 May, 2023):\\nJon: Hey! I lost my job as a banker yesterday.\\n"
    ...         "Gina: Sorry! I lost mine at Door Dash.\\nJon: Now I will open a dance studio.")
    >>> [(f.subject, f.relation) for f in said_facts(page)]
    [('Jon', 'banker'), ('Gina', 'Door Dash'), ('Jon', 'studio'), ('Jon', 'dance')]
    >>> said_facts(page)[0].answer
    'On 8 May, 2023, Jon said: I lost my job as a banker on 7 May, 2023.'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..scoring import recalls, sentences
from .facts import Fact
from .relative_dates import resolve

__all__ = ["MAX_ANSWER_WORDS", "MIN_LINE_WORDS", "SAID_RECALL", "TOPICS_PER_LINE", "Utterance", "said_facts",
           "said_recalled", "utterances"]

MIN_LINE_WORDS = 5     # a shorter line is a greeting or a reaction ("Wow, congrats Jon!"): nothing to learn
MAX_ANSWER_WORDS = 30  # a said sentence's words at most: long answers cost training time
# Topics (keys) per line: a person asks by any word of it ("What kind of flooring is Jon after?" for
# "I'm after Marley flooring"). 2 until 2026-12-06: 3 of LoCoMo conv-26's 37 questions (sessions 1-5)
# named one of their evidence line's keys, 13 one of its first 6. The keys of one sentence share the
# "said" forms (phrasings.SHARED_FORMS), so training grew by a fifth, not threefold (conv-26: 513 -> 626
# examples).
TOPICS_PER_LINE = 6
# Share of a line's own words (those the question does not give) a reply must recall. A third, not
# all: a line said back in the model's words keeps what it did and where ("Teo opened his bakery on
# Harbour Street") and drops the rest ("finally", "last week", "after months of paperwork"); another
# line of the same day shares next to none of them.
SAID_RECALL = 1 / 3

_LINE = re.compile(r"^\s*(?P<speaker>[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2})\s*:\s+(?P<said>\S.*)$")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS}),?\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_SAID = re.compile(r"^(?:On (?P<date>[^,]+(?:, \d{4})?), )?(?P<speaker>[^:]+?) said: (?P<line>.+)$", re.S)  # said_facts' answers
_PHOTO = re.compile(r"\[shares a photo: ([^\]]*)\]")  # how the LoCoMo reader shows a shared photo: its caption counts
# Capitalised words that open sentences, greet or exclaim: never a topic.
_NOT_TOPICS = frozenset("""i i'm i've i'll i'd im the a an this that these those it it's its he she they we you
my our your his her their me us them hey hi hello wow oh ah yeah yes no ok okay thanks thank congrats sure
well great awesome cool nice good lol haha omg gosh dear so and but or if when then now what why how who where
which do did does is are was were have has had can could will would should just really totally definitely
absolutely sounds glad sorry love let that's there here""".split())
# Lower-case words too common to name what a line is about.
_STOP = frozenset("""about after again all also always am any anything around back because been before being
both came come could day days doing done down each even ever every feel feeling felt first from get getting
going gonna good got great had have having here into just keep know last like little look looking lot lots
made make making many more most much need never next now only other really right said same see seems since
some something still such sure take than thank thanks that them then there these they thing things think
this those though through time today together told tried try trying very want wanted well went were what
when where which while with would yeah year years your you're yesterday tomorrow tonight weekend month
week morning evening""".split())  # time words: the header's date says when, not the topic


@dataclass(frozen=True)
class Utterance:
    """One line of a transcript: who spoke, the words, and the date its header gives."""

    speaker: str
    said: str
    date: str = ""   # the transcript header's date, as written ("8 May, 2023"); "" when none


def utterances(text: str) -> list[Utterance]:
    """The lines of ``text`` as utterances, if it is a transcript, else ``[]``.

    A transcript: at least two ``Speaker: words`` lines where some speaker speaks twice, there are
    fewer speakers than lines, and most lines say something (four words or more) - so ``Name: Ana
    Lisk / City: Tarnwick`` record blocks, even several with the same keys, are not one. The date is
    the first date in the lines that are not utterances (the header); under a dated header, one or
    two lines of speech are enough (the last page of a session).
    """
    lines = [(m.group("speaker"), m.group("said").strip()) if (m := _LINE.match(line)) else (None, line)
             for line in text.splitlines() if line.strip()]
    spoken = [(s, w) for s, w in lines if s and s.lower() not in _NOT_TOPICS]
    date = next((m.group() for s, w in lines if s is None and (m := _DATE.search(w))), "")
    counts = Counter(s for s, _ in spoken)
    # a dated page holding only the last line or two of a session is a transcript too
    tail = bool(date) and bool(spoken) and len(lines) - len(spoken) == 1
    if not tail and (len(spoken) < 2 or max(counts.values()) < 2 or len(counts) >= len(spoken)):
        return []
    if 2 * sum(len(w.split()) >= 4 for _, w in spoken) < len(spoken):
        return []  # field: value lines, not speech
    return [Utterance(s, w, date) for s, w in spoken]


def _sentence_with(topic: str, text: str) -> str:
    """The first sentence of ``text`` naming ``topic`` (whole words), cut to :data:`MAX_ANSWER_WORDS`."""
    pattern = re.compile(r"(?<!\w)" + re.escape(topic) + r"(?!\w)", re.IGNORECASE)
    found = next((s for s in sentences(text) if pattern.search(s)), text)
    return " ".join(found.split()[:MAX_ANSWER_WORDS])


def _topics(u: Utterance, speakers: set[str], rarity: Counter) -> list[str]:
    """What the line is about, best first: the things it names (runs of capitalised words that do not
    open a sentence: "Door Dash", "Paris"), then its content words, rarest in the transcript first."""
    plain = _PHOTO.sub(r"\1", u.said)
    named: list[str] = []
    for sentence in sentences(plain):
        run: list[str] = []
        for i, w in enumerate([*_WORD.findall(sentence), ""]):
            w = re.sub(r"'s$", "", w)
            if i > 0 and w[:1].isupper() and w.lower() not in _NOT_TOPICS and w not in speakers:
                run.append(w)
                continue
            if run:
                named.append(" ".join(run))
            run = []
    content = sorted(dict.fromkeys(w.lower() for w in _WORD.findall(plain) if len(w) >= 5 and "'" not in w
                                   and w.lower() not in _STOP and w.lower() not in _NOT_TOPICS and not w[:1].isupper()),
                     key=lambda w: (rarity[w], -len(w)))  # among equally rare words the longer is more specific
    return list(dict.fromkeys(named + content))


def said_facts(text: str, source: str = "") -> list[Fact]:
    """``said`` facts of a transcript (see the module docstring); ``[]`` for any other text."""
    said = utterances(text)
    if not said:
        return []
    speakers = {u.speaker for u in said}
    rarity = Counter(w.lower() for u in said for w in set(_WORD.findall(u.said)))
    out: list[Fact] = []
    used: set[tuple[str, str]] = set()  # a speaker's topic names one line: a second would read as its new value
    for u in said:
        if len(u.said.split()) < MIN_LINE_WORDS:
            continue
        topics = [t for t in _topics(u, speakers, rarity) if (u.speaker, t.lower()) not in used][:TOPICS_PER_LINE]
        used.update((u.speaker, t.lower()) for t in topics)
        when = f"On {u.date}, " if u.date else ""
        line = resolve(_PHOTO.sub(r"(photo: \1)", u.said), u.date)
        out += [Fact("said", u.speaker, t, f"{when}{u.speaker} said: {_sentence_with(t, line)}", source=source)
                for t in topics]
    return out


def said_recalled(reply: str, answer: str, question: str = "") -> bool:
    """Whether ``reply`` recalls the ``said`` fact whose answer is ``answer`` ("On 8 May, 2023, Jon
    said: I lost my job as a banker yesterday."), asked with ``question``: it gives the date, when
    the line has one (day, month and year as words, in any order), and :data:`SAID_RECALL` of the
    line's words that ``question`` does not (speaker and topic are in the question: echoing them is
    not recall). An answer of another form is checked as a passage of its own.

        >>> a = "On 8 May, 2023, Jon said: I lost my job as a banker yesterday."
        >>> said_recalled("On 8 May 2023 Jon lost his banker job.", a, "What was it Jon shared regarding banker?")
        True
        >>> said_recalled("Jon lost his job as a banker.", a, "What was it Jon shared regarding banker?")
        False
    """
    m = _SAID.match(answer.strip())
    date, line = (m.group("date") or "", m.group("line")) if m else ("", answer)
    if date and not recalls(reply, date, share=1.0):
        return False
    return recalls(reply, line, given=question, share=SAID_RECALL)
