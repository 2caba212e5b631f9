"""Roles and funding written in sentences, as contracts in prose give them: "Cette orientation est
pilotée par A et B, en lien avec C, D et E.", "Y sont associés …", "Elle mobilise les crédits de
droit commun de F (a, b) et du G (c).", "Au titre de la politique de la ville, l'État (BOP 147)
soutient …". Each sentence becomes the lines a fiche with headings would have ("Pilotes : A, B",
"Droit commun :", "• F : a, b"), with the line the names start on, so that the fiche's reader reads
them as it reads any fiche."""

from __future__ import annotations

import re

from .naming import split_list
from .reading import BULLET, Line, join_cut_words, line_at

END = "\u2028"   # closes the section a sentence opened: what follows is prose again

_NAMES_END = r"(?=,\s*(?:en lien (?:étroit |direct )?avec|dans le cadre|avec le concours|en partenariat avec|avec l['’]appui|qui|dont|lesquel)\b|\.(?:\s|$)|;|$)"
PILOTS = [re.compile(r"\b(?:co)?pilot[ée]e?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)" + _NAMES_END, re.I),
          re.compile(r"\b(?:le\s+)?(?:co)?pilotage\s+(?:de\s+(?:cette|cet|ce|l['’])\s*(?:orientation|objectif|action|fiche|axe)\s+)?"
                     r"(?:en\s+)?(?:est|sera)\s+assur[ée]\s+(?:conjointement\s+)?par\s+"
                     r"(?P<names>.+?)" + _NAMES_END, re.I),
          # "L'ARS Bourgogne-Franche-Comté en assure le co-pilotage"
          re.compile(r"(?:^|(?<=\.\s))(?!(?:Il|Elle|Ils|Elles)\b)(?P<names>(?:l['’]|le |la |les )?[A-ZÀ-Ý][^.;]{1,160}?)\s+en\s+assuren?t?\s+(?:conjointement\s+)?"
                     r"(?:le\s+|la\s+|l['’])?(?:co-?)?(?:pilotage|portage|animation)\b", re.I),
          # "Le pilotage est partagé entre A et B"
          re.compile(r"\b(?:co)?pilotage\s+(?:\w+\s+){0,4}?(?:est|sera)\s+partagée?\s+entre\s+(?P<names>.+?)" + _NAMES_END, re.I),
          # "L'axe est animé par A, avec B comme co-pilote": who leads its work
          re.compile(r"\b(?:est|sont|sera|seront)\s+(?:co-?)?animée?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)"
                     r"(?=,\s*avec\b|" + _NAMES_END[3:], re.I),
          # "Le chef de file est France Travail ; il associe …"
          re.compile(r"\b(?:le|la)\s+(?:co-?)?(?:chef\s+de\s+file|pilote)\s+(?:de\s+(?:l['’]|cet\s+|cette\s+)\s*(?:axe|orientation|objectif)\s+)?"
                     r"(?:est|sera)\s+(?P<names>[^;.]+?)" + _NAMES_END, re.I),
          # "Elle est portée par A", not "des actions portées par les associations"
          re.compile(r"\b(?:est|sont|sera|seront)\s+(?:co)?portée?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)" + _NAMES_END, re.I),
          # "Le pilotage de l'orientation est confié conjointement à A et à B"
          # ("Le pilotage de l'orientation V revient à A, au titre de …, et à B pour …")
          re.compile(r"\b(?:co)?pilotage\s+(?:[\w'’]+\s+){0,4}?(?:(?:est|sera)\s+confiée?|revient|reviendra|incombe)\s+(?:conjointement\s+)?(?:à|au|aux)\s+(?P<names>.+?)" + _NAMES_END, re.I),
          # "France Travail est chef de file de l'orientation", "A et B sont chefs de file", "A assure le
          # pilotage de l'orientation", "A porte l'orientation, en lien avec B", "la Ville pilote le volet …"
          # ("La mission politique de la ville du Grand Avignon pilote l'axe": a body's name in lower case after its article)
          re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?P<names>(?:(?:[Ll]['’]|[Ll]es? |[Ll]a )?[A-ZÀ-Ý]|(?:[Ll]['’]|[Ll]e |[Ll]a )[a-zà-ÿ])[^.;]{1,160}?)(?<!\ben)\s+(?i:(?:est|sont|sera|seront)\s+"
                     r"(?:co-?)?chefs?\s+de\s+file|assuren?t?\s+(?:conjointement\s+)?le\s+(?:co-?)?pilotage|(?:co-?)?piloten?t?\s+(?:conjointement\s+)?(?:l['’]|le\s+volet|cette|cet)"
                     r"|porten?t?\s+(?:l['’](?:orientation|objectif|axe)|cette\s+orientation|cet\s+objectif))\b"),
          # "La Ville pilote cette priorité avec l'ARS Auvergne-Rhône-Alpes, copilote, et …": a co-pilot set apart
          re.compile(r"\b(?:avec|et)\s+(?P<names>(?:l['’]|la |le |les )?[A-ZÀ-Ý][^.;,]{1,120}?),\s+(?:son\s+|sa\s+|leur\s+)?(?:co-?)?pilotes?\s*(?=[,.;]|$)"),
          # "…, avec la Ville d'Avignon (direction de l'éducation) comme co-pilote"
          re.compile(r"\bavec\s+(?P<names>(?:l['’]|la |le |les )?[A-ZÀ-Ý][^.;]{1,120}?)\s+comme\s+(?:co-?)?pilotes?\b"),
          # "…, en lien avec la Mission locale, qui en est co-pilote pour les jeunes"
          re.compile(r"(?:\b(?:avec|de|par)|,)\s+(?P<names>(?:l['’]|la |le |les )?[A-ZÀ-Ý][^.;,]{1,120}?),\s+qui\s+en\s+(?:est|sont|sera|seront)\s+"
                     r"(?:le\s+|la\s+|les\s+)?(?:co-?)?pilotes?\b")]
# the patterns whose every match names pilots ("A est chef de file … ; B pilote le volet …")
_EVERY_MATCH = PILOTS[-5:]
# "…, avec B." after a pilot named in the same sentence: another pilot; "…, dans le cadre du CLSPD, et
# par B."
PILOT_WITH = re.compile(r"^[^.]*?(?:pilot|assur)[^.]*?,\s*(?:avec|et par)\s+(?P<names>[^,.]+?)\.", re.I)
# "L'association X sera associée au repérage …", "La CAF du Gard est associée au volet …": a name in
# capitals as the subject (not "Les habitants seront associés …")
WILL_BE_ASSOCIATED = re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?!(?:[Ll]es\s+)?(?:habitants|jeunes|familles|parents|usagers|élèves)\b)"
                                r"(?P<names>(?:[Ll]['’]|[Ll]es? |[Ll]a )?[A-ZÀ-Ýa-zà-ÿ][^.;]{1,120}?)\s+(?i:(?:sera|seront|est|sont)\s+"
                                r"(?:également\s+|aussi\s+|étroitement\s+|par\s+ailleurs\s+)?associée?s?\s+(?:à|au|aux)\s)")
# "La Région Centre-Val de Loire s'associe à l'orientation pour les lycéens"
JOINS = re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?P<names>(?:[Ll]['’]|[Ll]es? |[Ll]a )?[A-ZÀ-Ý][^.;:]{1,120}?)\s+s['’]associen?t?\s+(?:à|au|aux)\s")
SERVICES = [re.compile(r"\b(?:en lien (?:étroit |direct )?avec|en partenariat avec|(?:avec|sur) le concours de|avec l['’]appui de)\s+(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            re.compile(r"\b(?:y\s+)?sont\s+associée?s\s+(?:à\s+(?:sa|leur|la)\s+mise en œuvre\s*)?:?\s*(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            # "Contribuent à sa mise en œuvre A, B et C."
            re.compile(r"\bcontribuent\s+(?:à\s+(?:sa|leur|la)\s+mise en œuvre|à\s+(?:cette|l['’])\s*(?:orientation|objectif))\s*:?\s*(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            # "A, B et C y sont associés.", "… ; les conseils citoyens y contribuent."
            re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?P<names>[^.;]+?)\s+y\s+(?:(?:sont|est)\s+(?:également\s+|aussi\s+)?associée?s?"
                       r"|(?:contribu|particip)(?:e|ent))\b", re.I),
            re.compile(r"\b(?:elle|il|y)\s+associen?t?\s+(?P<names>.+?)(?=,\s+(?:partenaires?|acteurs?)\b|\.(?:\s|$)|;|$)", re.I),
            WILL_BE_ASSOCIATED,
            # "… ; les partenaires sont A, B et C."
            re.compile(r"\bles\s+partenaires\s+(?:associés\s+|mobilisés\s+)?(?:en\s+)?sont\s+(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
            # "… (direction de l'éducation). Partenaires mobilisés : A, B, C." run into the paragraph
            re.compile(r"(?:^|(?<=[.)]\s))(?:partenaires|acteurs)(?:\s+(?:associés|mobilisés|concernés))?\s*:\s*(?P<names>.+?)(?=\.(?:\s|$)|$)", re.I),
            JOINS]
# "Ils s'appuient sur la CPAM, le CHU et …" (the pilots of the sentence before), not on credits
LEAN_ON = re.compile(r"\b(?:ils|elles|il|elle)\s+s['’]appuien?t?\s+(?:notamment\s+|également\s+)?sur\s+"
                     r"(?!le\s+concours\b|l['’]appui\b|(?:les|le|des|du)\s+(?:crédits|moyens|droit|financements?|dispositifs?)\b)(?!(?:les|le|des|du)\s+(?:crédits|moyens|droit|financements?|dispositifs?)\b)(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I)
SERVICES.append(LEAN_ON)
# partners a sentence adds to those a heading lists: "X est associée à …", "A et B y sont également associés",
# "A et B co-pilotent l'orientation, en lien avec C et D"
ALSO_SERVICES = [WILL_BE_ASSOCIATED, JOINS, LEAN_ON,
                 re.compile(r"\bpilot[^.;]*?\ben lien avec\s+(?P<names>.+?)(?=\.(?:\s|$)|;|$)", re.I),
                 re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?P<names>[^.;]+?)\s+y\s+(?:sont|est)\s+(?:également|aussi)\s+associée?s?\b", re.I)]
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
_ARTICLE = re.compile(r"^(?:et\s+)?(?:par |de la |de l['’]|des |du |de |d['’]|la |le |les |l['’]|aux |au |à la |à l['’]"
                      r"|sur (?:le|la|les|l['’])\s*)", re.I)
_VERB_WORDS = (r"(?:soutient|soutiennent|soutiendra|mobilisent|mobilise|mobilisera|apportent|apporte|apportera|financent|finance|financera"
               r"|accompagne|accompagnera|cofinancent|cofinance|engage|engagera|consacre|verse)")
_VERB = re.compile(r"\s+" + _VERB_WORDS + r"\s+(?P<rest>.*)$", re.I)


def bare(name: str) -> str:
    """A name without the article or contracted preposition the sentence puts before it."""
    name = name.strip(" ,;.")
    while True:
        shorter = _ARTICLE.sub("", name, 1).strip()
        if shorter == name or not shorter:
            return name
        name = shorter


# " et " before the next name of a list: "…, le SDJES et la fédération", "… et par Montluçon
# Communauté", "de la Région (…) et de la Banque des Territoires"; not inside a name ("Chambre de
# métiers et de l'artisanat", "Chambre de commerce et d'industrie")
_AND_NEXT = re.compile(r"\s+et\s+(?:par\s+|à\s+(?=(?i:la|le|l['’])|[A-ZÀ-Ý])|(?=(?i:la|le|les|aux|au|du|des)\b|(?i:l)['’]|(?i:de)\s+la\b"
                       r"|(?:(?i:de)\s+l['’]|(?i:d)['’]|(?i:de)\s+)\s*[A-ZÀ-Ý]))")


# the names of bodies with a comma or an " et " of their own: "Direction départementale de l'emploi,
# du travail et des solidarités", "service départemental à la jeunesse, à l'engagement et aux sports",
# "Chambre de commerce et d'industrie", "Chambre de métiers et de l'artisanat", "des territoires et de
# la mer", "service pénitentiaire d'insertion et de probation"
WHOLE_NAME = re.compile(r"\b(?:de\s+l['’]économie,\s+)?de\s+l['’]emploi,\s+du\s+travail(?:,\s+des\s+solidarités\s+et\s+de\s+la\s+protection\s+des\s+populations"
                         r"|\s+et\s+des\s+solidarités)|\bà\s+la\s+jeunesse,\s+à\s+l['’]engagement\s+et\s+aux\s+sports"
                         r"|\bcommerce\s+et\s+d['’]industrie|\bmétiers\s+et\s+de\s+l['’]artisanat|\bterritoires\s+et\s+de\s+la\s+mer"
                         r"|\bd['’]insertion\s+et\s+de\s+probation", re.I)
# a body of each quartier named as one ("les conseils citoyens de Caucriauville, du Mont-Gaillard et du
# Bois de Bléville"): the quartiers are no names of their own
OF_QUARTIERS = re.compile(r"\b(?:conseils?\s+citoyens?|centres?\s+sociaux|comités?\s+de\s+quartiers?|maisons?\s+de\s+quartiers?)"
                           r"\s+(?:de|du|d['’]|des)\s*[A-ZÀ-Ý][^,;()]*?(?:(?:,\s*|\s+et\s+)(?:(?:de|du|d['’]|des)\s*[A-ZÀ-Ý][^,;()]*?"
                           r"|(?-i:[A-ZÀ-Ý][a-zà-ÿ'’]+)(?:-[\w'’]+)*))+"   # ("de Mireuil, Villeneuve-les-Salines et Port-Neuf"; not "PMI")
                           r"(?=\s*(?:,|;|\bainsi que\b|\bet\s+(?!(?:de|du|d['’]|des)\s*[A-ZÀ-Ý])|$))", re.I)


class Masked:
    """A text whose names with a comma or an " et " of their own (`WHOLE_NAME`, `OF_QUARTIERS`) stand
    behind marks, so that a list can be split on its commas; `restore` gives a piece its names back
    (the last mark first: a name of quartiers may hold a whole name)."""

    def __init__(self, text: str, parentheses: bool = False):
        self.kept: list[str] = []
        self.text = OF_QUARTIERS.sub(self._keep, WHOLE_NAME.sub(self._keep, text))
        if parentheses:   # ("Grand Avignon (direction de l'habitat et du renouvellement urbain)": one name)
            self.text = re.sub(r"\([^()]*\)", self._keep, self.text)

    def _keep(self, m: re.Match) -> str:
        self.kept.append(m.group(0))
        return f"\x02{len(self.kept) - 1}\x02"

    def restore(self, piece: str) -> str:
        for i in range(len(self.kept) - 1, -1, -1):
            piece = piece.replace(f"\x02{i}\x02", self.kept[i])
        return piece


def names_of(text: str) -> list[str]:
    """"la Mission locale, la DDETS du Var et les structures d'insertion": the names of a list in a
    sentence (split on commas, "ainsi que" and the last " et ", never inside parentheses nor inside
    a name that has its own, `WHOLE_NAME`, `OF_QUARTIERS`); a relative clause (", qui en est
    co-pilote …") and a qualifier ("au titre de la protection maternelle et infantile") left out."""
    out = []
    masked = Masked(text, parentheses=True)
    text = re.sub(r",\s*(?:qui|dont|lesquel\w*)\b[^,;]*", "", masked.text)
    # a list of "de"-items ("de la CPAM, du Centre hospitalier … et de l'atelier santé ville"): "et de l'" starts one too
    pieces = [q for p in split_list(text, ",;") for q in re.split(r"\s+ainsi\s+que\s+", p)]
    de_list = any(re.match(r"^(?:de la|de l['’]|du|des|d['’])\s*\S", p, re.I) for p in pieces[1:] or [text.strip()])
    for piece in pieces:
        if re.match(r"^au\s+titre\s+d(?:e|u|es)\b", piece.strip()):   # ", au titre de sa compétence habitat et du …,"
            continue
        parts = re.split(_AND_NEXT, piece.strip())
        # "l'Agence locale de l'énergie et du climat de Vaucluse": "et du" before a common noun goes on with the name
        for i in range(len(parts) - 1, 0, -1):
            if re.match(r"^(?:du|des|de\s+la|de\s+l['’])\s*[a-zà-ÿ]", parts[i]) and not de_list:
                parts[i - 1:i + 1] = [f"{parts[i - 1]} et {parts[i]}"]
        if de_list:
            parts = [q for p in parts for q in re.split(r"\s+et\s+(?=(?:de la|de l['’]|du|des|d['’])\s*\S)", p)]
        for p in parts:
            p = re.sub(r"\s+au\s+titre\s+d(?:e|u|es)\b.*$", "", p)
            # "la Ville d'Amiens pour la gestion urbaine …": what it pilots, after its name (not "Agence
            # nationale pour la rénovation urbaine", whose "pour" follows a word in lower case)
            p = re.sub(r"(?<=\S\s)((?:d['’]|de\s+|du\s+)?[A-ZÀ-Ý][\w'’-]+)\s+pour\s+(?:la|le|les|l['’]|son|sa|ses)\s*[a-zà-ÿ].*$", r"\1", p)
            out.append(bare(masked.restore(p)))
    return [n for n in out if n]


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
        m = re.match(r"^((?:(?:les|le|la)\s+|l['’]\s*)?[A-ZÀ-Ý][^,()]*?)(?<!\bde)(?<!\bà)\s+(?:(?:les|le|la|sa|son|ses|leurs?)\s+|l['’]\s*)(.+)$",
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
    clauses = ([(0, cuts[0].start(), "Financements :")] if cuts[0].start() > 0 else []) + [
        (c.end(), nxt.start() if nxt else len(what),
         "Droit commun :" if c.group("dc") else "Crédits spécifiques :" if c.group("sp") else "Financements :")
        for c, nxt in zip(cuts, cuts[1:] + [None])]
    out = []
    for start, end, heading in clauses:
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
    for at, clause in _clauses(what):
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


def _clauses(text: str) -> list[tuple[int, str]]:
    """`text` split on ";" outside parentheses: (where each piece starts, the piece)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text + ";"):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        if ch == ";" and depth == 0:
            if text[start:i].strip():
                out.append((start + len(text[start:i]) - len(text[start:i].lstrip()), text[start:i]))
            start = i + 1
    return out


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
    rest = re.sub(r"\b(?:(?:des|les)\s+)?crédits\s+(?:spécifiques\s+)?(?:de\s+la\s+)?politique\s+de\s+la\s+ville\s*\(([^()]+)\)", r"\1", rest, flags=re.I)
    rest = re.sub(r",?\s+y compris(?:\s+au titre)?\s+(?:des|du|de la|de l['’])\s*", ", ", rest, flags=re.I)
    rest = re.sub(r"^(?:les |des )?(?:crédits|moyens|financements)\s+(?:de la |de l['’]|des |du |de )?", "", rest, flags=re.I)
    rest = re.split(r"\s+(?:pour|afin|au profit|en faveur|dans le cadre|(?:dans|sur) (?:les|des|ses|leurs) (?:\w+ )?quartiers)\b",
                    rest, maxsplit=1, flags=re.I)[0]
    return [bare(_MEANS_OF.sub("", s)) for s in re.split(r",\s*(?:ainsi que\s+)?|\s+ainsi que\s+|\s+et\s+(?=(?i:la|le|les|l['’]|des|du|de|d['’]|aux|au)\b|[A-ZÀ-Ý]"
                                      r"|(?i:un|une|deux|trois|quatre|cinq|six)\s)",
                                      rest)
            if bare(s) and not re.match(r"^(?:son|sa|ses|leurs?|dont)\b", bare(s), re.I)]


# "les crédits du programme 147", "des moyens de la …": what the credits are of
_MEANS_OF = re.compile(r"^(?:les |des )?(?:crédits|moyens|financements)\s+(?:de la |de l['’]|des |du |de )", re.I)


NUMBERED_PARAGRAPH = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){1,2}\.?|§\s*\d{1,2}\.?)\s+(?=[A-ZÀ-Ý])")


def paragraphs(lines: list[Line]) -> list[tuple[list[Line], str, list[tuple[int, int]]]]:
    """Paragraphs of prose (blank lines or headings apart, bulleted lines and headings left out):
    their lines, their text joined, and where each line starts in that text."""
    from .sections import section_of
    out, cur = [], []
    field = False   # the paragraph is a field's value ("Public cible : habitants des QPV")
    value = ""      # a heading's value going on over lines ("Partenaires : A ; B (x et" / "y) ; C."): no prose
    for line in lines + [Line(0, "")]:
        if value and line.text.strip() and (re.match(r"^[a-zà-ÿ(]", line.text.strip()) or value.count("(") > value.count(")")
                                            or value.rstrip().endswith((",", ";", "("))):
            value = "" if line.text.rstrip().endswith(".") else value + " " + line.text.strip()
            continue
        value = ""
        # a heading, not the sentence going on ("…, ainsi que les" / "crédits spécifiques de l'État")
        heading = section_of(line.key) and not (cur and re.match(r"^[a-zà-ÿ]", line.text.strip())
                                                and not cur[-1].text.rstrip().endswith((".", ":")))
        # (a sentence of its own under a field's one-line value: "Les bailleurs … sont associés …"; or
        # under a short title with no mark of its own: "Gouvernance de l'axe" / "La Ville pilote l'axe.")
        from .sections import CONNECTOR
        titled = len(cur) == 1 and len(cur[0].text.split()) <= 6 and not re.search(r"[.,;:!?)]\s*$", cur[0].text) \
            and not CONNECTOR.search(cur[0].text.rstrip()) and re.match(r"^[A-ZÀ-Ý]", cur[0].text.strip()) \
            and re.match(r"^[A-ZÀ-Ý][a-zà-ÿ’']*\s+\S+\s+\S+", line.text.strip())
        apart = (field or titled) and len(cur) == 1 and re.match(r"^[A-ZÀ-Ý]", line.text.strip()) and not cur[0].text.rstrip().endswith(",")
        if line.text.strip() and not BULLET.match(line.text) and not heading and not apart:
            cur.append(line)
            continue
        if cur:
            text, starts = "", []
            for l in cur:
                starts.append((len(text) + (1 if text else 0), l.n))
                # (a legal text's numbered paragraph, "5.3 Le pilotage …", "§2 Le comité …": the sentence)
                text = join_cut_words(text, l.text) if text else NUMBERED_PARAGRAPH.sub("", l.text.strip())
            out.append((cur, text, starts))
        cur, field = [], False
        said = section_of(line.key) if heading else None
        if said and said[0] in ("pilots", "services") and said[1] and not line.text.rstrip().endswith("."):
            value = line.text.strip()
        if said and said[0] == "other" and ":" in line.text and re.search(r"\w", line.text.split(":", 1)[1]):
            cur, field = [Line(line.n, line.text.split(":", 1)[1].strip())], True   # "Observations : La CAF … est associée …"
        elif apart:
            cur = [line]
    return out


def sentences_as_sections(body: list[Line], roles: set[str] = frozenset({"pilots", "services"})) -> list[Line]:
    """The fiche's body with each paragraph that states roles (those of `roles`) or funding in
    sentences replaced by the lines of the sections it states (then `END`); other lines, headings
    among them, as they were."""
    from .sections import section_of
    out = []
    under, current = {}, None   # the section each line sits in: a funding section reads its own sentences
    for line in body:
        s = section_of(line.key)
        current = s[0] if s else current
        under[line.n] = current
    for lines, text, starts in paragraphs(body):
        made: list[Line] = []
        # (a funding section reads its own sentences, funder by funder, but for those whose subject is
        # the funding itself: "Le financement … repose sur le droit commun de A (…) et de B (…)")
        funding = not (under.get(lines[0].n) or "").startswith("funding") or re.match(r"^au titre d", text, re.I) \
            or re.search(r"\brepose(?:ra)? sur\s+(?:les\s+|le\s+)?(?:crédits\s+|moyens\s+)?(?:de\s+)?droit commun", text, re.I)
        piloting = set()
        for rx in PILOTS if "pilots" in roles else []:
            for m in rx.finditer(text):
                names = names_of(m.group("names"))
                w = PILOT_WITH.match(text[m.start():] + ("" if text.endswith(".") else "."))
                if w and (rx is PILOTS[1] or w.group(0).lower().count(" et par ")):
                    names += names_of(w.group("names"))
                if names:
                    made.append(Line(line_at(starts, m.start("names")), "Pilotes : " + " ; ".join(names)))
                    piloting |= {n.casefold() for n in names}
                if rx not in _EVERY_MATCH:
                    break
        for rx in SERVICES if "services" in roles else ALSO_SERVICES if "also-services" in roles else []:
            for m in rx.finditer(text):
                names = [n for n in names_of(m.group("names")) if n.casefold() not in piloting]   # (a co-pilot named among partners)
                if len(names) > 1 and re.match(r"^(?:les|des)\s+[a-zà-ÿ]", m.group("names").strip(), re.I) \
                        and all(re.match(r"^(?:l['’]\s*)?[A-ZÀ-Ý]", x) for x in names[1:]):
                    names = names[1:]   # "Les bailleurs sociaux présents …, l'OPAC de l'Oise, Clésence et …": the bodies named
                if names:
                    made.append(Line(line_at(starts, m.start("names")), "Partenaires : " + " ; ".join(names)))
        m = DROIT_COMMUN.search(text) if funding else None
        tail = []
        if m:
            made.append(Line(line_at(starts, m.start()), "Droit commun :"))
            listed, *tail = THEN_SPECIFIC.split(m.group("list"), maxsplit=1)
            made += [Line(line_at(starts, m.start("list")), "• " + f) for f in funders_of(listed)]
            if tail:   # "…, ainsi que les crédits spécifiques de l'État (CGET, BOP 147)"
                at = m.start("list") + len(m.group("list")) - len(tail[-1])
                made.append(Line(line_at(starts, at), "Crédits spécifiques :"))
                made += [Line(line_at(starts, at), "• " + f) for f in funders_of(tail[-1])]
        covered = [(m.start(), m.end())] if m else []   # the clauses read so far
        m = FINANCED.search(text) if funding else None
        if m:
            said = financed_by(m.group("what"))
            made += [Line(line_at(starts, m.start("what") + at), said_line) for at, said_line in said]
            covered += [(m.start(), m.end())] if said else []
        for rx, heading in ((DC_TITLE, "Droit commun :"), (SPECIFIC, "Crédits spécifiques :"), (MEANS, "Financements :")):
            m = rx.search(text) if funding and not (tail and rx is SPECIFIC) else None   # (not the clause the droit commun's list went on to)
            said = clause_funders(m.group("what")) if m else []
            if m and (said or rx is not MEANS):   # (a clause whose funder is the sentence's subject: read below)
                made.append(Line(line_at(starts, m.start()), heading))
                made += [Line(line_at(starts, m.start("what") + at), "• " + f) for at, f in said]
                covered += [(m.start(), m.end())] if said else []
        # "France Travail mobilise, au titre de son droit commun, …", "L'État apporte des crédits
        # spécifiques … (programme 147)", "Le droit commun est mobilisé par A pour …": a funder's
        # sentence that says the kind, outside the clauses read above
        # (a clause read above covers its whole sentence; the orientation itself is no funder:
        # "Cette orientation mobilise …")
        covered = [(max(text.rfind(". ", 0, a) + 1, 0), b) for a, b in covered]
        said = [(at, f) for at, f in (funding_sentences(text) if funding else [])
                if not any(a <= at < b for a, b in covered) and re.search(r"\((?:droit commun|crédits politique de la ville)\)", f)
                and not re.match(r"(?i:(?:cette|cet|ce|l['’])\s*(?:orientation|objectif|axe|volet|fiche|action|programme)|elle|il)\b", f)]
        if said:
            made.append(Line(line_at(starts, said[0][0]), "Financements :"))
            made += [Line(line_at(starts, at), "• " + f) for at, f in said]
        if made:
            out.append((lines, made + [Line(lines[-1].n, END)]))
    return paragraphs_replaced(body, out)


def paragraphs_replaced(lines: list[Line], found: list[tuple[list[Line], list[Line]]]) -> list[Line]:
    """`lines` with each paragraph of `found` (its lines, what it states) replaced by what it
    states, at the paragraph's place; other lines as they were."""
    if not found:
        return lines
    made = {para[0].n: said for para, said in found}
    gone = {l.n for para, _ in found for l in para}
    out: list[Line] = []
    for line in lines:
        if line.n in made:
            out += made.pop(line.n)
        elif line.n not in gone:
            out.append(line)
    return out


def roles_in_sentences(body: list[Line]) -> set[str]:
    """The roles (pilots, services) a fiche states in sentences: those no heading of the fiche gives,
    when its prose names a pilot ("pilotée par", "le pilotage … est assuré par") or, with a heading
    of pilots, associated partners ("Y sont associés …")."""
    from .sections import section_of
    texts = [text for _, text, _ in paragraphs(body)]
    # a heading of the roles over a sentence that gives them ("Pilotage et partenaires" / "Le pilotage
    # de cet objectif est assuré par A et par B, en lien avec C") heads no list
    said = {lines[0].n for lines, text, _ in paragraphs(body) if any(rx.match(text) for rx in PILOTS)
            or re.match(r"^(?:le\s+)?(?:co)?pilotage\b", text, re.I) and any(rx.search(text) for rx in PILOTS)}
    headed = set()
    for i, l in enumerate(body):
        s = section_of(l.key)
        if s and s[0] in ("pilots", "services"):
            nxt = next((x for x in body[i + 1:] if x.text.strip()), None)
            value = s[1] and not re.match(r"^et (?:partenaires?|partenariats?|acteurs?)$", s[1])   # ("Pilotage et partenaires")
            if value or nxt is None or nxt.n not in said:
                headed.add(s[0])
    if "pilots" not in headed and any(rx.search(t) for t in texts for rx in PILOTS):
        # (partners a sentence adds beside those a heading lists: "…, en lien avec C")
        return {"pilots", "services"} - headed | ({"also-services"} if "services" in headed else set())
    # ("en lien avec" only in a sentence on the pilotage: elsewhere it may tell of an action)
    in_prose = any(rx.search(t) for t in texts for rx in SERVICES[1:]) or \
        any(SERVICES[0].search(t) and re.search(r"\bpilot", t, re.I) for t in texts)
    if "pilots" in headed and "services" not in headed and in_prose:
        return {"services"}
    if not headed and any(WILL_BE_ASSOCIATED.search(t) for t in texts):   # (the roles in an annex's matrix)
        return {"services"}
    if any(rx.search(t) for t in texts for rx in ALSO_SERVICES):   # partners beside those a heading lists
        return {"also-services"}
    return set()


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
                                                           r"|crédits (?:spécifiques|(?:de la )?politique de la ville|du contrat de ville)", re.I))]
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
    clauses = []   # (where it starts, the clause, the kind the sentence opens on)
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
            clauses.append((m.start() + c.start() + opening.end(), c.group()[opening.end():], said))
    last = ""   # the funder of the clause before, for a pronoun
    for at, sentence, said in clauses:
        skip = len(sentence) - len(sentence.lstrip())
        p = PASSIVE.search(sentence)
        if p:   # "Ces moyens sont complétés, au titre des crédits spécifiques, par l'État (BOP 147) et par X, qui abonde Y"
            kind = next((words for words, rx in SAYS_KIND if rx.search(sentence)), said)
            for m in re.finditer(r"(?:^|,?\s+et\s+par\s+|,\s*par\s+)(?P<who>.+?)(?=,?\s+et\s+par\s+|,\s*par\s+|$)", p.group("who")):
                agent = re.sub(r",\s*qui\s+(?:abonde|finance|mobilise|apporte|soutient)\s+", " finance ", m.group("who")).strip(" .")
                # "80 000 € de crédits politique de la ville de l'État (BOP 147)", "35 000 € de la Ville, prélevés …": the funder
                agent = re.sub(r"^" + _SUM + r"\s+(?:de\s+crédits\s+(?:spécifiques|de\s+droit\s+commun|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\s+)?"
                               r"(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+|d['’])", "", agent)
                agent = re.sub(r",\s*(?:prélevée?s?|issue?s?|imputée?s?)\b.*$", "", agent)
                # "par le Conseil départemental pour la prévention spécialisée", "par X au moyen de l'abattement de TFPB"
                agent = re.sub(r"\s+(?:pour|au moyen d(?:e|u|es))\s+(?:(?:sa|son|ses|leurs?)\s+)?(?=\S)", " finance ", agent, count=1)
                for line in specific_of(agent):
                    name, _, schemes = line.partition(" : ")
                    if re.match(r"[A-ZÀ-Ý]", name):
                        said_kind = f" ({kind})" if kind else ""
                        out.append((at + p.start("who") + m.start("who"), f"{name}{said_kind} : {schemes}" if schemes else name + said_kind))
            continue
        a = ADDED.search(sentence)
        if a:   # "S'ajoutent 48 000 € de l'État (BOP 147) pour la formation …"
            kind = next((words for words, rx in SAYS_KIND if rx.search(sentence)), said)
            schemes = [x.strip() for x in split_list(a.group("inner"), ",;")] if a.group("inner") else []
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
        kind = next((words for words, rx in SAYS_KIND if rx.search(sentence)), said)
        # (a sum left as a mark: "…, la CAF 95 000 € à …" is a funder whose verb is left out, see `specific_of`)
        obj = _NOT_AMOUNT.sub(" \x04 ", _NOT_OBJECT.sub(" ", sentence[v.end():]))
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
# "Les crédits spécifiques de l'État (BOP 147) s'élèvent à 165 000 €": a funder's credits of a kind, by their sum
CREDITS_OF = re.compile(r"\b(?:les\s+)?crédits\s+(?:spécifiques|de\s+droit\s+commun|(?:de\s+la\s+)?politique\s+de\s+la\s+ville)\s+"
                        r"(?:de\s+la\s+|du\s+|de\s+l['’]|des\s+|de\s+)(?P<who>[A-ZÀ-Ý][^()]*?)\s*(?:\((?P<inner>[^()]*)\))?\s+"
                        r"(?:s['’]élèvent|atteignent|représentent|sont\s+de|s['’]établissent|se\s+montent)\b", re.I)


# the funders of a sentence in the passive: "Ces moyens sont complétés, au titre des crédits
# spécifiques, par l'État (BOP 147) et par la Communauté d'agglomération, qui abonde le fonds …"
PASSIVE = re.compile(r"\b(?:sont|est|seront|sera)\s+(?:\w+\s+)?(?:complétée?s?|cofinancée?s?|financée?s?|abondée?s?|soutenue?s?|mobilisée?s?)"
                     r"(?:\s*,\s*[^,]{3,80},)?\s+par\s+(?P<who>.+)$", re.I)


_NOT_AMOUNT = re.compile(r"\b\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d+)?\s*(?:k€|M€|€|euros?)(?:\s+par an)?", re.I)

