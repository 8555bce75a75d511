"""Run every benchmark script (benchmarks/<task>/*.py, except helpers whose names start with '_' or 'gen_'),
forwarding their JSON lines to stdout and collecting them in benchmarks/results.jsonl.

Usage: python benchmarks/run_all.py [TASK ...]   e.g. `python benchmarks/run_all.py store coding`
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(tasks: list[str]) -> list[Path]:
    found = []
    for d in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        if tasks and d.name not in tasks:
            continue
        found += [p for p in sorted(d.glob("*.py")) if not p.name.startswith(("_", "gen_"))]
    return found


def main() -> int:
    failed = 0
    out = HERE / "results.jsonl"
    with out.open("a", encoding="utf-8") as sink:
        for script in scripts(sys.argv[1:]):
            print(f"# {script.relative_to(HERE.parent)}", file=sys.stderr, flush=True)
            proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
            for line in proc.stdout.splitlines():
                if line.startswith("{"):
                    print(line, flush=True)
                    sink.write(line + "\n")
            if proc.returncode != 0:
                failed += 1
                print(f"# FAILED {script}: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
