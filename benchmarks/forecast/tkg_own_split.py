"""The "never tuned on" check: ICEWS18 re-split by month (train January-June, valid July, test August 1-14);
prints one JSON line each for the recurrency baseline and the ensemble (see tkg.py for the protocol)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    tkg = Path(__file__).resolve().with_name("tkg.py")
    sys.exit(subprocess.run([sys.executable, str(tkg), "--own-split", *sys.argv[1:]]).returncode)
