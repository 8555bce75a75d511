"""Build redline's CAMEO and PLOVER package tables from the public source files.

Usage::

    .venv/bin/python tools/ontology_build.py [SHARED_CAMEO_DIR]

SHARED_CAMEO_DIR defaults to ``../shared/data/cameo`` beside the checkout. The script writes, in redline's own
format (UTF-8 TSV with a header row, documented in ``src/redline/ontology/data/README.md``):

- ``cameo_events.tsv``: code, level, root, parent, quad_class, goldstein, label
- ``cameo_plover.tsv``: cameo, plover_type, mode, map_mode, context, origin
- ``plover_types.tsv``: type, quad_class, modes, definition

Labels are GDELT's with whitespace collapsed and the corrections in LABEL_FIXES (garbled text, and GDELT's
stale labels for 101 and 105-108). Only facts come from the sources (codes, labels, weights, the map's
type/mode/context); layout, normalisation, quad classes, definitions and the reconciliation of PLOVER modes
are redline's own. The country, actor-role and label-variant tables (``countries.tsv``, ``sectors.tsv``,
``cameo_label_variants.tsv``) are written by hand; this script leaves them alone.

This script runs at development time only; redline never reads the shared folder at run time for its ontology.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "redline" / "ontology" / "data"

# GDELT's QuadClass by CAMEO root: 01-05 verbal cooperation, 06-09 material cooperation,
# 10-14 verbal conflict, 15-20 material conflict.
GDELT_QUAD_BY_ROOT = {
    f"{r:02d}": (1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4) for r in range(1, 21)
}

# PLOVER type -> quad class (PLOVER's own grouping; see data/README.md for the reasoning).
PLOVER_QUAD = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "PROTEST": 4,
    "SANCTION": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}

# Short definitions written for redline (paraphrased, not the codebook's wording).
PLOVER_DEFINITION = {
    "AGREE": "Promise, offer or state willingness to cooperate or to sign, meet or settle in the future.",
    "CONSULT": "Meet, visit, host, phone or negotiate with another actor.",
    "SUPPORT": "Verbal support: praise, endorse, recognise, apologise, or sign and ratify an agreement.",
    "CONCEDE": "Verbal concession without immediate material effect, such as a promised easing or ceasefire.",
    "COOPERATE": "Start, resume or expand material cooperation: economic, military, judicial, intelligence.",
    "AID": "Provide material aid: economic, military, humanitarian, asylum, debt relief.",
    "RETREAT": "Material de-escalation: withdraw, release, return, disarm, implement a ceasefire, "
    "allow access, resign.",
    "REQUEST": "Ask, appeal, demand or order that another actor assist, change, yield or meet.",
    "ACCUSE": "Disapprove, criticise, allege wrongdoing or open an investigation.",
    "REJECT": "Refuse or reject a request, proposal, demand or norm.",
    "THREATEN": "Threaten coercion, sanctions, violence or a break in relations.",
    "PROTEST": "Civilian collective action: demonstrations, riots, strikes, hunger strikes, boycotts, "
    "blockades.",
    "SANCTION": "Reduce existing relations: convict, expel, withdraw from, or discontinue ties or aid.",
    "MOBILIZE": "Move, deploy, alert or test military, police, militia forces or weapons.",
    "COERCE": "Repression and coercive use of power short of violence: seize, restrict, ban, censor, arrest, "
    "deport, cyber operations.",
    "ASSAULT": "Deliberate violence against people or property, from beatings to conventional and "
    "mass-casualty attacks.",
}

# Modes the 2021 map uses that the current codebook does not list for that type -> redline's current mode
# ("" = no mode). Reasoning in data/README.md.
MODE_FIXES = {
    ("RETREAT", "ease"): "",
    ("COERCE", "martial-law"): "curfew",
    ("THREATEN", "political"): "rights",
    ("ASSAULT", "seize"): "destroy",
    ("ASSAULT", "pro_autocracy"): "",
}

# CAMEO 02 (APPEAL) is absent from the 2021 map; PLOVER folds appeals into REQUEST. redline maps 02x like the
# parallel 10x (DEMAND) codes: 021x/022/023x -> assist, 024x -> change, 025x -> yield, 026/027/028 -> meet.
APPEAL_MODES = {
    "020": "",
    "021": "assist",
    "022": "assist",
    "023": "assist",
    "024": "change",
    "025": "yield",
    "026": "meet",
    "027": "meet",
    "028": "meet",
}


# Defects in the public GDELT label table that redline corrects (source label, redline label). Whitespace is
# also collapsed everywhere. GDELT's labels for 101 and 105-108 are stale (an older CAMEO draft): their own
# sub-codes (1011-1014, 1051-1056) and the CAMEO manual and PLOVER map give the meanings used here.
LABEL_FIXES = {
    "101": ("Demand information, investigation", "Demand material cooperation, not specified below"),
    "105": ("Demand mediation", "Demand that target yields, not specified below"),
    "106": ("Demand withdrawal", "Demand meeting, negotiation"),
    "107": ("Demand ceasefire", "Demand settling of dispute"),
    "108": ("Demand meeting, negotiation", "Demand mediation"),
    "033": ("Express intent to provide matyerial aid, not specified below",
            "Express intent to provide material aid, not specified below"),
    "044": ("Meet at a \u00d2hird\u00d3location", "Meet at a 'third' location"),
    "2041": ("Use chemical, biological, or radiologicalweapons",
             "Use chemical, biological, or radiological weapons"),
}  # fmt: skip


def clean_label(code: str, label: str) -> str:
    label = " ".join(label.split())
    if code in LABEL_FIXES:
        source, fixed = LABEL_FIXES[code]
        if label != source:
            raise SystemExit(f"label of {code} changed upstream: {label!r}")
        return fixed
    return label


def read_tsv_pairs(path: Path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            line = line.rstrip("\n")
            if line:
                code, value = line.split("\t")
                rows.append((code.strip(), value.strip()))
    return rows


def parse_plover_map(path: Path) -> list[tuple[str, str, str, str]]:
    """(cameo, type, mode, context) for every coded line, in file order (duplicates kept)."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#") or raw.startswith("~"):
            continue
        m = re.match(r"(\d+):\s*(.*)$", raw)
        if not m:
            raise ValueError(f"{path}: cannot read line {raw!r}")
        code, rest = m.groups()
        body = rest.split("#", 1)[0]
        parts = [p.strip() for p in body.split(",")]
        while len(parts) < 3:
            parts.append("")
        ptype, mode, context = parts[0], parts[1], ",".join(parts[2:]).strip()
        context = ";".join(c.strip() for c in context.split(";") if c.strip())
        out.append((code, ptype, mode, context))
    return out


def codebook_modes(path: Path) -> dict[str, list[str]]:
    modes: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lst = modes.setdefault(row["event"].strip(), [])
            mode = row["mode"].strip()
            if mode and mode not in lst:
                lst.append(mode)
    return modes


def build(src: Path) -> None:
    labels = read_tsv_pairs(src / "CAMEO.eventcodes.txt")
    weights = dict(read_tsv_pairs(src / "CAMEO.goldsteinscale.txt"))
    OUT.mkdir(parents=True, exist_ok=True)

    with (OUT / "cameo_events.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("code\tlevel\troot\tparent\tquad_class\tgoldstein\tlabel\n")
        for code, label in labels:
            root = code[:2]
            level = len(code) - 1  # 1 root, 2 three-digit, 3 four-digit
            parent = "" if len(code) == 2 else code[:-1]
            g = float(weights[code])
            text = clean_label(code, label)
            fh.write(f"{code}\t{level}\t{root}\t{parent}\t{GDELT_QUAD_BY_ROOT[root]}\t{g:g}\t{text}\n")

    cb_modes = codebook_modes(src / "PLOVER_structured_codebook.csv")
    if set(cb_modes) != set(PLOVER_QUAD):
        raise SystemExit(
            f"codebook types differ from redline's 16: {sorted(set(cb_modes) ^ set(PLOVER_QUAD))}"
        )
    with (OUT / "plover_types.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("type\tquad_class\tmodes\tdefinition\n")
        for ptype in PLOVER_QUAD:
            modes = ",".join(cb_modes[ptype])
            fh.write(f"{ptype}\t{PLOVER_QUAD[ptype]}\t{modes}\t{PLOVER_DEFINITION[ptype]}\n")

    seen: set[str] = set()
    rows: list[tuple[str, str, str, str, str, str]] = []
    for code, ptype, raw_mode, context in parse_plover_map(src / "CAMEO2PLOVER-2021.txt"):
        if code in seen:  # root 08 is listed twice (CONCEDE, RETREAT) and 175 twice: first entry wins
            continue
        seen.add(code)
        mode = raw_mode.strip()
        if (ptype, mode) in MODE_FIXES:
            mode = MODE_FIXES[(ptype, mode)]
        elif mode and mode not in cb_modes[ptype]:
            raise SystemExit(f"unreconciled mode {ptype}/{mode} for {code}")
        rows.append((code, ptype, mode, raw_mode.strip(), context, "map"))
    for code, _label in labels:
        if code.startswith("02") and code not in seen:
            base = code[:3] if len(code) > 2 else "020"
            rows.append((code, "REQUEST", APPEAL_MODES[base], "", "", "redline"))
    rows.sort(key=lambda r: (r[0][:2], r[0].ljust(4, " ")))
    with (OUT / "cameo_plover.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("cameo\tplover_type\tmode\tmap_mode\tcontext\torigin\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    print(f"wrote {len(labels)} CAMEO codes, {len(PLOVER_QUAD)} PLOVER types, {len(rows)} map rows to {OUT}")


if __name__ == "__main__":
    default = REPO.parent / "shared" / "data" / "cameo"
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
