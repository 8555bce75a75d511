"""Knowledge: treaties (ATOP + curated records), declared red lines, trade dependence, DPRK provocations.

Data files are read at run time from a data folder (``data_dir``); the project's own curated records live in
``knowledge/data/`` with their sources.
"""

from .datadir import data_dir, to_cameo, to_cow
from .korea import Provocation, load_provocations, nuclear_tests
from .redlines import LineCheck, RedLine, Trigger, check, load_red_lines
from .trade import TradeBook, TradeShare
from .treaties import Obligation, TreatyBook, load_curated_treaties

__all__ = [
    "data_dir",
    "to_cow",
    "to_cameo",
    "Provocation",
    "load_provocations",
    "nuclear_tests",
    "RedLine",
    "Trigger",
    "LineCheck",
    "check",
    "load_red_lines",
    "TradeBook",
    "TradeShare",
    "Obligation",
    "TreatyBook",
    "load_curated_treaties",
]
