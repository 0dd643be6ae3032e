"""One SQLAlchemy engine per gradebook for the life of a grading worker.

nbgrader opens `Gradebook(db_url)` about ten times per notebook it grades,
and every opening creates a new SQLAlchemy engine. The engine is where
SQLAlchemy caches compiled SQL, so every opening compiled all of its queries
again: a fifth of a grading worker's own CPU time. A worker grades many
notebooks against the same gradebook, so it keeps one engine per URL.

Nothing else changes: `Gradebook.close()` still disposes of the engine's
connection pool (SQLAlchemy opens a fresh one on next use), so no database
connection outlives the gradebook that opened it; only compiled statements
are kept. Only grading workers call `reuse_gradebook_engines()`.
"""

from __future__ import annotations

import threading

import nbgrader.api

_lock = threading.Lock()


def reuse_gradebook_engines() -> None:
    """Make nbgrader's gradebooks in this process share one engine per URL."""
    create_engine = nbgrader.api.create_engine
    if getattr(create_engine, "reuses_engines", False):
        return
    engines = {}

    def engine_for(url, **options):
        key = (str(url), repr(sorted(options.items())))
        with _lock:
            if key not in engines:
                engines[key] = create_engine(url, **options)
            return engines[key]

    engine_for.reuses_engines = True
    nbgrader.api.create_engine = engine_for
