"""The items of a contract's text: its fiches (orientations and their sections), pilots and
associated services, funding lines, signatories and indicators. `Reader` reads one text; each
kind of item is read by a part of it, in the module named after it."""

from __future__ import annotations

from .annexes import Annexes
from .base import Found, ReaderBase
from .engagements import Engagements
from .fiches import Fiches
from .funding import Funding, expand_inline_funders
from .glossary import Glossary
from .participants import Participants
from .parties import Parties
from .signatories import Signatories
from .spreadsheet import Spreadsheet


class Reader(Fiches, Annexes, Engagements, Spreadsheet, Participants, Funding, Signatories, Parties, Glossary, ReaderBase):
    """The reader of one contract text: `fiches()`, `signatories()`, `indicators()`, and under them
    `participants()` and `funding()` for a fiche's sections, `funding_by_orientation()` for a
    maquette financière, `roles_by_engagements()` for roles set out signatory by signatory. What it found (counts, unresolved
    names, lines it could not read) goes into its `Found`."""


__all__ = ["Found", "Reader", "expand_inline_funders"]
