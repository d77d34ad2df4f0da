"""A year's star ratings on PostgreSQL [003 §21; issue #12: 20,000 agencies ≤ 5 s, a number of
queries that does not grow with the agencies] — now the "ratings" section of bench/supervision.py
(its 20,000 agencies, seeded once; the round and its records are rolled back after each run).

    .venv/bin/python bench/supervision_ratings.py [--runs N] [-v]
        = .venv/bin/python bench/supervision.py --only ratings [--runs N] [-v]
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.argv = [str(Path(__file__).with_name("supervision.py")), "--only", "ratings", *sys.argv[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")
