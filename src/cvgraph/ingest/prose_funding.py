"""Funding written in sentences: who funds what, of which kind, as a fiche's lines would say it
("Funder (kind) : a, b"): "Au titre du droit commun, A consacre N € à x, B N € à y", "A et B
mobilisent respectivement …", "Les crédits spécifiques de l'État (BOP 147) s'élèvent à …", "Les
actions sont financées au titre du droit commun par A …", "Ces moyens sont complétés par …"."""

from __future__ import annotations

import re

from .naming import split_list
from .prose_names import bare, clauses, names_and, names_of


DROIT_COMMUN = re.compile(r"\b(?:mobilise|s['’]appuie sur|mobilisera|s['’]appuiera sur|repose(?:ra)? sur)\s+(?:les\s+|le\s+)?(?:crédits\s+|moyens\s+)?(?:de\s+|du\s+)?"
                          r"droit commun\s+(?P<list>.+?)(?=\.(?:\s|$)|$)", re.I)


# "… de la CAF (CLAS), ainsi que les crédits spécifiques de l'État (BOP 147)": where the list of
# droit commun ends and the crédits spécifiques begin
# "…, complété, au titre des crédits spécifiques, par l'État (BOP 147)" too
THEN_SPECIFIC = re.compile(r",?\s+(?:(?:ainsi que|et)\s+(?:les\s+)?crédits\s+(?:spécifiques|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)"
                           r"(?:\s+(?:de\s+la\s+)?politique\s+de\s+la\s+ville)?\s+"
                           r"|(?:complétée?s?\s*,?\s*)?au\s+titre\s+(?:des\s+crédits\s+spécifiques|de\s+la\s+politique\s+de\s+la\s+ville)"
                           r"(?:\s+de\s+la\s+politique\s+de\s+la\s+ville)?\s*,?\s*(?:par\s+)?)", re.I)


_CLAUSE_END = r"(?=\.(?:\s|$)|$|\s*;\s*au titre d)"   # the sentence's end, or "; au titre des crédits spécifiques, …"


SPECIFIC = re.compile(r"\bau titre (?:de la politique de la ville|des crédits spécifiques(?: de la politique de la ville)?"
                      r"|des crédits de la politique de la ville)"
                      r"\s*,\s*(?P<what>.+?)" + _CLAUSE_END, re.I)


# "Les moyens suivants sont mobilisés : par l'ARS, le FIR ; par la CPAM, …" (no kind said)
MEANS = re.compile(r"\b(?:les\s+)?(?:moyens|crédits|financements)\s+suivants\s+(?:sont|seront)\s+mobilisés\s*:\s*(?P<what>.+?)(?=\.(?:\s|$)|$)", re.I)


# "Les actions sont financées au titre du droit commun par A (…) et par B (…), au titre des crédits
# spécifiques par C (…), ainsi que par D": each kind's clause, and its funders after "par"
FINANCED = re.compile(r"\b(?:sont|est|seront|sera)\s+(?:co-?)?financée?s?\s+(?P<what>(?:au titre|par)\b.+?)(?=\.(?:\s|$)|$)", re.I)


_KIND_CLAUSE = re.compile(r"(?:,\s*)?(?:(?:ainsi que|et)\s+)?(?:au titre (?:du|de (?:son|leurs?)) (?P<dc>droit commun)"
                          r"|au titre (?P<sp>des crédits spécifiques(?: de la politique de la ville)?|de la politique de la ville))\s*,?\s*"
                          r"|,\s*ainsi que\s+(?=par\b)(?P<np>)", re.I)


# "Au titre du droit commun, l'Éducation nationale mobilise …, la CAF finance … ; le Département …"
DC_TITLE = re.compile(r"\bau titre (?:du|de (?:son|leurs?)) droit commun\s*,\s*(?P<what>.+?)" + _CLAUSE_END, re.I)


_VERB_WORDS = (r"(?:soutient|soutiennent|soutiendra|mobilisent|mobilise|mobilisera|apportent|apporte|apportera|financent|finance|financera"
               r"|accompagne|accompagnera|cofinancent|cofinance|engage|engagera|consacre|verse)")


_VERB = re.compile(r"\s+" + _VERB_WORDS + r"\s+(?P<rest>.*)$", re.I)


def funders_of(text: str) -> list[str]:
    """"de France Travail (CEJ, accompagnement global), de la Région (PRF) et du Département":
    one "Funder : a, b" per funder."""
    out = []
    for name in names_of(text):
        m = re.match(r"^(.+?)\s*\((.*)\)\s*$", name)
        out.append(f"{m.group(1)} : {m.group(2)}" if m else name)
    return out


# a sum of money in a sentence, as the object of a verb or left for the next funder: "420 000 € par an"
_SUM = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d+)?\s*(?:k€|M€|€|euros?)(?:\s+par\s+an)?"


def specific_of(text: str) -> list[str]:
    """"l'État (BOP 147, adultes-relais) soutient les actions …", "l'État mobilise le FIPD et le BOP
    147", "l'État apporte les crédits des cités éducatives et du programme de réussite éducative"."""
    m = re.match(r"^(.+?)\s*\(([^)]*)\)", text)
    if m and not _VERB.search(m.group(1)):   # "l'État (BOP 147, adultes-relais) soutient …"
        return [f"{bare(m.group(1))} : {m.group(2)}"]
    v = _VERB.search(text)
    if not v:
        return [bare(text)] if len(text.split()) <= 6 else []
    funder = bare(text[:v.start()])
    # "l'État apporte le BOP 147, et Grand Calais Terres et Mers le fonds de participation", "la Région
    # mobilise le FEDER, la Banque des Territoires les CitésLab, et Bpifrance la garantie Création",
    # "l'ARS mobilise le FIR et la CPAM la mission accompagnement santé": the verb left out for the others
    rest, others = "", []
    # (" et Eure Habitat mobilise …": a name with no article, then its own verb)
    for piece in re.split(r",\s*(?:et\s+)?(?=(?:(?:la|le|les|l['’])\s*)?[A-ZÀ-Ý])|\s+et\s+(?=(?:la|le|les|l['’])\s*[A-ZÀ-Ý])"
                          r"|\s+et\s+(?=[A-ZÀ-Ý][^,;]{0,60}?\s" + _VERB_WORDS + r"\s)", v.group("rest")):
        m = re.match(r"^((?:(?:les|le|la)\s+|l['’]\s*)?[A-ZÀ-Ý][^,()]*?)(?<!\bde)(?<!\bà)\s+(?:(?:les|le|la|sa|son|ses|leurs?|une?)\s+|l['’]\s*)(.+)$",
                     piece.strip()) \
            or re.match(r"^((?:(?:les|le|la)\s+|l['’]\s*)?[A-ZÀ-Ý][^,()\d\x04]*?),?\s+(?:" + _SUM + r"|\x04)\s*(?:(?:à|au|aux|pour|de)\s+)?(.*)$", piece.strip())
        # ("…, la CAF de Vaucluse 95 000 € à l'accompagnement à la scolarité": the verb and its sum left out)
        verb = _VERB.search(piece.strip())
        if rest and verb and re.match(r"^(?:(?:les|le|la)\s+|l['’]\s*)?[A-ZÀ-Ý]", piece.strip()):
            others.append([bare(piece.strip()[:verb.start()]), verb.group("rest")])   # "…, et la Ville finance l'ASV"
        elif rest and m and len(m.group(1).split()) <= 7 and not re.search(r"\s(?:et|ou)$", m.group(1)):
            others.append([bare(m.group(1)), m.group(2)])
        elif others:
            others[-1][1] += ", " + piece
        else:
            rest = f"{rest}, {piece}" if rest else piece
    return [f"{name} : {', '.join(schemes)}" if (schemes := schemes_of(what)) else name
            for name, what in [[funder, rest]] + others]


def financed_by(what: str) -> list[tuple[int, str]]:
    """"au titre du droit commun par A (a) et par B, au titre des crédits spécifiques par C (c), ainsi
    que par D, dont la participation reste à préciser": each kind's heading, then its funders ("• A :
    a"), each with where it starts; a funder added by "ainsi que" after a kind's clause is of no kind
    said."""
    cuts = list(_KIND_CLAUSE.finditer(what))
    if not cuts or cuts[0].start() > 0 and not re.match(r"^par\b", what):
        return []
    spans = ([(0, cuts[0].start(), "Financements :")] if cuts[0].start() > 0 else []) + [
        (c.end(), nxt.start() if nxt else len(what),
         "Droit commun :" if c.group("dc") else "Crédits spécifiques :" if c.group("sp") else "Financements :")
        for c, nxt in zip(cuts, cuts[1:] + [None])]
    out = []
    for start, end, heading in spans:
        clause = re.sub(r",\s*(?:dont|qui)\b.*$", "", what[start:end].rstrip(" ,"))
        if not re.match(r"^\s*par\b", clause):
            continue
        out.append((start, heading))
        for f in funders_of(clause):
            at = clause.find(f.split(" : ")[0])
            out.append((start + max(at, 0), "• " + f))
    return out


def clause_funders(what: str) -> list[tuple[int, str]]:
    """What a clause opened by its kind ("au titre du droit commun, …") says each funder brings,
    clause by clause (";" apart, never inside parentheses): a funder and its verb ("la CAF finance
    le CLAS") as `specific_of` reads it; a list of nouns ("les moyens de l'Éducation nationale (a ;
    b), la CAF (CLAS ; REAAP) et la Ville") as `noun_funders` does. (where it starts, "F : a, b")."""
    out = []
    for at, clause in clauses(what):
        # "les parties mobilisent : A (…) ; B (…)": the list the parties' colon opens
        said = re.sub(r"^(?:les\s+)?(?:parties|signataires|partenaires)\s+(?:mobilisent|apportent|engagent|s['’]engagent\s+à\s+mobiliser)\s*:\s*",
                      "", clause.strip(), flags=re.I)
        by = re.match(r"^par\s+(?P<who>[^,]+),\s*(?P<what>.+)$", said)   # "par l'ARS, le fonds d'intervention régional"
        if by:
            schemes = schemes_of(by.group("what"))
            found = [f"{bare(by.group('who'))} : {', '.join(schemes)}" if schemes else bare(by.group("who"))]
        else:
            found = specific_of(said) if _VERB.search(_PARENS.sub("", said)) else noun_funders(said)
        # (a pronoun: see `funding_sentences`; a funder whose verb is left out, "…, la CAF 95 000 € à …": where it stands)
        out += [(at + max(clause.find(f.split(" : ")[0]), 0), f) for f in found if not re.match(r"(?i:il|elle|ils|elles)\b", f)]
    return out


_PARENS = re.compile(r"\([^()]*\)")


def noun_funders(text: str) -> list[str]:
    """"les moyens de l'Éducation nationale (a ; b), la CAF (CLAS ; REAAP) et la Ville du Havre",
    "les crédits de l'État (programme 147) pour le programme de réussite éducative, ainsi que la
    participation de la Communauté urbaine au programme de réussite éducative": one "F : a, b" a
    funder, what it brings in its parentheses and after "pour"/"au"."""
    kept = {}

    def keep(m: re.Match) -> str:
        kept[f"\x00{len(kept)}\x00"] = m.group(0)
        return f"\x00{len(kept) - 1}\x00"
    masked = _PARENS.sub(keep, text)
    pieces = re.split(r",\s*(?:ainsi que\s+|et\s+)?(?=(?:les |la |le |l['’]|des |du )?(?:moyens|crédits|participation|contribution|[A-ZÀ-Ý]))"
                      r"|\s+ainsi que\s+|\s+et\s+(?=(?:la |le |l['’]|les )?(?:moyens|crédits|participation|contribution|[A-ZÀ-Ý]))", masked)
    out = []
    for piece in pieces:
        piece = re.sub(r"^(?:les\s+|des\s+|la\s+|le\s+|sa\s+|ses\s+)?(?:moyens|crédits|participation|contribution|financements?)\s+"
                       r"(?:de la |de l['’]|du |des |de |d['’])", "", piece.strip(" ,."), flags=re.I)
        # "A (x) pour b" / "A au b": what A brings is in its parentheses and after "pour"
        m = re.match(r"^(?P<who>[^\x00]+?)\s*(?P<inner>\x00\d+\x00)(?:\s+(?:pour|au|aux|à)\s+(?P<what>.+))?$", piece) \
            or re.match(r"^(?P<who>.+?)(?P<inner>)(?:\s+(?:pour|au|aux|à)\s+(?P<what>.+))?$", piece)
        who = bare(re.split(r"\s+y\s+", m.group("who"))[0])   # "la CCI de l'Aisne y contribue également"
        if not who or not re.match(r"[A-ZÀ-Ý]", who) or len(who.split()) > 8:
            continue
        inner = kept[m.group("inner")][1:-1] if m.group("inner") else ""
        schemes = split_list(inner, ";" if ";" in inner else ",;") if inner else []
        if m.group("what"):
            schemes += schemes_of(re.sub(r"\x00\d+\x00", lambda x: kept[x.group(0)], m.group("what")))
        out.append(f"{who} : {', '.join(schemes)}" if schemes else who)
    return out


def schemes_of(rest: str) -> list[str]:
    """What a sentence says a funder brings: "le BOP 147 et les adultes-relais (deux postes)" ->
    ["BOP 147", "adultes-relais"]; not a purpose ("pour les jeunes") nor "son concours"."""
    rest = re.sub(r"^\s*(?:de\s+)?(?:" + _SUM + r"|\x04)\s*(?:(?:à|au|aux|pour|de)\s+)?", "", rest)   # "95 000 € à l'accompagnement …"
    rest = re.sub(r"\s*\([^()]*\b(?:postes?|emplois?|médiateurs?|ETP)\b[^()]*\)", "", rest)
    # "deux postes d'adultes-relais": the scheme is the adultes-relais
    rest = re.sub(r"\b(?:un|une|des|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|\d{1,3})\s+(?:postes?|emplois?)\s+(?:d['’]|de\s+)",
                  "les ", rest, flags=re.I)
    # "des crédits spécifiques de la politique de la ville (programme 147), y compris au titre des
    # quartiers d'été": the programme, and the quartiers d'été
    rest = re.sub(r"\b(?:(?:des|les)\s+)?crédits\s+(?:spécifiques\s+(?:de\s+la\s+)?politique\s+de\s+la\s+ville|spécifiques|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)"
                  r"\s*\(([^()]+)\)", r"\1", rest, flags=re.I)
    rest = re.sub(r",?\s+y compris(?:\s+au titre)?\s+(?:des|du|de la|de l['’])\s*", ", ", rest, flags=re.I)
    # "au titre de l'abattement de TFPB", "au titre du programme Entrepreneuriat Quartiers 2030": the scheme
    rest = re.sub(r"\bau\s+titre\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+)(?!(?:crédits|droit\s+commun|politique\s+de\s+la\s+ville)\b)", ", ", rest, flags=re.I)
    rest = re.sub(r"^(?:les |des )?(?:crédits|moyens|financements)\s+(?:de la |de l['’]|des |du |de )?", "", rest, flags=re.I)
    rest = re.split(r"\s+(?:pour|afin|au profit|en faveur|dans le cadre|(?:dans|sur) (?:les|des|ses|leurs) (?:\w+ )?quartiers)\b",
                    rest, maxsplit=1, flags=re.I)[0]
    return [bare(_MEANS_OF.sub("", s)) for s in re.split(r",\s*(?:ainsi que\s+)?|\s+ainsi que\s+|\s+et\s+(?=(?i:la|le|les|l['’]|des|du|de|d['’]|aux|au)\b|[A-ZÀ-Ý]"
                                      r"|(?i:un|une|deux|trois|quatre|cinq|six)\s)",
                                      rest)
            if bare(s) and not re.match(r"^(?:son|sa|ses|leurs?|dont)\b", bare(s), re.I)]


# "les crédits du programme 147", "des moyens de la …": what the credits are of
_MEANS_OF = re.compile(r"^(?:les |des )?(?:crédits|moyens|financements)\s+(?:de la |de l['’]|des |du |de )", re.I)


# one funder's funding in a sentence of a funding section: "L'État mobilisera au titre de la
# politique de la ville le programme 147 et les adultes-relais.", "La Ville finance sur son droit
# commun la police municipale.", "Le Département consacre 180 000 € par an à la prévention
# spécialisée au titre de ses compétences de droit commun."
FUNDS = re.compile(r"\s+(?:mobilise(?:ra)?|apporte(?:ra)?|(?:y\s+)?ajoute(?:ra)?|finance(?:ra)?|cofinance(?:ra)?|consacre(?:ra)?|soutien(?:t|dra)"
                   r"|engage(?:ra)?|verse(?:ra)?|accorde(?:ra)?|abonde(?:ra)?|prend(?:ra)? en charge|contribue(?:ra)? (?:à|au|aux)"
                   r"|y contribu(?:e|ent|era|eront)"
                   r"|intervien(?:t|dra) (?:sur|via|par|au titre d[eu]s?))\b\s*", re.I)


FUNDS_PLURAL = re.compile(r"\s+(?:mobilisent|apportent|financent|cofinancent|consacrent|abondent|engagent|versent|accordent"
                          r"|prennent en charge|contribuent (?:à|au|aux))\b\s*", re.I)


# what follows the funder before its verb: "La Région, sur ses crédits de droit commun, abonde …",
# "La Mission locale y consacre …"
_SUBJECT_AFTER = re.compile(r"\s*,\s*(?:sur|au titre de)\s+(?:son|sa|ses|leurs?)\b[^,]*,?\s*$|\s+(?:y|en)\s*$", re.I)


# (not "les quartiers de la politique de la ville": a sentence names the kind of its credits)
SAYS_KIND = [("droit commun", re.compile(r"droit commun", re.I)),
              ("crédits politique de la ville", re.compile(r"au titre (?:de la politique de la ville|des crédits spécifiques)"
                                                           r"|crédits (?:spécifiques|(?:de la )?politique de la ville|du contrat de ville)"
                                                           r"|enveloppes? (?:spécifiques? )?(?:de la )?politique de la ville", re.I))]


_NOT_OBJECT = re.compile(r"\bau titre (?:de la politique de la ville|des crédits (?:spécifiques|de la politique de la ville)(?: de la politique de la ville)?"
                         r"|du droit commun|de (?:son|ses|leurs?) (?:crédits |compétences )?(?:de )?droit commun)"
                         r"|\bsur (?:son|ses|leurs?) (?:crédits (?:de )?)?droit commun"
                         r"|\bsur (?:son|ses|leurs?) crédits (?:spécifiques\s+)?(?:de la\s+)?politique de la ville|\ben crédits (?:spécifiques|de droit commun|(?:de la )?politique de la ville),?"
                         r"|\b(?:en outre|également|aussi|chaque année|enfin|chacun|chacune"
                         r"|par an|annuellement)\b|,?\s*soit\s+[^,.;]*", re.I)


def funding_sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a paragraph that say who funds what: (where the funder starts in `text`,
    "Funder (kind) : a, b"), the kind only when the sentence says it ("droit commun", "politique
    de la ville"), to be read as a funding line; a funder whose verb is left out ("…, et la CPAM
    sa mission accompagnement santé") gets its own."""
    out = []
    opened = []   # (where it starts, the clause, the kind the sentence opens on)
    for m in re.finditer(r"[^.]+(?:\.(?!\s+[a-zà-ÿ])[^.]*)*?(?:\.(?=\s|$)|$)", text):
        said = None
        for c in re.finditer(r"[^;]+", m.group()):   # "la CAF finance … ; au titre de …, le Département …"
            opening = re.match(r"\s*(?:(?:en complément|par ailleurs|en outre|de plus|enfin|pour sa part|de son côté)\s*,\s*)?"
                               r"(?:au titre (?:du|de la|des|de (?:son|leurs?)) [^,]{3,80},\s*"
                               # "Sur leurs crédits de droit commun, A et B mobilisent …"
                               r"|sur (?:son|ses|leurs?) (?:propres? )?(?:crédits |budgets? )?(?:de )?(?:droit commun|crédits spécifiques|(?:de la )?politique de la ville),\s*"
                               # "Le financement … repose d'abord sur le droit commun : la CAF mobilise …"
                               r"|[^:]{0,120}?\b(?:droit commun|crédits spécifiques|politique de la ville)\s*:\s*)?", c.group(), re.I)
            said = next((words for words, rx in SAYS_KIND if rx.search(opening.group())), said)
            opened.append((m.start() + c.start() + opening.end(), c.group()[opening.end():], said))
    last = ""   # the funder of the clause before, for a pronoun
    for at, sentence, said in opened:
        skip = len(sentence) - len(sentence.lstrip())
        p = PASSIVE.search(sentence)
        if p:   # "Ces moyens sont complétés, au titre des crédits spécifiques, par l'État (BOP 147) et par X, qui abonde Y"
            before = next((words for words, rx in SAYS_KIND if rx.search(sentence[:p.start("who")])), said)
            for m in re.finditer(r"(?:^|,?\s+(?:et|puis)\s+par\s+|,\s*par\s+)(?P<who>.+?)(?=,?\s+(?:et|puis)\s+par\s+|,\s*par\s+|$)", p.group("who")):
                # each agent of the kind its own words say, else of the kind said before the agents
                kind = next((words for words, rx in SAYS_KIND if rx.search(m.group("who"))), before)
                # "par ceux de la SDJES, qui consacre sur son droit commun 30 000 € aux Colos apprenantes"
                agent = re.sub(r"^(?:ceux|celles|celui|celle)\s+(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+|d['’])", "", m.group("who"))
                # "par la DRAC, à hauteur de 25 000 € pour les résidences": its sum, then what
                agent = re.sub(r",\s*(?:qui\s+(?:(?:y\s+)?consacre|abonde|finance|mobilise|apporte|soutient)|à\s+hauteur\s+de)\s+(?P<what>.*)$",
                               lambda w: " finance " + re.sub(r"^\s*(?:pour|à|au|aux)\s+", "", _NOT_AMOUNT.sub(" ", _NOT_OBJECT.sub(" ", w.group("what")))).strip(), agent).strip(" .")
                # "80 000 € de crédits politique de la ville de l'État (BOP 147)", "35 000 € de la Ville, prélevés …": the funder
                agent = re.sub(r"^" + _SUM + r"\s+(?:de\s+crédits\s+(?:spécifiques|de\s+droit\s+commun|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\s+)?"
                               r"(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+|d['’])", "", agent)
                agent = re.sub(r",\s*(?:prélevée?s?|issue?s?|imputée?s?)\b.*$", "", agent)
                # "par le Conseil départemental pour la prévention spécialisée", "par X au moyen de l'abattement de TFPB"
                agent = re.sub(r"\s+(?:pour|au moyen d(?:e|u|es))\s+(?:(?:sa|son|ses|leurs?)\s+)?(?=\S)", " finance ", agent, count=1)
                for line in specific_of(agent):
                    name, _, schemes = re.sub(r"\s*\x04\s*", " ", line).replace(" ,", ",").strip(" ,").partition(" : ")
                    if re.match(r"[A-ZÀ-Ý]", name):
                        said_kind = f" ({kind})" if kind else ""
                        out.append((at + p.start("who") + m.start("who"), f"{name}{said_kind} : {schemes}" if schemes else name + said_kind))
            continue
        a = ADDED.search(sentence) or ADDED_ON.search(sentence)
        if a:   # "S'ajoutent 48 000 € de l'État (BOP 147) pour la formation …"
            kind = next((words for words, rx in SAYS_KIND if rx.search(sentence)), said)
            schemes = [x.strip() for x in split_list(a.group("inner"), ",;")] if a.group("inner") else []
            schemes += schemes_of(a.group("what")) if "what" in a.re.groupindex and a.group("what") else []
            name, said_kind = bare(a.group("who")), f" ({kind})" if kind else ""
            out.append((at + a.start("who"), f"{name}{said_kind} : {', '.join(schemes)}" if schemes else name + said_kind))
            continue
        c = CREDITS_OF.search(sentence)
        if c:   # "Les crédits spécifiques de l'État (BOP 147) s'élèvent à 165 000 €, dont 60 000 € pour le PRE"
            kind = next((words for words, rx in SAYS_KIND if rx.search(c.group(0))), said)
            schemes = ([x.strip() for x in split_list(c.group("inner"), ",;")] if c.group("inner") else []) + \
                [x for part in re.findall(r"\b\d[\d \u00a0\u202f.,]*\s*(?:k€|M€|€|euros?)\s+pour\s+([^,;]+?)(?=\s+et\s+\d|,|;|$)", sentence[c.end():])
                 for x in schemes_of(part)]
            name = bare(c.group("who"))
            out.append((at + c.start("who"), f"{name} ({kind}) : {', '.join(schemes)}" if schemes else f"{name} ({kind})"))
            continue
        v = FUNDS.search(sentence)
        plural = None if v else FUNDS_PLURAL.search(sentence)
        if plural and re.search(r"\s+et\s+", sentence[:plural.start()]):
            # "France Travail et la Région mobilisent respectivement 260 000 € pour A et 185 000 € pour B",
            # "Grand Avignon Résidences, Vallis Habitat et Erilia mobilisent l'abattement de TFPB"
            kind = next((words for words, rx in SAYS_KIND if rx.search(sentence)), said)
            names = names_of(_SUBJECT_AFTER.sub("", sentence[:plural.start()]))
            # "Grand Avignon Résidences et Vallis Habitat financent …": the plural verb says two bodies
            names = [x for n in names for x in (names_and(n) if len(names) == 1 else [n])]
            obj = _NOT_OBJECT.sub(" ", sentence[plural.end():])
            each = [obj] * len(names)
            if re.match(r"\s*respectivement\b", obj):
                parts = re.split(r"\s+et\s+(?=\d)|,\s*(?=\d)", re.sub(r"^\s*respectivement\s*", "", obj))
                each = parts if len(parts) == len(names) else each
            for name, what in zip(names, each):
                what = re.split(r"\s*,?\s*\((?:soit|dont)\b|,\s*soit\b", _NOT_AMOUNT.sub(" \x04 ", what), maxsplit=1)[0]
                schemes = [x for x in (re.sub(r"\s*\x04\s*", " ", y).strip() for y in schemes_of(what.strip(" .,;"))) if x]
                said_kind = f" ({kind})" if kind else ""
                found = sentence.find(name, skip)
                out.append((at + (found if found >= 0 else skip), f"{name}{said_kind} : {', '.join(schemes)}" if schemes else name + said_kind))
            last = names[-1] if names else last
            continue
        elliptic = None if v else re.match(r"^\s*(?:(?:la|le|les)\s+|l['’]\s*)?(?P<who>[A-ZÀ-Ý][^,;]{2,60}?),\s*" + _SUM + r"\s+(?:pour|à|au|aux)\s+(?P<what>.+)$", sentence)
        if elliptic and last:   # "… ; la DDETS de Vaucluse, 150 000 € pour les PEC et le CEJ": the verb of the clause before
            schemes = schemes_of(elliptic.group("what").strip(" .,;"))
            said_kind = f" ({said})" if said else ""
            name = elliptic.group("who").strip()
            out.append((at + elliptic.start("who"), f"{name}{said_kind} : {', '.join(schemes)}" if schemes else name + said_kind))
            continue
        if not v:
            continue
        funder = bare(_SUBJECT_AFTER.sub("", sentence[:v.start()]))
        if re.fullmatch(r"(?i:il|elle|ils|elles)(?:\s+(?:en|y))?", funder) and last:
            funder = last   # "L'État mobilise … ; il apporte en outre …": the funder of the clause before
        if not funder or len(funder.split()) > 8 or not re.match(r"[A-ZÀ-Ý]|[a-z]+\d*[A-Z]", funder):   # ("m2A Habitat")
            continue
        last = funder
        # "l'État mobilise 90 000 € du FIPD, et 70 000 € de crédits spécifiques (BOP 147) pour …": a
        # second sum of the other kind is a line of its own
        second = _SECOND_KIND.search(sentence, v.end())
        parts = [(sentence[v.end():second.start()], next((w for w, rx in SAYS_KIND if rx.search(sentence[:second.start()])), said)),
                 (sentence[second.start("what"):], next(w for w, rx in SAYS_KIND if rx.search(second.group("what"))))] if second \
            else [(sentence[v.end():], next((words for words, rx in SAYS_KIND if rx.search(sentence)), said))]
        for what, kind in parts:
            # (a sum left as a mark: "…, la CAF 95 000 € à …" is a funder whose verb is left out, see `specific_of`)
            obj = _NOT_AMOUNT.sub(" \x04 ", _NOT_OBJECT.sub(" ", what))
            obj = re.split(r"\s*\((?:soit|dont)\b", obj, maxsplit=1, flags=re.I)[0].strip(" .,;")
            said = f" ({kind})" if kind else ""
            for line in specific_of(f"{funder} finance {obj}"):   # the schemes, and the funders whose verb is left out
                line = re.sub(r"\s*\x04\s*", " ", line).replace(" ,", ",").strip(" ,")
                name, _, schemes = line.partition(" : ")
                # ("m2A Habitat et Néolia mobilisent …": the funding reader tells one name from two, `funders_joined`)
                found = sentence.find(name, skip) if name != funder else -1   # (a funder whose verb is left out: where it stands)
                out.append((at + (found if found >= 0 else skip), f"{name}{said} : {schemes}" if schemes else name + said))
    return out


ADDED = re.compile(r"^\s*s['’](?:y\s+)?ajoutent\s*,?\s*" + _SUM + r"\s+(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+)"
                   r"(?P<who>[A-ZÀ-Ý][^(),.]*?)\s*(?:\((?P<inner>[^()]*)\))?(?=\s+pour\b|\s*[,.]|$)", re.I)


# "S'y ajoutent, sur le droit commun de la Ville d'Avignon, 30 000 € d'aides à l'installation …"
ADDED_ON = re.compile(r"^\s*s['’](?:y\s+)?ajoutent\s*,\s*(?:sur|au titre)\s+(?:le\s+|du\s+|des\s+|les\s+)?(?:crédits\s+)?(?:droit\s+commun|spécifiques|politique\s+de\s+la\s+ville)"
                      r"\s+(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+)(?P<who>[A-ZÀ-Ý][^(),.]*?)\s*(?:\((?P<inner>[^()]*)\))?\s*,\s*"
                      + _SUM + r"\s+(?:de\s+|d['’]\s*)?(?P<what>[^.]*)", re.I)


# a second sum of the other kind in one funder's sentence: ", et 70 000 € de crédits spécifiques (BOP 147)"
_SECOND_KIND = re.compile(r",?\s+(?:et|ainsi que|puis)\s+" + _SUM + r"\s+(?:de\s+|d['’]\s*)?(?P<what>(?:crédits\s+)?(?:spécifiques|de\s+droit\s+commun|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\b.*)$", re.I)


# "Les crédits spécifiques de l'État (BOP 147) s'élèvent à 165 000 €": a funder's credits of a kind, by their sum
CREDITS_OF = re.compile(r"\b(?:les\s+)?crédits\s+(?:spécifiques|de\s+droit\s+commun|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\s+"
                        r"(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+)(?P<who>[A-ZÀ-Ý][^()]*?)\s*(?:\((?P<inner>[^()]*)\))?\s+"
                        r"(?:s['’]élèvent|atteignent|représentent|sont\s+de|s['’]établissent|se\s+montent)\b", re.I)


# the funders of a sentence in the passive: "Ces moyens sont complétés, au titre des crédits
# spécifiques, par l'État (BOP 147) et par la Communauté d'agglomération, qui abonde le fonds …"
PASSIVE = re.compile(r"\b(?:sont|est|seront|sera)\s+(?:\w+\s+)?(?:complétée?s?|cofinancée?s?|financée?s?|abondée?s?|soutenue?s?|mobilisée?s?)"
                     r"(?:\s*,\s*[^,]{3,80},)?\s+par\s+(?P<who>.+)$", re.I)


_NOT_AMOUNT = re.compile(r"\b\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d+)?\s*(?:k€|M€|€|euros?)(?:\s+par an)?", re.I)
