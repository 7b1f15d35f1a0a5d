"""Search (S1–S4): one interface, two engines side by side.

Posts become ``SearchEntry`` rows of folded words (``documents``, ``indexing``),
kept in step by signals; an engine chosen by ``SEARCH_BACKENDS`` indexes and
queries them (``backends``: SQLite FTS5 or PostgreSQL full-text search); the
reader's query syntax is parsed into a tree that each engine compiles safely
(``query``); the page shows marked snippets and, when nothing is found,
suggestions (``selectors``, ``highlight``, ``suggestions``).
"""
