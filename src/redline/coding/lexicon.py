"""The event lexicon: verb and event-noun patterns -> CAMEO codes (the shipped default coder).

Patterns come from the project's own table ``data/events.tsv`` and, optionally, from a PETRARCH verb dictionary
(``--verbs PATH``: only its plain single-verb and verb + particle patterns are used). A pattern is
``(pos, lemma, prep, object)``; ``prep`` and ``object`` may be empty (any). A code written ``046:046`` names a
reciprocal act ("held talks with", "signed an agreement with"): the target does the second code towards the source
as well, the convention of the CAMEO/PETRARCH verb dictionaries for talks held and agreements signed together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from redline.errors import CodingError

__all__ = ["Lexicon", "default_lexicon", "generic_code", "class_of_code", "intent_code", "CLASS_NAMES"]

#: ConfliBERT "quad5" classes: 0 statement (CAMEO root 01), then quad classes 1-4.
CLASS_NAMES = (
    "statement",
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
_GENERIC = {0: "010", 1: "040", 2: "060", 3: "110", 4: "190"}  # one code per quad5 class


def generic_code(cls: int) -> str:
    """A CAMEO code standing for a whole quad5 class (used when only the class is known)."""
    return _GENERIC[cls]


#: quad5 class of each CAMEO root. This is the five-way scheme of the ConfliBERT event-class data (statements and
#: appeals; intent, consultation, diplomatic cooperation; material cooperation, aid, yielding; investigation,
#: demands, disapproval, rejection, threats and reduced relations; protest, force posture, coercion, assault,
#: fighting, mass violence). It differs from GDELT's QuadClass (``Event.quad_class``) for roots 02, 09, 14 and 16.
QUAD5_OF_ROOT = {
    "01": 0,
    "02": 0,
    "03": 1,
    "04": 1,
    "05": 1,
    "06": 2,
    "07": 2,
    "08": 2,
    "09": 3,
    "10": 3,
    "11": 3,
    "12": 3,
    "13": 3,
    "16": 3,
    "14": 4,
    "15": 4,
    "17": 4,
    "18": 4,
    "19": 4,
    "20": 4,
}


def class_of_code(code: str) -> int:
    """quad5 class of a CAMEO code (see ``QUAD5_OF_ROOT``)."""
    return QUAD5_OF_ROOT[code[:2]]


@dataclass
class Lexicon:
    """Pattern table: (pos, lemma, prep, obj) -> CAMEO code."""

    patterns: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    lemmas: dict[str, set[str]] = field(default_factory=dict)  # pos -> lemmas with any pattern
    #: reciprocal patterns: key -> the code of the target's act towards the source
    reverse: dict[tuple[str, str, str, str], str] = field(default_factory=dict)

    def add(self, pos: str, lemma: str, prep: str, obj: str, code: str, reverse: str = "") -> None:
        key = (pos, lemma.lower(), prep.lower(), obj.lower())
        if key not in self.patterns:
            self.patterns[key] = code
            if reverse:
                self.reverse[key] = reverse
        self.lemmas.setdefault(pos, set()).add(lemma.lower())

    def has(self, pos: str, lemma: str) -> bool:
        return lemma in self.lemmas.get(pos, ())

    def lookup(
        self, pos: str, lemma: str, preps: list[tuple[str, str]], obj: str, xcomp: str = ""
    ) -> tuple[str, int] | None:
        """Most specific matching code and its specificity (0-2). ``preps`` are (prep, object-lemma) pairs."""
        found = self.lookup_full(pos, lemma, preps, obj, xcomp)
        return (found[0], found[1]) if found else None

    def lookup_full(
        self, pos: str, lemma: str, preps: list[tuple[str, str]], obj: str, xcomp: str = ""
    ) -> tuple[str, int, str] | None:
        """Like :meth:`lookup`, plus the reciprocal code ("" unless the pattern is reciprocal)."""
        key = self._key(pos, lemma, preps, obj, xcomp)
        if key is None:
            return None
        return self.patterns[key[0]], key[1], self.reverse.get(key[0], "")

    def _key(
        self, pos: str, lemma: str, preps: list[tuple[str, str]], obj: str, xcomp: str
    ) -> tuple[tuple[str, str, str, str], int] | None:
        p = self.patterns
        for prep, pobj in preps:
            if pobj and (pos, lemma, prep, pobj) in p:
                return (pos, lemma, prep, pobj), 2
        for prep, pobj in preps:  # a particle makes a different verb: "send back" is not "send"
            if not pobj:
                for k in ((pos, lemma, prep, obj), (pos, lemma, prep, "")):
                    if k in p:
                        return k, 2
        if obj and (pos, lemma, "", obj) in p:
            return (pos, lemma, "", obj), 2
        if xcomp and (pos, lemma, "to", xcomp) in p:
            return (pos, lemma, "to", xcomp), 2
        for prep, _ in preps:
            if (pos, lemma, prep, "") in p:
                return (pos, lemma, prep, ""), 1
        if (pos, lemma, "", "") in p:
            return (pos, lemma, "", ""), 0
        return None

    def load_petrarch_verbs(self, path: str | Path) -> int:
        """Add patterns from a PETRARCH verb dictionary (CAMEO.2.0.txt style); returns how many were added.

        Read: block headers ``---  NAME  [CODE]  ---``, member verbs (``VERB [CODE] {FORMS}``, ``VERB_PARTICLE``)
        and the simplest patterns, ``- * OBJECT [CODE]`` and ``- * (PREP OBJECT) [CODE]``, applied to the
        block's verbs. Other patterns are skipped. The project's own patterns keep precedence.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CodingError(f"{path}: cannot read verb dictionary: {exc}") from exc
        header = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]")
        member = re.compile(r"^([A-Z][A-Z_\-]*)\s*(?:\[([0-9]{2,4})[^\]]*\])?")
        simple = re.compile(
            r"^-\s+\*\s+(?:([A-Z]+)|\(([A-Z]+)\s+([A-Z]+)\))\s+\[([0-9]{2,4})(?::([0-9]{2,4}))?[^\]]*\]"
        )
        n = 0
        block_code = ""
        verbs: list[tuple[str, str]] = []

        def code_of(cell: str) -> str:
            c = cell.split(":")[0].strip()
            return c if c.isdigit() else ""

        for raw in text.splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            m = header.match(line)
            if m:
                block_code = code_of(m.group(2))
                verbs = []
                continue
            if line.startswith("-"):
                m = simple.match(line)
                if m and verbs:
                    code, rev = m.group(4), m.group(5) or ""
                    for lemma, prt in verbs:
                        if m.group(1):
                            self.add("V", lemma, prt, m.group(1).lower(), code, rev)
                        else:
                            self.add("V", lemma, m.group(2).lower(), m.group(3).lower(), code, rev)
                        n += 1
                continue
            m = member.match(line)
            if m and not line.startswith(("&", "+")):
                code = m.group(2) or block_code
                parts = m.group(1).lower().strip("_").split("_")
                lemma, prt = parts[0], (parts[1] if len(parts) == 2 else "")
                if len(parts) > 2 or not lemma:
                    continue
                verbs.append((lemma, prt))
                if code:
                    self.add("V", lemma, prt, "", code)
                    n += 1
        return n


#: CAMEO code of a stated intention to do an action of a given root (03x for cooperation, 13x for conflict)
_INTENT = {
    "04": "036",
    "05": "032",
    "06": "031",
    "07": "033",
    "08": "035",
    "02": "030",
    "03": "030",
    "09": "",
    "01": "",
    "10": "130",
    "11": "130",
    "12": "130",
    "13": "130",
    "14": "133",
    "15": "138",
    "16": "131",
    "17": "137",
    "18": "137",
    "19": "138",
    "20": "1383",
}
#: CAMEO code of refusing an action of a given root (12x)
_REFUSAL = {"04": "125", "05": "120", "06": "121", "07": "122", "08": "124", "02": "120", "03": "120", "09": "120"}


def intent_code(code: str, kind: str) -> str:
    """The code of stating an intention ("intent"/"threat") or a refusal ("refusal") to do ``code``."""
    if kind == "demand":
        return "100"
    table = _REFUSAL if kind == "refusal" else _INTENT
    return table.get(code[:2], "")


def default_lexicon() -> Lexicon:
    """The project's own pattern table; codes unknown to the CAMEO table fall back to their parent."""
    from redline.actors.tables import read_data_table
    from redline.ontology import cameo

    def valid(code: str) -> str:
        while code and not cameo.is_valid(code):
            code = code[:-1]
        return code

    lex = Lexicon()
    for r in read_data_table("events.tsv"):
        code, _, rev = r["cameo"].partition(":")
        code, rev = valid(code), valid(rev)
        if len(code) < 2:
            continue
        obj = "" if r["object"] == "*" else r["object"]
        lex.add(r["pos"], r["lemma"], "" if r["prep"] == "*" else r["prep"], obj, code, rev if len(rev) >= 2 else "")
    return lex
