"""Roles and funding written in sentences, as contracts in prose give them: "Cette orientation est
pilotée par A et B, en lien avec C, D et E.", "Y sont associés …", "Elle mobilise les crédits de
droit commun de F (a, b) et du G (c).", "Au titre de la politique de la ville, l'État (BOP 147)
soutient …". Each sentence becomes the lines a fiche with headings would have ("Pilotes : A, B",
"Droit commun :", "• F : a, b"), with the line the names start on, so that the fiche's reader reads
them as it reads any fiche. The names of a sentence's list are read by `prose_names`, its funding
(who funds what, of which kind) by `prose_funding`."""

from __future__ import annotations

import re

from .prose_funding import (DC_TITLE, DROIT_COMMUN, FINANCED, MEANS, SPECIFIC, THEN_SPECIFIC, clause_funders, financed_by, funders_of,
                            funding_sentences)
from .prose_names import names_of
from .reading import BULLET, Line, join_cut_words, line_at

END = "\u2028"   # closes the section a sentence opened: what follows is prose again

_NAMES_END = r"(?=,\s*(?:en lien (?:étroit |direct )?avec|dans le cadre|avec le concours|en partenariat avec|avec l['’]appui|qui|dont|lesquel)\b|\.(?:\s|$)|;|$)"
PILOTS = [re.compile(r"\b(?:co)?pilot[ée]e?s?\s+(?:conjointement\s+)?par\s+(?P<names>.+?)" + _NAMES_END, re.I),
          re.compile(r"\b(?:le\s+)?(?:co)?pilotage\s+(?:de\s+(?:cette|cet|ce|l['’])\s*(?:orientation|objectif|action|fiche|axe)\s+)?"
                     r"(?:en\s+)?(?:est|sera)\s+assur[ée]\s+(?:conjointement\s+)?par\s+"
                     r"(?P<names>.+?)" + _NAMES_END, re.I),
          # "L'ARS Bourgogne-Franche-Comté en assure le co-pilotage"
          # ("…; la DDETS en assure le copilotage"; "La DSDEN en est chef de file pour le volet scolaire")
          re.compile(r"(?:^|(?<=\.\s)|(?<=;\s))(?!(?:Il|Elle|Ils|Elles)\b)(?P<names>(?:l['’]|le |la |les )?[A-ZÀ-Ý][^.;]{1,160}?)\s+en\s+(?:assuren?t?\s+(?:conjointement\s+)?"
                     r"(?:le\s+|la\s+|l['’])?(?:co-?)?(?:pilotage|portage|animation)|(?:est|sont|sera|seront)\s+(?:le\s+|la\s+|les\s+)?(?:co-?)?(?:chefs?\s+de\s+file|pilotes?))\b", re.I),
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
          # ("La coordination de cette orientation est confiée à A")
          re.compile(r"\b(?:(?:co)?pilotage|coordination)\s+(?:[\w'’]+\s+){0,4}?(?:(?:est|sera)\s+confiée?|revient|reviendra|incombe)\s+(?:conjointement\s+)?(?:à|au|aux)\s+(?P<names>.+?)" + _NAMES_END, re.I),
          # "…, qui en partage la coordination avec B": B leads too
          re.compile(r",\s+qui\s+en\s+partagen?t?\s+(?:le\s+|la\s+|l['’])?(?:co-?)?(?:pilotage|coordination|animation)\s+avec\s+(?P<names>.+?)" + _NAMES_END, re.I),
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
_EVERY_MATCH = PILOTS[-6:]
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
            # "A et B apportent leur concours aux actions …", "…, tandis que A et B apportent leur concours …"
            re.compile(r"(?:^|(?<=\.\s)|(?<=;\s)|(?<=,\standis\sque\s))(?P<names>(?:[Ll]['’]|[Ll]es? |[Ll]a )?[A-ZÀ-Ýa-zà-ÿ](?:(?!\btandis\s+que\b|\by\s+sont\b)[^.;]){1,300}?)\s+(?:y\s+)?(?:apporten?t?|prêten?t?)\s+(?:leur|son|sa)\s+(?:concours|appui|soutien|expertise)\b"),
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
    titled, title = {}, None    # and its heading ("Moyens mobilisés")
    for line in body:
        s = section_of(line.key)
        current, title = (s[0], line.text.strip()) if s else (current, title)
        under[line.n], titled[line.n] = current, title
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
        # a funding section's paragraph read above ("Au titre du droit commun, …"), or a paragraph of
        # prose whose funders say their kind: its funders of no kind said ("Le Grand Avignon apporte en
        # outre 25 000 €.", "La Ville cofinance les ateliers …") under the section's own heading
        in_funding = (under.get(lines[0].n) or "").startswith("funding")
        said_at = {at for at, _ in said}
        unsaid = [(at, f) for at, f in (funding_sentences(text) if funding and made and (in_funding or said) else [])
                  if not any(a <= at < b for a, b in covered) and at not in said_at
                  and not re.search(r"\((?:droit commun|crédits politique de la ville)\)", f)
                  and not re.match(r"(?i:(?:cette|cet|ce|l['’])\s*(?:orientation|objectif|axe|volet|fiche|action|programme)|elle|il)\b", f)
                  and re.match(r"[A-ZÀ-Ý]", f)]
        if unsaid:
            made.append(Line(line_at(starts, unsaid[0][0]), titled[lines[0].n] if in_funding else "Financements :"))
            made += [Line(line_at(starts, at), "• " + f) for at, f in unsaid]
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


