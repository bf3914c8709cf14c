"""Benchmarks of the sleep (installed as ``sleep_agent_benchmarks``; ``sleep-agent bench`` runs them).

- :mod:`.retention`: after a sleep, does the model know what was in its window?
- :mod:`.perf`: what a sleep and a woken step cost;
- :mod:`.world`: the made-up world both consolidate;
- :mod:`.results`: the ``.json`` + ``.md`` results writer every benchmark uses;
- scripts: ``decline_shots.py`` (the gate's decline dev set), ``memory_steps.py`` (sleeps per step).
"""
