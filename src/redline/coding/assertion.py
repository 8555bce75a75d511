"""Is an event phrase asserted? Negated, modal or hypothetical, contemplated, conditional and denied actions are not.

Works on spaCy tokens (duck-typed: ``dep_``, ``lemma_``, ``lower_``, ``children``, ``head``). The verb's own
auxiliaries and negation decide first; then the verb that governs it through ``xcomp``/``ccomp``/``conj``
passes its state down ("has not sought to punish", "was contemplating sending", "denied that ... sent").
"""

from __future__ import annotations

from typing import Any

__all__ = ["assertion", "stated_intent", "MODALS", "NONFACTIVE", "FACTIVE_CONTROL", "DENY", "DIRECTIVE"]

MODALS = frozenset(
    {"could", "can", "may", "might", "would", "should", "will", "shall", "must", "ca", "wo", "'ll", "'d"}
)
#: verbs whose complement has not happened (yet): intentions, attempts, plans, refusals, requests
NONFACTIVE = frozenset(
    {
        "seek",
        "try",
        "attempt",
        "want",
        "plan",
        "intend",
        "hope",
        "aim",
        "consider",
        "contemplate",
        "threaten",
        "vow",
        "pledge",
        "promise",
        "expect",
        "prepare",
        "refuse",
        "decline",
        "fail",
        "offer",
        "propose",
        "ask",
        "urge",
        "call",
        "demand",
        "need",
        "wish",
        "mull",
        "weigh",
        "discuss",
        "debate",
        "push",
        "press",
        "warn",
        "agree",
        "allow",
        "permit",
        "able",
        "likely",
        "unlikely",
        "reason",
        "bet",
        "betting",
        "imagine",
        "suppose",
        "whether",
        "avoid",
        "refrain",
        "rule",
        "oppose",
        "reject",
        "deny",
        "forbid",
        "prevent",
        "stop",
        "restrain",
        "encourage",
        "persuade",
        "convince",
        "get",
        "tell",
        "order",
        "invite",
        "help",
        "seem",
        "appear",
        "claim",
        "allege",
        "fear",
        "worry",
        "predict",
        "speculate",
        "rumour",
        "rumor",
        "report",
    }
)
FACTIVE_CONTROL = frozenset(
    {
        "decide",
        "begin",
        "start",
        "continue",
        "manage",
        "resume",
        "proceed",
        "go",
        "come",
        "move",
        "rush",
        "dare",
        "keep",
        "use",
    }
)
#: verbs whose clausal complement is what someone is asked to do ("demanded that Iran release ...")
DIRECTIVE = frozenset({"demand", "ask", "urge", "request", "order", "recommend", "propose"})
DENY = frozenset({"deny", "dismiss", "refute", "reject", "rebut", "disprove"})
_PROTEST_VERBS = frozenset({"protest", "demonstrate", "rally", "demand", "denounce", "condemn", "mourn"})
_GATHER_VERBS = frozenset({"take", "gather", "rally", "march", "assemble", "turn", "come", "converge", "pour", "flock"})
_NEG_WORDS = frozenset({"not", "n't", "never", "no", "neither", "nor"})
_COND_MARKS = frozenset({"if", "unless", "whether", "should", "lest"})


def _own_state(tok: Any) -> str:
    for c in tok.children:
        d = c.dep_
        if d == "neg" or (d in ("advmod", "det") and c.lower_ in _NEG_WORDS):
            return "negated"
        if d in ("aux", "auxpass") and c.lower_ in MODALS:
            return "modal"
        if d == "mark" and c.lower_ in _COND_MARKS:
            return "conditional"
    return ""


def assertion(tok: Any, depth: int = 0) -> tuple[bool, str]:
    """(asserted, reason): reason is "", "negated", "modal", "conditional", "contemplated", "denied", "question"."""
    state = _own_state(tok)
    if state:
        return False, state
    if tok.dep_ == "ROOT" and tok.sent.text.rstrip().endswith("?"):
        return False, "question"
    if depth > 6:
        return True, ""
    head, dep = tok.head, tok.dep_
    if head.i == tok.i:
        return True, ""
    # an infinitive: "reasons to punish", "decision to sign", "prepared to attend" -- not (yet) a fact,
    # unless the governing verb says it happened ("began to withdraw", "managed to cross")
    infinitive = tok.pos_ in ("VERB", "AUX") and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    if infinitive and dep == "advcl" and tok.lemma_.lower() in _PROTEST_VERBS and head.lemma_.lower() in _GATHER_VERBS:
        return assertion(head, depth + 1)  # "thousands took to the streets to protest": the gathering is the protest
    if infinitive and not (dep == "xcomp" and head.lemma_.lower() in FACTIVE_CONTROL):
        return False, "contemplated"
    if dep in ("xcomp", "ccomp"):
        lemma = head.lemma_.lower()
        if dep == "ccomp" and lemma in DENY:
            return False, "denied"
        if dep == "ccomp" and lemma in DIRECTIVE:
            return False, "contemplated"  # "demanded that Iran release the prisoners": not (yet) done
        if dep == "xcomp" and lemma in NONFACTIVE:
            return False, "contemplated"
        if lemma in ("claim", "allege", "rumour", "rumor", "speculate") and dep == "ccomp":
            return False, "contemplated"
        return assertion(head, depth + 1)
    if dep == "conj":
        return assertion(head, depth + 1)
    if dep == "csubj":
        # "sending workers back would devastate ...": a modal main verb makes its clausal subject hypothetical;
        # a negated one ("sending troops does not violate ...") does not deny it
        ok, why = assertion(head, depth + 1)
        return (True, "") if why in ("negated", "") else (ok, why)
    if dep in ("pcomp", "pobj") and head.dep_ == "prep" and head.head.lemma_.lower() in NONFACTIVE:
        return False, "contemplated"
    if dep == "advcl":
        for c in tok.children:
            if c.dep_ in ("mark", "aux") and c.lower_ == "to":
                # purpose clause: "in order to punish" is not a fact
                return False, "contemplated"
        return True, ""
    if dep in ("dobj", "pobj", "attr") and tok.pos_ == "NOUN":
        gov = head if dep != "pobj" else head.head
        if gov.pos_ in ("VERB", "AUX") and gov.i != tok.i:
            return assertion(gov, depth + 1)
    return True, ""


#: words whose infinitive complement is a stated intention ("ready to help", "vowed to retaliate")
INTENT_HEADS = frozenset(
    {
        "ready",
        "willing",
        "prepared",
        "determined",
        "eager",
        "keen",
        "plan",
        "intend",
        "vow",
        "pledge",
        "promise",
        "agree",
        "offer",
        "commit",
        "aim",
        "want",
        "seek",
        "threaten",
        "warn",
        "go",
        "prepare",
        "resolve",
        "expect",
        "hope",
        "wish",
        "propose",
        "consider",
        "mull",
        "weigh",
        "look",
    }
)
REFUSAL_HEADS = frozenset({"refuse", "decline", "reject", "rule", "unwilling", "reluctant", "fail"})
_FUTURE = frozenset({"will", "would", "shall", "'ll", "wo", "'d"})


def stated_intent(tok: Any) -> str:
    """For a non-asserted action: "intent", "refusal" or "demand" when the text states one.

    ("will allow", "ready to help"; "will not lift", "refused to release"; "must end"), else "".
    """
    negated = any(c.dep_ == "neg" for c in tok.children)
    if any(c.dep_ in ("aux", "auxpass") and c.lower_ == "must" for c in tok.children):
        return "demand"  # "Y must mediate", "X must end attacks"
    future = any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE for c in tok.children)
    if future:
        return "refusal" if negated else "intent"
    h = tok.head
    if (
        h.i != tok.i
        and tok.dep_ in ("xcomp", "acl", "advcl", "ccomp")
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    ):
        lemma = h.lemma_.lower()
        h_neg = any(c.dep_ == "neg" for c in h.children)
        if lemma in REFUSAL_HEADS:
            return "" if h_neg else "refusal"
        if lemma in INTENT_HEADS or (h.dep_ == "acomp" and h.head.lemma_.lower() == "be"):
            return "refusal" if h_neg else "intent"
    return ""
