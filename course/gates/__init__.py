"""Performance gates: gate notebooks run with papermill, judged against the roadmap's targets.

- ``targets.yml`` / ``targets.py``: the targets, transcribed once, with units
- ``verdicts.py``: a gate's measurements (its structured output) against the targets
- ``chart.py``: where a gate's chart is drawn (matplotlib)
- ``renderer.py``: the kernel's renderer plug-in (verdict table + chart in the notebook)
- ``runs.py``: running gate notebooks with papermill and reading them back
- ``metrics.py``, ``report.py``: metrics.csv/json, report.html and the class view
- ``commands.py``: ``course gates run`` and ``course gates report``

The measuring side is Elixir: ``course/elixir_helpers/lib/bench*.ex`` (the ``Bench`` helper).
"""
