"""`cvgraph ingest`: a draft source sheet from the text (or the PDF) of a contract.

The text is read line by line, keeping each line's number. Headings are recognised whatever their
case and accents; page numbers, bare URLs and footers repeated across pages are set aside; a word cut
across two lines ("amélio-" / "ration") is joined. The parts recognised:

- the protocol's list of orientations ("Orientation n°5 : …") and its axes ("Au titre de « … »");
- each orientation fiche ("ORIENTATION STRATÉGIQUE N°5 : …") and its sections: DONNÉES, CONSTAT,
  OBJECTIFS, ENJEUX, ACTIONS À CONDUIRE, Pilote(s), Services associés, and the funding headings
  (Mobilisation des cofinancements / Co-financements, Droit commun mobilisable, Financements
  spécifiques mobilisables, Financements mobilisables);
- the signatories' commitments ("Les engagements des signataires", one numbered part each);
- the annex of result indicators ("ORIENTATIONS … (1 à 4) :" followed by a list).

Names are resolved through the registries of `data/` (organisations, instruments), by their
written spellings; a name the registries do not know is listed in the sheet's `unresolved` part
with its line, never dropped and never guessed. Every item carries the line it came from.

The package, by part:

- `reading`: lines with their numbers, a PDF's pages, running headers and footers, cut words;
- `converted`: what document converters leave (Markdown, grid tables, table cells one a line),
  put back as the lines and table rows the reader reads;
- `sections`: the heading vocabulary (sections by meaning, fiche and axis headings, signature
  blocks, funding tables and sums of money);
- `naming`: registered names found in written text, names of bodies and schemes no registry knows;
- `items`: the `Reader` of one text, one module per kind of item (fiches and their headings,
  participants, funding, its funders and instruments, annexes, signatories);
- `sheet`: the draft sheet written (`ingest`, `ingest_into`, amendments, confidences, the review list);
- `comparison`: a draft scored against a curated sheet (`compare`).
"""

from __future__ import annotations

from .comparison import compare, curated_scope, sheet_items
from .items import Found, Reader
from .reading import key_of
from .sections import amounts_in, row_kind, section_of, table_row
from .sheet import ingest, ingest_into


__all__ = ["Found", "Reader", "amounts_in", "compare", "curated_scope", "ingest", "ingest_into", "key_of",
           "row_kind", "section_of", "sheet_items", "table_row"]
