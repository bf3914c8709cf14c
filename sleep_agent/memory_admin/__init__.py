"""See and edit what a thread remembers: list its facts, roll back a version, forget one thing.

- :mod:`.known`: every fact the thread's sleeps consolidated, with its sleep, source and recall;
- :mod:`.rollback`: make an earlier version live;
- :mod:`.forget`: rebuild the adapter from the base model without a text, and remove it from the
  versions, the vector memory and the checkpoint (:mod:`.redact`).

The same operations are ``sleep-agent memory list|rollback|forget THREAD`` on the command line.

Example::

    >>> from sleep_agent.memory_admin import forget, known_facts, plan_forget
    >>> thread = Thread("demo-1")
    >>> [f.subject for f in known_facts(thread) if f.live][:2]
    >>> forget(runtime, thread, "Samor Fenkarin").deleted_versions
"""

from .forget import ForgetError, ForgetPlan, ForgetReport, NothingToForgetError, forget, plan_forget
from .known import KnownFact, known_facts, lineage, probe
from .redact import MARKER, redact
from .rollback import rollback

__all__ = ["MARKER", "ForgetError", "ForgetPlan", "ForgetReport", "KnownFact", "NothingToForgetError", "forget",
           "known_facts", "lineage", "plan_forget", "probe", "redact", "rollback"]
