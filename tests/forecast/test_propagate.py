"""Two-hop propagation over the decayed graph, on a hand-built graph with exact scores."""

from __future__ import annotations

import numpy as np
import pytest

from redline.errors import ModelError
from redline.forecast.data import from_quads
from redline.forecast.models import get_model


def _graph():
    # 0 meets 1 (t=0) and 2 (t=1); 1 attacks (rel 1) 3 at t=0 and 4 at t=2; 2 attacks 3 at t=1
    facts = np.array([[0, 0, 1, 0], [0, 0, 2, 1], [1, 1, 3, 0], [1, 1, 4, 2], [2, 1, 3, 1]])
    return from_quads(facts, None, None, name="p", num_entities=5, num_relations=2)


def test_neighbours_answers_for_the_same_relation():
    m = get_model("propagate", key="rel", lam=0.0, lam_hop=0.0).fit(_graph())
    # query (0, attacks, ?, t=3): neighbours 1 (weight 1) and 2 (weight 1); 1 attacked 3 and 4 (1/2 each), 2: 3
    s = m.predict(np.array([[0, 1, 3]]))[0]
    assert s.tolist() == pytest.approx([0, 0, 0, 1.5, 0.5])
    # at t=1 only 1's attack on 3 (t=0) is known, and only 0's meeting with 1
    assert m.predict(np.array([[0, 1, 1]]))[0].tolist() == pytest.approx([0, 0, 0, 1, 0])


def test_decay_and_relation_agnostic_walk():
    m = get_model("propagate", key="any", lam=1.0, lam_hop=0.0).fit(_graph())
    s = m.predict(np.array([[0, 1, 3]]))[0]
    # A[0,1] = 2^-3, A[0,2] = 2^-2; 1's neighbours: 0, 3, 4 (1/3 each); 2's: 0, 3 (1/2 each)
    want = [2**-3 / 3 + 2**-2 / 2, 0, 0, 2**-3 / 3 + 2**-2 / 2, 2**-3 / 3]
    assert s.tolist() == pytest.approx(want)
    m.observe(np.array([[3, 0, 4, 3]]))  # the cache follows the memory
    assert m.predict(np.array([[3, 1, 4]]))[0][1] > 0
    with pytest.raises(ModelError):
        get_model("propagate", key="x")
