"""The heading vocabulary: the sections of a fiche by their meaning (pilots, services, the kinds of
funding, data, objectives, actions, indicators…), fiche and axis headings, signature blocks, funding
tables (their rows, the cell that states a kind, sums of money)."""

from __future__ import annotations

import re

from .reading import Line, join_cut_words, key_of


# headings of a fiche by meaning, matched on key_of(line) (accents and case dropped); the group, if
# any, is text after the heading ("Pilote(s) : A, B"). A word that also starts sentences
# ("partenaires", "actions", "porteur", "financeurs") is a heading only before ":" or alone on its line.
_END = r"(?:\s*:\s*(.*)|\s*$())"
# what a role's heading may say it is of: "Responsable(s) de l'objectif", "Partenaires de l'action"
_OF = r"(?: (?:de l'|de la |du |des |de )(?:action|projet|fiche|objectif|orientation|axe|mise en oeuvre|operation|dispositif)s?)?"


SECTIONS = [
    ("title", re.compile(r"^(?:intitule|libelle)(?: de l'action| de la fiche| de l'objectif| de l'orientation)?" + _END)),
    ("data", re.compile(r"^(?:donnees|chiffres[ -]cles|diagnostic)\b[^:]*:?\s*(.*)$")),
    ("constat", re.compile(r"^(?:contexte(?: et (?:constats?|enjeux))?|constats?)\b\s*:?\s*(.*)$|^pourquoi\s*\?\s*(.*)$")),
    # (a fiche written as questions: "Pourquoi ?", "Pour quoi faire ?", "Comment ?", "Comment mesurer ?")
    ("objectives", re.compile(r"^pour quoi faire\s*\?\s*(.*)$|^objectifs?(?: operationnels?| strategiques?)?(?:\s*\(s\))?" + _END
                              + r"|^objectifs? operationnels? \d{1,2}(?:\.\d{1,2})?\s*[:.\-–]\s*(.*)$")),
    ("enjeux", re.compile(r"^enjeux\b\s*:?\s*(.*)$")),
    ("actions", re.compile(r"^comment\s*\?\s*(.*)$|^(?:actions? (?:a|à) conduire|plan d'actions?|actions? (?:prevues?|envisagees?))\b\s*:?\s*(.*)$"
                           r"|^actions?" + _END)),
    ("pilots", re.compile(r"^(?:co[- ]?)?pilotes?(?:\s*\(s\))?" + _OF + r"(?!\w)(?!\s+(?:politique|technique|operationnel|strategique|institutionnel)s?\s*:)\s*:?\s*(.*)$"
                          # ("Pilotage du NPNRU et relogement." is an action, "Pilotage :" a heading)
                          r"|^(?:(?:co[- ]?)?pilotage" + _OF + _END + r")"
                          r"|^qui pilote\s*\?\s*(.+)$"   # a question's answer after it ("Qui pilote ? La Ville de X.")
                          r"|^(?:qui pilote\s*\?|porteurs?(?:\s*\(s\))?|(?:co[- ]?)?chefs? de file"
                          r"|maitres?(?:\s*\(s\))? d'ouvrage|maitrise d'ouvrage|responsables?(?:\s*\(s\))?"
                          r"|coordination|coordinateurs?|referents?(?:\s*\(s\))?"
                          # "Conduite par : A", "Co-conduite : B", "Conduit(e) par"
                          r"|(?:co[- ]?)?conduite(?:\s+par)?|conduite?(?:\s*\(e\))?\s+par"
                          # "Service référent / pilote", "Structure(s) pilote(s)" (a form's fields)
                          r"|(?:services?|structures?|directions?)(?:\s*\(s\))?\s+(?:referents?\s*/\s*)?pilotes?(?:\s*\(s\))?"
                          r"|services? referents?(?:\s*\(s\))?"
                          # typed leads: "Pilotage politique :", "Pilote institutionnel :", "Référent État :"
                          r"|(?:(?:co[- ]?)?pilotage|(?:co[- ]?)?pilotes?|referents?)\s+(?:politiques?|techniques?|operationnels?|strategiques?|institutionnels?"
                          r"|etat|ville|commune|agglomeration|epci|intercommunalite|departement))" + _OF + _END)),
    ("services", re.compile(r"^services? associes?\b\s*:?\s*(.*)$|^partenaires? techniques? et financiers?" + _END
                            + r"|^(?:autres?\s+)?(?:partenaires?(?:\s*\(s\))?(?: associes?| mobilises?| operationnels?| techniques?| impliques?| contributeurs?)?"
                            r"|acteurs?(?:\s*\(s\))?(?: associes?| mobilises?| concernes?| impliques?| contributeurs?)?|contributeurs?"
                            r"|structures? (?:associees?|mobilisees?|partenaires?|impliquees?)|intervenants?"
                            r"|en appui|(?:structures?|partenaires?) (?:d')?appui|appuis?"
                            # partners by category: "Partenaires institutionnels :", "Acteurs économiques :", "Bailleurs sociaux :"
                            r"|(?:partenaires?|acteurs?|structures?)\s+(?:institutionnels?|associatifs?|associatives?|economiques?|publics?|prives?"
                            r"|locaux|locales?|de terrain|du territoire|de proximite|sociaux|culturels?|sportifs?|educatifs?|de (?:la )?sante)"
                            r"|bailleurs? sociaux(?=\s*:)|instances? de participation|(?:le )?monde (?:associatif|economique))" + _OF + _END
                            + r"|^avec qui\s*\?" + _END + r"|^avec qui\s*\?\s*(.+)$")),   # a web page's questions: "Qui pilote ?", "Avec qui ?", "Quels moyens ?"
    ("funding-dc", re.compile(r"^(?:[-–•*+]\s*)?(?:(?:financements?|credits?|moyens?)(?: mobilises?)? (?:de |du |\(\s*)?)?"
                              r"droit commun(?: mobilisables?| mobilises?)?\)?\s*:?\s*(.*)$"
                              r"|^(?:[-–•*+]\s*)?au titre (?:du|de (?:son|leur)) droit commun" + _END +
                              # the abbreviation, before its colon: "Financements DC :", "DC :"
                              r"|^(?:[-–•*+]\s*)?(?:(?:financements?|credits?|moyens?) )?dc\s*:\s*(.*)$")),
    ("funding-sp", re.compile(r"^(?:[-–•*+]\s*)?(?:(?:financements?|credits?|moyens?)(?: de l'etat| etat)? (?:specifiques?|(?:de la |au titre de la )?politique de la ville"
                              r"|(?:du |au titre du )contrat de ville)|credits? pv)(?: mobilisables?| mobilises?)?"
                              r"(?:\s*\((?:de la |au titre de la )?politique de la ville\))?\b\s*:?\s*(.*)$"
                              r"|^(?:[-–•*+]\s*)?(?:au titre de la )?politique de la ville" + _END +
                              # the abbreviations, before their colon: "Financements PV :", "CS :"
                              r"|^(?:[-–•*+]\s*)?(?:(?:financements?|credits?|moyens?) )?(?:pv|cs)\s*:\s*(.*)$")),
    ("funding-np", re.compile(r"^(?:[-–•]\s*)?financements? mobilisables?\b\s*:?\s*(.*)$"
                              r"|^(?:avec )?(?:quels? (?:moyens|financements?)|qui finance)\s*\?" + _END +
                              r"|^(?:avec )?(?:quels? (?:moyens|financements?)|qui finance)\s*\?\s*(.+)$" +
                              r"|^(?:[-–•]\s*)?(?:financeurs?(?:\s*\(s\))?|partenaires? financiers?|moyens? mobilis(?:es?|ables?)|tableau des moyens"
                              r"|moyens? financiers?(?: mobilis(?:es?|ables?))?|tableau (?:de|des) financements?|plan de financement(?: previsionnel)?(?: \([^)]{1,30}\))?|financements? (?:previsionnels?|envisages?|prevus?|sollicites?)"
                              r"|moyens? (?:et|/) financements?|financements? croises?|budget(?: previsionnel)?"
                              r"|credits? mobilis(?:es?|ables?)|ressources?(?: mobilis(?:ees?|ables?)| financieres?)?|moyens?(?: humains et financiers?)?"
                              r"|modalites? de financement|engagements? financiers?(?: des partenaires)?|participations? financieres?"
                              r"|financeurs? (?:pressentis?|sollicites?|potentiels?)"
                              # sub-headings of a financing plan: "Autres financements", "Cofinancements à rechercher"
                              r"|autres? (?:financements?|financeurs?|cofinancements?|ressources?)"
                              r"|(?:co[- ]?)?financements? (?:a rechercher|a solliciter|a mobiliser|complementaires?|attendus?|en cours de recherche))"
                              + _END)),
    # "Partenaires financeurs : CAF, Région": funders, or partners named among others when the fiche
    # has its own funding section (see `Fiches.fiche`)
    ("funding-partners", re.compile(r"^partenaires? financeurs?" + _END)),
    ("funding", re.compile(r"^(?:mobilisation des )?co[- ]?financ(?:eurs|ements?)\b\s*:?\s*(.*)$"
                           r"|^financements?" + _OF + _END)),
    # headings that end a section and give no item: "Calendrier : études 2024", "Public visé : …"
    # (a cost, "Coût estimatif : 96 000 € par an", is the action's, no funder's)
    ("other", re.compile(r"^(?:calendrier(?: previsionnel| de (?:mise en oeuvre|realisation))?|echeancier|duree"
                         r"|couts?(?: previsionnels?| estimatifs?| estimes?| totals?| globals?)?"
                         r"|publics?(?: cibles?| vises?| concernes?)?|localisation|territoires? concernes?"
                         r"|quartiers?(?:\s*\(s\))? concernes?(?:\s*\(s\))?|axe du contrat|date de mise a jour"
                         r"|(?:quartiers?(?:\s*\(s\))?|axe)(?=\s*:)"   # (a form's "Quartier(s) : …", "Axe : …", with their colon)
                         r"|modalites? de (?:mise en (?:oe|œ)uvre|suivi)|evaluation|observations?|commentaires?|remarques?"
                         r"|nature des credits)" + _END)),
    ("indicators", re.compile(r"^indicateurs?(?: de (?:suivi|resultats?|realisation|evaluation))?" + _END
                              + r"|^comment (?:mesurer|evaluer|suivre)(?: les (?:resultats|effets|progres))?\s*\?\s*(.*)$")),
]


# the heading of an orientation's fiche, by its meaning: "ORIENTATION STRATÉGIQUE N°5 : …",
# "Orientation 3 – …", "Objectif stratégique n°2 : …", "Enjeu 4 : …", "Objectif opérationnel 1.2 : …",
# and the words other layouts use: "Objectif 2 –", "Engagement n°3 :", "Ambition 1", "Défi 4",
# "Fiche action n°6", "Fiche 2"
ORIENT_FICHE = re.compile(r"^(?:[^/]{0,80}\s/\s*)?(?:fiche(?:[- ]action)?(?:\s+|-(?=[a-z])))?"
                          r"(?:orientation(?:\s+strategique)?|objectif(?:\s+(?:strategique|operationnel|general))?"
                          r"|enjeu|priorite|engagement|ambition|defi|fiche(?:[- ]action)?)"
                          # ("ORIENTATION O1 –", "Objectif OS2 :": the number after its letter)
                          r"\s*(?:n\s*[°o.]?\s*)?(?:os?(?=\d))?(\d{1,2}(?:\.\d{1,2})?|(?<=[\s°.])(?:[ivx]{1,4}|[a-h]))(?![.]\d)"   # ("Enjeux" is no "Enjeu X")
                          # ("Orientation III (emploi) :", a block of a later part about that orientation)
                          r"(?:\s*[:.\-–)|]|\s{3,}(?=\S)|\s*$|\s+(?=\([^()]{2,60}\)\s*:?\s*$))\s*(.*)$")


# "3.1. Première orientation – Rapprocher …", "Deuxième objectif stratégique : …"
ORDINAL_FICHE = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(premier|premiere|deuxieme|second|seconde|troisieme|quatrieme"
                           r"|cinquieme|sixieme|septieme|huitieme|neuvieme|dixieme|onzieme|douzieme"
                           r"|\d{1,2}\s?(?:er|ere|re|eme|e))\s+"
                           r"(?:orientation|objectif|enjeu|priorite|engagement|ambition|defi)(?:\s+strategique)?"
                           r"\s*(?:[:.\-–)|]|$)\s*(.*)$")


ROMAN = {r: n for n, r in enumerate("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv".split(), start=1)}
ORDINALS = {w: n for n, ws in enumerate(("premier premiere", "deuxieme second seconde", "troisieme", "quatrieme",
                                         "cinquieme", "sixieme", "septieme", "huitieme", "neuvieme", "dixieme",
                                         "onzieme", "douzieme"), start=1) for w in ws.split()}


# the number before the word: "III.2 Objectif stratégique : …", "2.3 Orientation – …"
NUMBERED_FICHE = re.compile(r"^((?:[ivx]{1,4}|\d{1,2})(?:\.\d{1,2})+|\d{1,2})\.?\s*[-–)]?\s+"
                            r"(?:orientation|objectif|enjeu|priorite|engagement|ambition|defi)(?:\s+strategique)?"
                            r"\s*(?:[:.\-–)|]|$)\s*(.*)$")


class Heading(tuple):
    """A fiche heading: (number as written, text after it); `before` when the number comes before
    the word ("III.2 Objectif stratégique"), where it is no part of the title."""
    before = False


# "ENJEU N°2      Améliorer l'accès aux soins": with the sign n°, the title may follow with no mark
# (a row of a table, a heading set in two columns)
NUMBER_SIGN_FICHE = re.compile(r"^(?:fiche[\s-]+)?(?:orientation(?:\s+strategique)?|objectif(?:\s+strategique)?|enjeu|priorite"
                               r"|engagement|ambition|defi|fiche(?:[- ]action)?)\s*n\s*°\s*(\d{1,2})\s+([a-z].*)$")


# a legal text's article that is an orientation: "Article 5 – Orientation n°1 : …"
_ARTICLE_OF = re.compile(r"^(?:article|art\.|chapitre)\s+\d{1,2}\s*[-–—:.]\s*"
                         r"(?=(?:fiche|orientation|objectif|enjeu|priorite|engagement|ambition|defi)\b)")


def fiche_heading(key: str) -> Heading | None:
    """A fiche heading (in key form): its number as written ("5", "1.2", "iv", "premiere", "iii.2")
    and the text after it; None when the line is no fiche heading. A row of a table read as cells
    ("| Orientation 3 | Emploi |") is a heading too, and so is an article of a legal text whose
    title is an orientation ("Article 5 – Orientation n°1 : …")."""
    key = _ARTICLE_OF.sub("", re.sub(r"^\|\s*", "", key))
    m = ORIENT_FICHE.match(key) or ORDINAL_FICHE.match(key) or NUMBER_SIGN_FICHE.match(key)
    if m:
        return Heading((m.group(1), m.group(2).rstrip(" |")))
    m = NUMBERED_FICHE.match(key)
    if m:
        h = Heading((m.group(1), m.group(2).rstrip(" |")))
        h.before = True
        return h
    return None


def fiche_numeral(text: str) -> int | None:
    """A fiche's number as written: "5", a Roman numeral ("iv" -> 4) or an ordinal ("deuxieme" ->
    2); None for "1.2"."""
    if text.isdigit():
        return int(text)
    m = re.fullmatch(r"(\d{1,2})\s?(?:er|ere|re|eme|e)", text)   # "1ère", "2e", "3ème"
    if m:
        return int(m.group(1))
    if len(text) == 1 and text in "abcdefgh":   # "Orientation B"
        return "abcdefgh".index(text) + 1
    return ROMAN.get(text) or ORDINALS.get(text)


# any numbered heading: "Volet 2 – …", "THÉMATIQUE 3 : …", "1. Title", "II – Title". A text's
# fiches only when it has no fiche heading (`fiche_heading`) and such lines carry a fiche's sections
GENERIC_HEAD = re.compile(r"^(?:([a-z][a-z'-]{2,20})\s+)?(?:n\s*[°o.]?\s*)?(\d{1,2}|[ivx]{1,4})\s*[.:\-–)]\s*([^\d\s].{2,150})$")
# a level of a numbered outline: "2.1 Favoriser …", "2.1.3. Financements"
OUTLINE_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,2})\.?(?:\s*[:\-–)]\s*|\s+)([^\d\s].{2,150})$")


def generic_heading(key: str) -> tuple[str, Heading] | None:
    """A numbered heading of any word (key form): the word ("" for none; for a level of an outline,
    "#2" or "#3", its depth) and (number, text after)."""
    key = re.sub(r"^\|\s*", "", key)
    m = OUTLINE_HEAD.match(key)
    if m and section_of(key):   # "2.1.3 Financements": a section of the fiche
        return None
    if m:
        return "#" + str(m.group(1).count(".") + 1), Heading((m.group(1), m.group(2).rstrip(" |")))
    m = GENERIC_HEAD.match(key)
    if not m or section_of(key) or fiche_numeral(m.group(2)) is None:
        return None
    return m.group(1) or "", Heading((m.group(2), m.group(3).rstrip(" |")))


def heading_word(key: str) -> str:
    """The word of a fiche heading (key form) that says what it heads: "orientation", "objectif",
    "ambition", "fiche" ("FICHE-OBJECTIF 3", "Fiche action 2")…"""
    m = re.search(r"fiche|orientation|objectif|enjeu|priorite|engagement|ambition|defi", key)
    return m.group(0) if m else ""


SUB_FICHE = re.compile(r"^objectif\s+operationnel\b")   # under an "objectif stratégique", an objective


_TOP_FICHE = re.compile(r"^(?:[^/]{0,80}\s/\s*)?(?:fiche(?:[- ]action)?\s+)?"
                        r"(?:orientation|objectif\s+(?:strategique|general)|enjeu|priorite)\b"
                        r"|^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?\w+\s+(?:orientation|objectif\s+strategique|enjeu|priorite)\b")


def fiche_rank(key: str) -> int:
    """How high a fiche heading (`fiche_heading`) ranks: 0 for the words that always name an
    orientation (orientation, objectif stratégique, enjeu, priorité); 1 for the words of other
    layouts (a bare "Objectif 2", "Engagement 3", "Fiche action 4"), which inside such an
    orientation's fiche are its objectives or actions; 2 for "Objectif opérationnel 1.2", which
    under any of them is an objective. A text's fiches are its headings of the highest rank it has."""
    key = _ARTICLE_OF.sub("", key)
    if _TOP_FICHE.match(key):
        return 0
    return 2 if SUB_FICHE.match(key) else 1


# an axis heading between fiches: "A - Un territoire attractif", "AXE 2 – HABITAT ET CADRE DE VIE", "Pilier 1 : …"
AXIS_NUM = re.compile(r"^(?:axe|pilier)\s*(?:strategique\s*)?(?:n\s*[°o.]?\s*)?(\d)\s*[-–:.)]\s*(\S.{2,})$")


ORIENT_PROTO = re.compile(r"^orientation\s*n\s*[°o]\s*(\d+)\s*[:.\-–]\s*(.*)$")


AXIS_PROTO = re.compile(r"^au titre de\s*[«\"]\s*(.*?)\s*[»\"]?\s*:?$")


AXIS_LETTER = re.compile(r"^([a-h])\s*[-–.)]\s+(\S.{2,})$")


def axis_heading(key: str) -> tuple[str, str] | None:
    """"A - title" or "Axe 2 – title" (key form): the axis letter and the title, or None."""
    m = AXIS_LETTER.match(key)
    if m:
        return m.group(1), m.group(2)
    m = AXIS_NUM.match(key)
    if m:
        return ("abcdefghi"[int(m.group(1)) - 1] if m.group(1) != "0" else "z"), m.group(2)
    return None


# a part of the document above the fiches: "TITRE III – LA GOUVERNANCE", "Article 5 –", "PARTIE 2 :"
PART = re.compile(r"^(?:titre|partie|chapitre|article)\s+(?:\d{1,2}|[ivx]{1,4}|premier|premiere)\b\s*(?:[-–:.]|$)"
                  r"|^annexes?\s+(?:n\s*°\s*)?(?:\d{1,2}|[ivx]{1,4}|[a-h])\s*(?:[-–:.]|$)"   # "ANNEXE 2 – MAQUETTE FINANCIÈRE"
                  r"|^annexes?(?:\s*[-–:]\s*[^.;]{3,80})?$")                                # "ANNEXE – SYNTHÈSE FINANCIÈRE"


# a numbered part in capitals, as the document's own parts before the fiches: "5. GOUVERNANCE, ANIMATION ET ÉVALUATION"
CAPS_PART = re.compile(r"^\s*(?:\d{1,2}|[IVX]{1,4})\.\s+(?=(?:.*?[A-ZÀ-Ý]{2,}){2})[^a-zà-ÿ]{6,}$")


SIGNATORIES = re.compile(r"^(?:(?:titre|partie|chapitre|article)\s+(?:\d{1,2}|[ivx]{1,4})\s*[-–:.]\s*"
                         r"|[a-z0-9]{1,2}\s*[.)-]\s*)?(?:les |liste des |la liste des )?(?:engagements des (?:signataires|partenaires)"
                         r"|(?:partenaires |parties )?signataires(?: du (?:present )?contrat(?: de ville)?)?\s*:?\s*$"
                         r"|signatures?(?: des (?:partenaires|signataires))?\s*:?\s*$"
                         r"|ont signe(?: le present contrat)?\s*:?\s*$)")


# one signatory: "3. La CAF", "3) La CAF", "• La CAF", "- La CAF", "Pour la CAF du Rhône, la directrice"
# ("- Pour l'État : Laurent Marchetti, préfet du Gard": who signs after the colon)
SIGNATORY = re.compile(r"^(?:(\d{1,2})\s*[.)](?:\s*pour(?= ))?|[•\-–—▪◦●*](?:\s*pour(?= ))?|pour(?= ))\s*(\S.*?)"
                       r"(?:\s:\s.*|,\s*(?:(?:le|la|les|son|sa|monsieur|madame|m\.|mme|repr[ée]sent[ée]e?s?\s+par)\s+|l['’]\s*)\w.*)?$", re.I)


# a line of a table of contents: "Objectif stratégique n°7 – Accès aux droits ...... 7"
TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d{1,3}\s*$|…{2,}\s*\d{1,3}\s*$")


# who signs for a body, under its "Pour …" line: "le Préfet de la Vienne", "la Directrice territoriale"
SIGNER = re.compile(r"^(?:le|la|l'|les|monsieur|madame|m\.|mme)\s*\S.{0,110}$")


ANNEX = re.compile(r"^annexes?\b.*indicateurs|^indicateurs de (?:resultats?|suivi)")


INDICATOR_GROUP = re.compile(r"^orientations?\b.*?\(\s*(\d+)\s*(?:a|-|–|et)\s*(\d+)\s*\)\s*:?$")


CONNECTOR = re.compile(r"(?:\b(?:et|de|des|du|aux|au|à|dans|sur|pour|avec|en|la|le|les|d'|l')|[-–(/'’])\s*$", re.I)


# the verbs of a sentence ("est" only in lower case: "Est Ensemble" is a name)
SENTENCE = re.compile(r"\b(?i:a sign|ont |sont |sera |seront |peut |peuvent |doit |dans le cadre|afin )|\best ")


FUNDING_KINDS = {"funding-dc": "droit-commun", "funding-sp": "specifique", "funding-np": "non-precise",
                 "funding": "non-precise", "funding-partners": "non-precise"}


# a role's word first, then a dash and who holds it: "Pilote — Ville de X", "PARTENAIRES — A, B"
_ROLE_DASH = re.compile(r"^((?:co[- ]?)?pilotes?|porteurs?|(?:co[- ]?)?financeurs?|partenaires?(?: associes?| financeurs?)?"
                        r"|chefs? de file)(\s*\([^()]{1,40}\))?\s+–\s+(\S.*)$")
# a funder's role with the kind of its money: "Financeur (droit commun) : CAF : CLAS", "FINANCEURS
# (CRÉDITS SPÉCIFIQUES)"
_ROLE_KIND = re.compile(r"^(?:(?:co[- ]?)?financeurs?|partenaires? financeurs?)(?:\s*\(s\))?\s*\(([^()]{2,40})\)" + _END)


_TWO_ROLES = re.compile(r"^((?:co[- ]?)?pilotes?|porteurs?|partenaires?)\s+et\s+((?:co[- ]?)?financeurs?(?:\s*\([^()]{1,40}\))?)"
                        r"\s*(?::|\s–)\s*(\S.*)$")


def two_roles(line: Line) -> list[Line]:
    """"Copilote et financeur (crédits spécifiques) — Ville de X : fonds de participation": the body
    in each role, a line each ("Copilote : Ville de X", "financeur (crédits spécifiques) : Ville de X :
    fonds de participation"); other lines as they are."""
    text = re.sub(r"\s+", " ", line.text.strip())
    m = _TWO_ROLES.match(key_of(text))
    if not m or len(key_of(text)) != len(text):
        return [line]
    rest = text[m.start(3):]
    who = re.split(r"\s*:", rest)[0]
    return [Line(line.n, f"{text[:m.end(1)]} : {who}"), Line(line.n, f"{text[m.start(2):m.end(2)]} : {rest}")]


def section_of(k: str) -> tuple[str, str] | None:
    """The section a line (in key form) heads, and the text after the heading; None if none. The
    marks of a possible plural or feminine ("Chef(s) de file", "Partenaire(s) mobilisé(s)") are
    ignored in the heading, never in the text after it."""
    if re.match(r"^(?:dc|pv|cs)\s*[:=]\s*(?:credits? )?(?:de )?(?:droit commun|specifiques?|(?:de la )?politique de la ville)\b", k):
        return None   # "DC : droit commun – PV : politique de la ville": a table's legend, no heading
    m = _ROLE_DASH.match(k)
    if m:
        k = f"{m.group(1)}{m.group(2) or ''} : {m.group(3)}"
    m = _ROLE_KIND.match(k)
    if m:
        kind = m.group(1)
        name = "funding-dc" if "droit commun" in kind else "funding-sp" if re.search(
            r"specifiques?|politique de la ville|contrat de ville|\bpv\b|\bcs\b", kind) else "funding-np"
        return name, next((g for g in m.groups()[1:] if g), "")
    found = _section(k)
    if found is None and re.match(r"^(?:les|le|la|l')\s*\S.*(?:sont|est|seront|sera)\s+(?:les |la |le )?suivante?s?\s*:$", k):
        # "Les financements mobilisables sont les suivants :" introduces a section, like its heading
        head = re.sub(r"\s+(?:sont|est|seront|sera)\s+(?:les |la |le )?suivante?s?\s*:$", "", re.sub(r"^(?:les|le|la|l')\s*", "", k))
        found = _section(head)
        found = (found[0], "") if found else None
    if found is None and re.match(r"^\d{1,2}(?:\.\d{1,2}){1,2}\.?\s+\D", k):   # "2.1.3 Financements": an outline's number
        found = _section(re.sub(r"^\d{1,2}(?:\.\d{1,2}){1,2}\.?\s+", "", k))
    if found is None and "(" in k:
        head, sep, rest = k.partition(":")
        found = _section(re.sub(r"\((?:s|e|es|x|nes)\)", "", head) + sep + rest)
    # a heading with a qualifier before its colon: "Droit commun des partenaires :", "Crédits
    # spécifiques (politique de la ville) :", "Partenaires de l'action :", "Financements État :"
    qualified = k.endswith(":") and k.count(":") == 1 and "," not in k
    if found and qualified and found[1].endswith(":") and len(found[1].split()) <= 6:
        found = (found[0], "")
    if found is None and qualified:
        words = k[:-1].split()
        for n in (3, 2, 1):
            head = _section(" ".join(words[:n]) + " :")
            if head and len(words) - n <= 5:
                found = (head[0], "")
                break
    if found and found[0] in ("funding-dc", "funding-sp") and re.match(
            r"^[^:;]*\b(?:confondu|specifiques?|politique de la ville)" if found[0] == "funding-dc" else r"^[^:;]*\bdroit commun\b", found[1]):
        # "Droit commun des partenaires et crédits de la politique de la ville confondus" states no one kind
        found = ("funding-np", "")
    return found


def _section(k: str) -> tuple[str, str] | None:
    for name, rx in SECTIONS:
        m = rx.match(k)
        if m:
            return name, next((g for g in m.groups() if g), "")
    return None


def rest_after(line: Line, k_rest: str) -> str:
    """The original text after a heading whose remainder (in key form) is `k_rest`."""
    if not k_rest:
        return ""
    text = line.text.strip()
    # "Porteur : | France Travail": a table read as cells puts the value in the next cell
    return text[len(text) - len(k_rest):].strip(" |") if len(k_rest) <= len(text) else ""


# --- the sheet -------------------------------------------------------------------------------------------

def guess_generation(lines: list[Line]) -> str:
    head = " ".join(l.key for l in lines[:200])
    return "contrats-de-ville-2015" if "2015" in head and "2030" not in head else "engagements-quartiers-2030"


AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(k€|[mM]€|€|euros?\b)")


def amounts_in(text: str) -> list[tuple[str, int | float]]:
    """The sums of money a text states, as written and as numbers: "12 000 €" 12000, "1,5 M€"
    1500000, "15 k€" 15000, "7 500,50 €" 7500.5."""
    out = []
    for m in AMOUNT.finditer(text):
        whole = int(re.sub(r"\D", "", m.group(1)))
        value = whole + (int(m.group(2)) / 10 ** len(m.group(2)) if m.group(2) else 0)
        value *= {"k€": 1000, "m€": 1_000_000, "M€": 1_000_000}.get(m.group(3), 1)
        out.append((m.group(0), int(value) if value == int(value) else value))
    return out


TABLE_HEADER = re.compile(r"^(?:financeurs?|partenaires?(?: financeurs?)?|organismes?|structures?|acteurs?)\b.*"
                          r"\b(?:dispositifs?|instruments?|natures?|montants?|types?|credits?|financements?|objets?|20\d\d"
                          r"|droit commun|dc\s+(?:pv|cs))\b")   # ("Financeur  Action  DC  PV  Total": the kinds' columns)


# the first column of a funding table set out by orientation ("maquette financière"): "Orientation
# | Financeur | Nature | Dispositif | Montant", and the orientation a row's first cell names
BY_ORIENTATION = re.compile(r"^(?:n\s*°\s*(?:de\s+(?:la\s+|l')?)?|no\.?\s+)?(?:orientations?(?: strategiques?)?|objectifs?(?: strategiques?)?"
                            r"|fiches?(?:[- ]actions?)?|enjeux?|axes?)$|^(?:n\s*°|no|ref\.?)$")
ORIENTATION_CELL = re.compile(r"^(?:o|os|n\s*°\s*|orientation\s+|objectif\s+|fiche\s+)?(\d{1,2}(?:\.\d{1,2})?)\.?"
                              r"(?:\s+[–—-]?\s*[a-z][^|]*)?$")   # "2.1 Éducation": its short title after it


def orientation_table_header(text: str) -> bool:
    """The header row of a funding table whose first column names the orientation (cells two
    spaces apart or more: "N° fiche  Financeur")."""
    cells = table_cells(text) if "|" in text else [c for c in re.split(r"\s{2,}", text.strip()) if c]
    return bool(cells) and len(cells) >= 3 and BY_ORIENTATION.match(key_of(cells[0])) is not None \
        and (TABLE_HEADER.match(key_of(" ".join(cells[1:]))) is not None or bool(kind_headers(cells)))


def kind_headers(cells: list[str]) -> dict[int, str]:
    """The kind of funding each column after the first names, when all of them name one ("Orientation
    | Droit commun | Crédits spécifiques"); else {}."""
    kinds = {j: kind for j, c in enumerate(cells) if j for kind, rx in KIND_CELL if rx.match(key_of(c))}
    return kinds if len(kinds) == len(cells) - 1 >= 1 else {}


def funding_table_header(text: str) -> bool:
    """The header row of a funding table, three columns or more apart ("Financeur    Dispositif
    Nature", "| Partenaire | Type de crédit | Dispositif | Montant |"), not a heading with its
    text ("Partenaires : …")."""
    cells = table_cells(text)
    return bool(cells) and len(cells) >= 3 and ":" not in text and TABLE_HEADER.match(key_of(" ".join(cells))) is not None


# a cell that states the kind of a row's funding: "Droit commun", "Crédits spécifiques", "Politique de la ville"
KIND_CELL = [("droit-commun", re.compile(r"^(?:(?:credits? |financements? )?(?:de |du )?droit commun|dc)$")),
             ("specifique", re.compile(r"^(?:credits? |financements? )?(?:specifiques?(?: pv| politique de la ville)?"
                                       r"|(?:de la )?politique de la ville|pv|cs|csp)$"))]


def table_cells(text: str) -> list[str] | None:
    """The cells of a table row (separated by " | " or by three spaces or more), or None."""
    piped = " | " in text or text.strip().startswith("| ")
    cells = [c.strip() for c in (text.strip().strip("|").split(" | ") if piped else re.split(r"\s{3,}", text))]
    cells = [c for c in cells if c and c not in ("—", "-", "–")]
    return cells if len(cells) >= 2 or (piped and cells) else None


RUN = re.compile(r"\S(?:(?!\s{2,}|\s$).)*")   # a cell: a run of text, two spaces or more from the next (one character too: "—")


def header_columns(text: str) -> list[tuple[int, str]]:
    """The columns of a table's header row as written ("Financeur      Dispositif      Nature"):
    where each starts, and its heading (key form)."""
    return [(m.start(), key_of(m.group(0))) for m in RUN.finditer(text.rstrip())]


def column_cells(text: str, columns: list[tuple[int, str]]) -> dict[int, str]:
    """A row's cells by the header's columns: each run of text (two spaces or more apart) in the
    column whose start is nearest, so that a cell two spaces from the next ("Programme
    départemental d'insertion  subvention") or one with the cell before it empty falls right."""
    out: dict[int, str] = {}
    runs = list(RUN.finditer(text.rstrip()))
    if len(runs) == len(columns) > 2 and not text[:1].isspace():   # a cell in each column: in order, however set
        return {j: m.group(0) for j, m in enumerate(runs)}
    for m in runs:
        j = min(range(len(columns)), key=lambda i: abs(columns[i][0] - m.start()))
        out[j] = f"{out[j]} {m.group(0)}" if j in out else m.group(0)
    return out


_INSTRUMENT_COLUMN = re.compile(r"^(?:dispositifs?|instruments?|objets?|programmes?|actions?|financements?|credits?)\b")


def column_kind(heading: str) -> str | None:
    """The kind of funding a column's heading names, its sums the row's money of that kind ("Droit
    commun (€)", "Crédits spécifiques (€)", "DC", "PV"); else None."""
    key = re.sub(r"\s*\([^()]*\)\s*|\s*(?:en\s+)?(?:€|euros?)\s*$", "", heading).strip()
    return next((kind for kind, rx in KIND_CELL if rx.match(key)), None)


def row_kind(text: str, columns: list[tuple[int, str]] | None = None) -> str | None:
    """The kind of funding a row states: in a cell of its own ("Nature : Crédits spécifiques"), or, in a
    table whose columns are the kinds ("Droit commun (€) | Crédits spécifiques (€)"), by the column its
    sum stands in ("droit-commun+specifique" when both hold one: a line of each)."""
    if columns and any(column_kind(h) for _, h in columns):
        cells = column_cells(text, columns)
        held = [column_kind(h) for j, (_, h) in enumerate(columns)
                if column_kind(h) and cells.get(j) and not NO_VALUE.match(key_of(cells[j])) and re.search(r"\d", cells[j])]
        return "+".join(dict.fromkeys(held)) or None
    if columns:
        for j, cell in column_cells(text, columns).items():
            for kind, rx in KIND_CELL:
                if j and rx.match(key_of(cell)):
                    return kind
        return None
    return _row_kind(text)


def _row_kind(text: str) -> str | None:
    """The kind of funding a row's own cell states ("État | BOP 147 | Crédits spécifiques | 30 000 €")."""
    for cell in (table_cells(text) or [])[1:]:
        for kind, rx in KIND_CELL:
            if rx.match(key_of(cell)):
                return kind
    return None


# a cell that holds no value: "valorisation" (a contribution in kind, not counted), "non chiffré"
NO_VALUE = re.compile(r"^(?:valorisation|non chiffre|neant|[—–/-])$")
# a sum with no unit in a column of sums: "25 000", "62 000 (à confirmer)"
BARE_SUM = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d{1,2})?(?=\s*(?:\(|$))")
_SUM_COLUMN = re.compile(r"^(?:montants?|couts?|budgets?|total|20\d\d)\b")


def funder_dash_scheme(cell: str) -> tuple[str, str | None]:
    """A table's first cell "CAF de la Nièvre – CLAS": the funder and its scheme; (cell, None)
    when no dash sets them apart."""
    if not re.search(r"\S\s[–—-]\s\S", cell):
        return cell, None
    funder, scheme = re.split(r"\s[–—-]\s", cell, maxsplit=1)
    return funder, scheme


def in_euros(cell: str) -> str:
    """"25 000" in a column of sums: "25 000 €" (a contrat de ville's sums are in euros)."""
    return BARE_SUM.sub(lambda m: m.group(0) + " €", cell, count=1) if not AMOUNT.search(cell) else cell


def table_row(text: str, columns: list[tuple[int, str]] | None = None, wrapped: str = "",
              more: dict[int, str] | None = None) -> str | None:
    """A row of a funding table as a funding line: "Région   FEDER ; FSE+   subvention" or "Région |
    FEDER ; FSE+ | subvention" -> "Région : FEDER ; FSE+"; "" for a header row; None when the text
    is not a table row. With the header's `columns`, `wrapped` is the rest of the first cell, cut
    onto the next line ("Région (Contrat régional de" / "solidarité territoriale)"), and `more` the
    rest of other cells, cut onto the next line alone. A cell stating the kind (see `row_kind`) is no instrument, nor is a third
    cell ("Nature": subvention, prêt…); a sum of money is kept after the instrument."""
    cells = table_cells(text)
    if cells is None:
        return None
    if TABLE_HEADER.match(key_of(" ".join(cells))) or re.match(r"^(?:sous-)?total\b", key_of(cells[0])):
        return ""   # a header row, or a total
    if columns and not (" | " in text or text.strip().startswith("| ")):
        # the header's columns say which cell is which: the funder, the instrument ("Dispositif"),
        # a sum; the others ("Nature": subvention, ingénierie) are no instrument
        by_column = column_cells(text, columns)
        for j, rest in (more or {}).items():
            by_column[j] = join_cut_words(by_column.get(j, ""), rest)
        if not by_column.get(0):
            return None   # the first cell empty: the row before it, wrapped
        funder = join_cut_words(by_column[0], wrapped) if wrapped else by_column[0]
        instrument = next((c for j, c in by_column.items() if j and _INSTRUMENT_COLUMN.match(columns[j][1]) and not column_kind(columns[j][1])
                           and not any(rx.match(key_of(c)) for _, rx in KIND_CELL) and not NO_VALUE.match(key_of(c))), None)
        m = re.match(r"^(.+?)\s*\((.+)\)$", funder)
        if m and not instrument:   # "Caisse des Dépôts (prêts PRU, ingénierie)": the instruments
            funder, instrument = m.group(1), m.group(2)
        elif instrument:           # "État – CGET | … | Dispositif": the body, and its service, no instrument
            funder = re.sub(r"\s+[–—-]\s+[^–—]+$", "", funder)
        if not instrument and not m:   # "CAF de la Nièvre – CLAS": the funder's scheme
            funder, instrument = funder_dash_scheme(funder)
        # the sums: a "Montant" or a year's column holds euros, written with "€" or not ("25 000")
        sums = [in_euros(c) if _SUM_COLUMN.match(columns[j][1]) else c for j, c in by_column.items()
                if j and c != instrument and (AMOUNT.search(c) or _SUM_COLUMN.match(columns[j][1]) and BARE_SUM.match(c))]
        rest = ", ".join(x for x in (instrument, sums[0] if len(sums) == 1 else "; ".join(sums) if sums else None) if x)
        return f"{funder} : {rest}" if rest else funder
    kinds = [c for c in cells[1:] if any(rx.match(key_of(c)) for _, rx in KIND_CELL)]
    sums = [c for c in cells[1:] if (AMOUNT.search(c) or BARE_SUM.match(c)) and c not in kinds]   # ("25 000": euros)
    rest = [c for c in cells[1:] if c not in kinds and c not in sums and not NO_VALUE.match(key_of(c))]
    funder = join_cut_words(cells[0], wrapped) if wrapped else cells[0]
    if not rest:   # "CAF de la Nièvre – CLAS    9 000    9 000"
        funder, scheme = funder_dash_scheme(funder)
        rest = [scheme] if scheme else []
    said = "; ".join(in_euros(c) for c in sums)
    if not rest:   # "Ville de Blois |  | Droit commun | 120 000 €": the funder and its sum
        return f"{funder} : {said}" if sums else funder
    out = f"{funder} : {rest[0]}"
    return f"{out}, {said}" if sums else out
