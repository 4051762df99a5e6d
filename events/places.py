"""Toponym recognition and resolution for English news text, offline and fast (no tagger).

Recognition: capitalised token n-grams (longest first, up to :data:`MAX_TOKENS` tokens, with lower-case name
connectors such as "el-", "de", "of" inside) are looked up in the :class:`~events.gazetteer.Gazetteer`; a
stoplist (``data/place_stoplist.txt``) drops capitalised words that are rarely places in news, and words right
after a person title ("President", "Mr.") are skipped. Demonyms (``data/demonyms.csv``) become mentions with
``via="demonym"`` resolving to their country.

Resolution scores each candidate like a geoparser: the gazetteer prior (countries, admin areas, capitals,
population), countries the text is about (named countries, demonyms, unambiguous places), a qualifier right after
the name ("Birmingham, Alabama"), a demonym cue before it ("the Iraqi town of ..."), then closeness to the other
resolved places.

A compass word before a country or first-level area ("southern Lebanon", "the north of Iraq", "Far North
Queensland") makes the mention that part of the area (:meth:`~events.gazetteer.Gazetteer.part_of`, a ``region``
place), with the area kept in :attr:`PlaceMention.within`.
"""

from __future__ import annotations

import csv
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from events.gazetteer import Gazetteer, Place, distance_km, normalize, spelling_key
from events.settings import DATA_DIR

STOPLIST_TXT = DATA_DIR / "place_stoplist.txt"
DEMONYMS_CSV = DATA_DIR / "demonyms.csv"
MAX_TOKENS = 5
MAX_CANDIDATES = 40


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place
    via: str  # "name" or "demonym"
    within: Place | None = None  # the named place a compass part lies in ("Lebanon" of "southern Lebanon")


# --------------------------------------------------------------------------------------------------- data

@lru_cache(maxsize=None)
def _stoplist(path: Path = STOPLIST_TXT) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line)
            words.add(normalize(line))  # the file's promise: matching ignores case ("Al-Shabab" of "al-Shabab")
    return frozenset(words)


@lru_cache(maxsize=None)
def _demonyms(path: Path = DEMONYMS_CSV) -> dict[str, str]:
    """Demonym (exact spelling, plus plural forms) -> country code or ``CC:admin1 name``."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    table: dict[str, str] = {}
    for row in rows:
        form, target = row["demonym"].strip(), row["country"].strip()
        table.setdefault(form, target)
        if form.endswith(("an", "i", "ot", "ite", "er")) or form in {"Turk", "Pole", "Serb", "Croat", "Kurd", "Swede", "Dane", "Finn", "Brit", "Thai", "Czech", "Slovak", "Kazakh", "Uzbek", "Tajik"}:
            table.setdefault(form + "s", target)
        if form.endswith("man"):
            table.setdefault(form[:-3] + "men", target)
    return table


# Words after which a capitalised run is a person's (or a ship's) name, not a place ("President Kenya ..." never;
# "Mr. Jordan").
_TITLES = frozenset(normalize(w) for w in """
Mr Mrs Ms Miss Dr Prof Sir Dame Lord Lady President Vice-President Premier Chancellor Minister Secretary Senator Sen
Rep Representative Congressman Congresswoman Governor Gov Mayor Judge Justice General Gen Colonel Col Lieutenant Lt
Major Maj Captain Capt Sergeant Sgt Corporal Cpl Private Pvt Admiral Adm Commander Cmdr Officer Detective Constable
Inspector Superintendent Chief Sheriff Deputy Agent Prince Princess King Queen Emperor Sultan Emir Sheikh Shaikh Imam
Ayatollah Pope Cardinal Bishop Archbishop Reverend Rev Father Pastor Rabbi Brother Sister Saint Coach Dr. Mr. Mrs.
Ms. Prime Spokesman Spokeswoman Ambassador Attorney Professor Director Chairman Chairwoman CEO Mullah Marshal
MV SS HMS USS INS FV RMS HMAS HMCS HMNZS
""".split())  # the last line: ship prefixes ("the MV Hamburg", "USS Cole"): a vessel's name, not its namesake place

# A title is not written in capitals, except these ship prefixes and "CEO": "DR Congo" (not "Dr Congo") is the country
_CAPITALS_TITLES = frozenset(normalize(w) for w in "MV SS HMS USS INS FV RMS HMAS HMCS HMNZS CEO".split())


def _title_opens_place(tokens: list, i: int, cap_end: int, text: str, gaz: Gazetteer, stop: frozenset[str],
                       demonyms: dict[str, str]) -> bool:
    """Whether the title-like word at ``i``, written in capitals, starts a place name the gazetteer knows ("DR
    Congo's") rather than a person's ("Dr Congo" written so stays a person; "Saint Louis" too, for now: saints
    are persons in news as often as towns)."""
    word = tokens[i].text.rstrip(".")
    if not (len(word) > 1 and word.isupper() and normalize(word) not in _CAPITALS_TITLES):
        return False
    for j in range(cap_end, i, -1):
        surface = text[tokens[i].start:tokens[j].end]
        poss = _POSSESSIVE.search(surface)
        for form in (surface, surface[: -len(poss.group())] if poss else None):
            if form and _lookup(form, gaz, stop, demonyms)[0] == "name":
                return True
    return False


# Capitalised words after a town that start another name, not a longer one: a title or the town's police; or that
# say which kind of area the name is ("Now Zad District", "Kurram Agency", "Tarai Region" of a name the gazetteer
# knows without that word: the name is the place, `kind_cue` reads the word)
_OFFICE_AFTER_TOWN = _TITLES | {normalize(w) for w in (
    "Police", "Mayor", "Governor", "Sheriff",
    "District", "Districts", "Agency", "Province", "Governorate", "Prefecture", "Division", "Tehsil", "Subdistrict",
    "Municipality", "Department",
    "Local", "LGA")}  # Nigeria's "Kauru Local Government Area", "Kauru LGA": the name is the area

# Days and months written right after a town ("in the city of Balad Thursday night", US wire style) start no longer name
_CALENDAR_WORDS = frozenset(normalize(w) for w in """
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August September
October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""".split())

# a newspaper's name after its town's ("New York Times", "Bangkok Post", "Kenya Times")
_NEWSPAPER_AFTER = frozenset("Times Post Herald Tribune Journal Gazette Chronicle Observer Telegraph Inquirer".split())
# Words after a landmark's name that make it the name of something else: a hospital, a school, a group
_NAMED_AFTER_A_LANDMARK = frozenset("""
Hospital Hospitals Clinic School Schools College University Institute Hotel Stadium Brigade Brigades Martyrs Radio TV
Television Foundation Bank Company Party Movement Front Army
""".split())

# A lower-case role right before a capitalised run names a person ("analyst Leon Paredes"); so does an age after it
_ROLE_BEFORE = re.compile(
    r"\b(?:analyst|magistrate|spokes(?:man|woman|person)|official|merchant|shopkeeper|vendor|trader|resident|witness|"
    r"farmer|villager|lawyer|attorney|prosecutor|judge|researcher|expert|activist|journalist|reporter|photographer|"
    r"student|teacher|professor|doctor|surgeon|nurse|engineer|driver|survivor|victim|owner|elder|cleric|imam|priest|"
    r"pastor|commander|colonel|lieutenant|sergeant|captain|officer|constable|inspector|governor|mayor|minister|"
    r"councillor|councilor|legislator|lawmaker|senator|leader|chief|director|chairman|manager|coach|economist|"
    r"historian|author|actor|singer|artist|brother|sister|father|mother|son|daughter|wife|husband|cousin|uncle|"
    r"nephew|neighbou?r|friend)\s+$")
_AGE_AFTER = re.compile(r",\s+\d{1,2},\s")

# First words of organisation names that GeoNames lists as alternate names of towns ("University of X").
_ORG_HEADS = frozenset("University College Institute School Academy Hospital Bank Museum Church Court".split())

# Lower-case words that may sit inside a multi-word name ("Sharm el-Sheikh", "Rio de Janeiro", "Isle of Man").
_CONNECTORS = frozenset("""
al el ad au aux ar as ash at az an ed en es et ez ul ur ibn bin ben abu umm de del della der den des di do dos das du da la le les
of the on upon under in y i e van von zu am im sur sul sous aan op ter and
""".split())
_ENGLISH_WORD_PREFIXES = frozenset({"an", "as", "at", "en", "es", "et", "ed"})  # "AN Edmonton man" is no "an-"
_ARTICLE_PREFIXES = ("al-", "el-", "ad-", "ar-", "as-", "ash-", "at-", "az-", "an-", "ed-", "en-", "es-", "et-")
# every start a looked-up form may have an article prefix by (one C-level test before finding which one)
_PREFIX_FORMS = _ARTICLE_PREFIXES + tuple(p[:-1] + " " for p in _ARTICLE_PREFIXES if p[:-1] not in _ENGLISH_WORD_PREFIXES)

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['\u2019][^\W\d_]+)*\.?")
_ABBREV = frozenset({"st", "ste", "mt", "ft", "pt", "n", "s", "e", "w"})
_POSSESSIVE = re.compile(r"['\u2019]s?$")
# the kind of place a name is, right after it ("Sukma district", "Mandera county", "Kauru town"): after an area's
# possessive, a name with such a word is a place ("Odisha's Malkangiri district"), without it a person or a work
# ("Brazil's Kaka", "Australia's Tanna")
# Words that say which kind of place a name is (read right after or before it, any case)
_AREA_WORDS = (r"province|governorate|district|county|prefecture|oblast|department|region|state|agency|division|tehsil|"
               r"subdistrict")
_TOWN_WORDS = r"city|town|village|municipality|township"
_KIND_WORD_AFTER = re.compile(rf"\s+(?:{_AREA_WORDS}|local\s+government|lga|{_TOWN_WORDS}|area)s?\b", re.I)
_POSSESSIVE_WORD = re.compile(r"[^\W\d_]{3,}['\u2019]s$")
_QUALIFIER_KINDS = ("admin1", "country")
_DEMONYM_CUE = re.compile(
    r"^[\s,]*(?:[a-z-]+\s+){0,2}(?:town|city|village|capital|province|region|port|district|governorate|state|"
    r"county|border\s+town|enclave|island|area|resort|stronghold|outpost|hamlet|suburb|neighbou?rhood|"
    r"base|airbase|airport|camp|oblast|prefecture)s?\s+(?:of\s+)?$")


# Words that say which kind of place a name is: "Yala province", "the province of Yala", "Kavre district" name an
# admin area; "Yala municipality", "the town of Quezon" a populated place. Matched next to the span, any case.
_ADMIN_AFTER = re.compile(rf"^\s+(?:{_AREA_WORDS}|local\s+government\s+area|lga|island)s?\b", re.I)
_ADMIN_BEFORE = re.compile(r"\b(?:province|governorate|district|county|prefecture|oblast|department|state|island)\s+of\s+$",
                           re.I)
# (not "the Jiangxi city of X": there the name is the area the town is in)
_TOWN_AFTER = re.compile(rf"^\s+(?:{_TOWN_WORDS})\b(?!\s+of\b)", re.I)
_TOWN_BEFORE = re.compile(r"\b(?:(?:city|town|village|hamlet|suburb|port|municipality|township)\s+of|downtown)\s+$", re.I)
ADMIN_KINDS = ("admin1", "admin2")
KIND_CUE_BONUS = 4.0


# "Yala, capital of the province of the same name", "X, the provincial capital": a town, whatever area shares its name
_CAPITAL_AFTER = re.compile(r"^,\s+(?:the\s+)?(?:[a-z]+\s+)?capital\b(?!\s+(?:city\s+)?of\s+the\s+country)")


# "X, a large city in western Y", "X, a village 40 miles south of Z": an apposition that says the name is a town's
_A_TOWN_AFTER = re.compile(r"^,\s+an?\s+(?:[\w-]+\s+){0,3}?(?:city|town|village|port|township|market\s+town)\b(?!\s+of\b)")


def kind_cue(text: str, start: int, end: int) -> str:
    """'admin' or 'town' when the words around a name say which kind of place it is, else ''."""
    after, before = text[end:end + 40], text[max(0, start - 25):start]
    if _TOWN_AFTER.match(after) or _TOWN_BEFORE.search(before) or _CAPITAL_AFTER.match(after) \
            or _A_TOWN_AFTER.match(after):
        return "town"
    if _ADMIN_AFTER.match(after) or _ADMIN_BEFORE.search(before):
        return "admin"
    return ""


_SPEECH_AFTER = re.compile(r"(?:,[^,\n]{1,40},)?\s+(?:said|says|told|added|stated|explained|wrote|argued|insisted|"
                           r"recalled|testified|tweeted)\b")


_PLACE_PREPOSITION = re.compile(r"\b(?:in|at|from|near|of|outside)\s+$", re.I)  # "police in Motherwell said"


@dataclass
class _Token:
    start: int
    end: int
    text: str


_NO_SENTENCE_AFTER = re.compile(r"\s*(?:[,;)]|[a-z])")


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in _TOKEN.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        if word.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+", word):
            # keep the period only on abbreviations ("St.", "Ky."): short capitalised words
            core = word[:-1]
            # ("Calif." too, where no sentence starts after it: "Richmond, Calif., on Monday")
            if not (core[:1].isupper() and (len(core) <= 4 or len(core) == 5 and _NO_SENTENCE_AFTER.match(text, end))
                    and core.lower() not in {"the", "a", "an", "i"}):
                end -= 1
                word = core
        out.append(_Token(start, end, word))
    return out


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _joinable(text: str, a: _Token, b: _Token) -> bool:
    gap = text[a.end:b.start]
    return gap in (" ", "-", "\u2010", "\u2011", "-") or (gap == " " * len(gap) and 0 < len(gap) <= 2)


# --------------------------------------------------------------------------------------------------- recognition

@dataclass
class _Span:
    start: int
    end: int
    text: str
    entries: tuple[int, ...]  # gazetteer entries (idx * 2 + is_alternate)
    sentence_initial: bool
    demonym: str = ""


def _lookup(form: str, gaz: Gazetteer, stop: frozenset[str], demonyms: dict[str, str],
            dateline: bool = False) -> tuple[str, tuple[int, ...]]:
    """('stop' | 'demonym:<target>' | 'name' | '', entries) for one surface form; `dateline`: the form opens a
    dateline, where a short capitalised word is a town written in capitals ("JOS, Nigeria"), not an acronym."""
    if form in stop or (form.isupper() and len(form) > 4 and form.title() in stop) \
            or normalize(form) in stop and (not form.isupper() or len(form) > 4):  # not "US" as "us"
        return "stop", ()
    target = demonyms.get(form)
    if target:
        return "demonym:" + target, ()
    if " " in form and form.split(" ", 1)[0] in _ORG_HEADS:
        return "", ()  # "University of Maryland": an organisation; its place is looked up on its own
    entries = gaz.entries(form)
    if not entries:
        low = form.lower()
        prefix = low.startswith(_PREFIX_FORMS) and next(
            (p for p in _ARTICLE_PREFIXES if low.startswith(p) or low.startswith(p[:-1] + " ")
             and p[:-1] not in _ENGLISH_WORD_PREFIXES), None)
        if prefix:
            entries = gaz.entries(form[len(prefix):])
    if entries and form.isupper() and len(form) <= 4 and "." not in form and not dateline:
        # acronyms: only countries, admin areas, regions ("US", "UAE", "DRC"), never "EU" -> Eu (France)
        entries = tuple(e for e in entries if gaz.place(e >> 1).kind not in ("city", "admin2"))
    return ("name" if entries else ""), entries


def _run_extents(text: str, tokens: list[_Token]):
    """For each token i, (run_end, cap_end) of the capitalised run that starts there.

    run_end: the last capitalised token reached from i through joinable capitalised words and lower-case
    connectors; cap_end: the last of the capitalised words right after i, up to run_end. Computed once, right to
    left: walking the run from every token of it is quadratic ("Ab-Ab-Ab-...", a name repeated without stop).
    """
    n = len(tokens)
    caps = [_is_cap(t.text) for t in tokens]
    # joins[j]: token j continues a run from token j - 1
    joins = [False] + [_joinable(text, tokens[j - 1], tokens[j]) and (caps[j] or tokens[j].text.lower() in _CONNECTORS)
                       for j in range(1, n)]
    last_cap = [-1] * (n + 1)  # last capitalised token of the run that continues from j on (-1: none)
    cap_reach = list(range(n))  # last token of the capitalised words right after j
    for j in range(n - 1, -1, -1):
        further = last_cap[j + 1] if j + 1 < n and joins[j + 1] else -1
        last_cap[j] = further if further >= 0 else (j if caps[j] else -1)
        if j + 1 < n and caps[j + 1]:
            cap_reach[j] = cap_reach[j + 1]

    def extents(i: int) -> tuple[int, int]:
        run_end = last_cap[i + 1] if i + 1 < n and joins[i + 1] and last_cap[i + 1] >= 0 else i
        return run_end, min(run_end, cap_reach[i])

    return extents


# Compass words before an area's name: "southern Lebanon", "the far north of Queensland", "north-east Nigeria".
_COMPASS = r"(north|south)(?:[- ]?(east|west))?(?:ern)?|(east|west)(?:ern)?|(central)"
_COMPASS_BEFORE = re.compile(rf"(?:\b(?:far|deep|extreme)\s+)?\b(?:{_COMPASS})\s+$", re.I)
_COMPASS_OF_BEFORE = re.compile(rf"\bthe\s+(?:(?:far|deep|extreme)\s+)?(?:{_COMPASS})\s+of\s+$", re.I)
_COMPASS_FORM = re.compile(rf"(?:(?:Far|Deep|Extreme)\s+)?(?:{_COMPASS})(?:\s+(.+))?$", re.I)
_AREA_KINDS = ("country", "admin1")
# "the southern Kandahar province": the compass word says where the province lies, it names no part of it
_KIND_AFTER = re.compile(r"^\s+(?:province|governorate|district|county|prefecture|oblast|department|region|state|"
                         r"territory|division|municipality|emirate)s?\b", re.I)


def _compass(match: re.Match) -> str:
    """The :data:`~events.gazetteer.DIRECTIONS` key of a :data:`_COMPASS` match."""
    ns, ew, plain, central = (match.group(k) for k in range(1, 5))
    if central:
        return "central"
    return (ns.lower() + (ew or "").lower()) if ns else plain.lower()


def _compass_modifier(form: str, start: int, entries: tuple[int, ...], gaz: Gazetteer, text: str,
                      tokens: list[_Token], j: int, cap_end: int) -> int | None:
    """When a capitalised compass form names a part of the area named by its rest or by the next words, the index
    of the first token after the compass words; else None.

    "South Lebanon" is a small US town in GeoNames, "Far North" a Cameroonian region; before or inside an area's
    name they say which part of that area is meant. A form whose own best candidate is an area ("South Sudan",
    "North Carolina", "Western Sahara") stays a name.
    """
    m = _COMPASS_FORM.fullmatch(form)
    if m is None:
        return None
    rest = m.group(5)
    if rest:
        top = gaz.place(entries[0] >> 1)
        if top.kind in ("country", "admin1", "admin2", "region", "continent", "landmark"):
            return None
        after = gaz.entries(rest)
        if not after or gaz.place(after[0] >> 1).kind not in _AREA_KINDS:
            return None
        k = j
        while k > 0 and tokens[k - 1].start >= start + m.start(5):
            k -= 1
        return k
    # a bare compass form ("Far North") right before another capitalised name modifies it
    if j < cap_end and _joinable(text, tokens[j], tokens[j + 1]):
        return j + 1
    return None


def _compass_country(span: _Span, gaz: Gazetteer, text: str) -> bool:
    """"a northern Mexico state", "two southern Panama provinces": after a compass word, a country's name before
    "state" or "province" says where the area lies (a state of northern Mexico), not which area it is."""
    return bool(_COMPASS_BEFORE.search(text[max(0, span.start - 40):span.start])) and any(
        gaz.place(e >> 1).kind == "country" for e in span.entries[:MAX_CANDIDATES])


def _compass_parts(mentions: list[PlaceMention], text: str, gaz: Gazetteer) -> list[PlaceMention]:
    """"southern Lebanon", "the north of Iraq", "Far North Queensland": the compass part of a country or admin1 area
    (a ``region`` place drawn from the area's towns, see :meth:`Gazetteer.part_of`) instead of the whole area."""
    out = []
    for m in mentions:
        if m.via == "name" and m.place.kind in _AREA_KINDS and (
                m.place.kind == "country" or not _KIND_AFTER.match(text[m.end:m.end + 20])):
            before = text[max(0, m.start - 40):m.start]
            found = _COMPASS_BEFORE.search(before) or _COMPASS_OF_BEFORE.search(before)
            part = gaz.part_of(m.place, _compass(found)) if found else None
            if part is not None:
                start = m.start - len(before) + found.start()
                m = PlaceMention(start, m.end, text[start:m.end], part, m.via, within=m.place)
        out.append(m)
    return out


# "the capital", "the war-weary capital city", "the Kenyan capital's slums": the national capital of the story's
# country, when no name follows ("the capital Kinshasa", "the capital, Kinshasa": the name is read itself) and no
# word makes it another capital ("the provincial capital", "the capital of Kandahar province")
_THE_CAPITAL = re.compile(r"\b[Tt]he\s+((?:[\w'\u2019-]+\s+){0,2}?)capital(?:\s+city)?(?:['\u2019]s)?\b"
                          r"(?!\s*,?\s+(?:[A-Z]|of\b))")
_OTHER_CAPITAL = re.compile(r"\b(?:provincial|province|state|regional|region|district|county|departmental|"
                            r"financial|commercial|economic|cultural|tourist|administrative|rebel|former|old|"
                            r"ancient|imperial|colonial|seasonal|summer|winter|world|european|global|"
                            r"(?:[\w-]+)-capital)\b", re.I)


def _with_the_capital(mentions: list[PlaceMention], text: str, gaz: Gazetteer) -> list[PlaceMention]:
    """Add "the capital" as the capital of the country its modifier names ("the Afghan capital") or else of the
    country most of the story's named places lie in (the first of them on a tie)."""
    if "capital" not in text:
        return mentions
    found = [m for m in _THE_CAPITAL.finditer(text) if not _OTHER_CAPITAL.search(m.group(1))]
    if not found:
        return mentions
    counts: Counter[str] = Counter(m.place.country for m in mentions if m.via == "name" and m.place.country
                                   and m.place.kind != "continent")
    story = max(counts, key=lambda c: (counts[c], -next(i for i, m in enumerate(mentions) if m.place.country == c)),
                default="")
    demonyms = _demonyms()
    added: list[PlaceMention] = []
    replaced: set[int] = set()
    for match in found:
        country = story
        for word in match.group(1).split():
            target = demonyms.get(word)
            if target and ":" not in target:
                country = target
            elif word[:1].isupper():
                country = ""  # "the Chechen capital", "the Kurdish capital": a region's or a people's, not the nation's
                break
        capital = gaz.capital_of(country) if country else None
        inside = [m for m in mentions if m.start < match.end() and match.start() < m.end]
        if capital is None or any(m.via != "demonym" for m in inside):
            continue
        replaced.update(id(m) for m in inside)  # "the Afghan capital": the capital says more than the demonym
        added.append(PlaceMention(match.start(), match.end(), match.group(0), capital, "name"))
    if not added:
        return mentions
    return sorted([*(m for m in mentions if id(m) not in replaced), *added], key=lambda m: m.start)


_LINE = re.compile(r"[^\n]+")
_LINE_WORD = re.compile(r"[^\W\d_][\w'\u2019-]{3,}")
HEADLINE_CHARS = 200  # a line longer than this is prose, not a headline


def _headline_lines(text: str) -> Callable[[int], bool]:
    """Whether a position lies on a line written in Title Case ("Explosion Rips Through Kumasi Bus"): there every
    word is capitalised, so a town beside a capitalised word is not part of a person's or an organisation's name."""
    spans = []
    for line in _LINE.finditer(text):
        if line.end() - line.start() > HEADLINE_CHARS:
            continue
        words = _LINE_WORD.findall(line.group())
        if len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words):
            spans.append((line.start(), line.end()))
    starts = [a for a, _ in spans]

    def inside(pos: int) -> bool:
        k = bisect_right(starts, pos) - 1
        return k >= 0 and pos < spans[k][1]

    return inside


_DATELINE_REST = re.compile(r",\s+[A-Z]|\s*\(|\s*(?:—|–|--|-\s)")


def _opens_dateline(text: str, start: int, length: int) -> bool:
    """A capitalised word at a line's start followed by the dateline's comma, agency or dash ("GOMA, Congo (AP) -")."""
    if length < 3 or not text[start:start + length].isupper():  # "UN, ...", "US - ...": acronyms
        return False
    k = start - 1
    while k >= 0 and text[k] in " \t\"“":
        k -= 1
    return (k < 0 or text[k] == "\n") and bool(_DATELINE_REST.match(text, start + length))


_LOWER_AREA_WORD = re.compile(r"region|province|state|district|county")
_ARTICLE_JOINED_AFTER = re.compile(r"\s+(?:al|el|ad|ar|as|ash|at|az|an|ed|en|es|et|ez|ul|ur)[-\u2010\u2011][A-Z]")


def _recognise(text: str, gaz: Gazetteer) -> list[_Span]:
    tokens = _tokens(text)
    stop = _stoplist()
    demonyms = _demonyms()
    lowered: set[str] | None = None
    spans: list[_Span] = []
    name_words: set[str] = set()  # words seen inside person/organisation names ("John Walsh" -> "Walsh")
    in_headline = _headline_lines(text)  # a Title Case headline capitalises every word: its runs teach no names
    named_upto = -1
    extents = _run_extents(text, tokens)
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        word = tok.text
        low = word.lower()
        lead = low.startswith(_ARTICLE_PREFIXES) or (
            low in {"al", "el", "ad", "ar", "as", "ash", "an", "az"} and i + 1 < n
            and text[tok.end:tokens[i + 1].start] in ("-", "\u2010") and _is_cap(tokens[i + 1].text))
        if not (_is_cap(word) or lead):
            i += 1
            continue
        # the capitalised run starting here (names may hold lower-case connectors: "Sharm el-Sheikh"), and its
        # capitalised words only ("Judge Ann Lee" of "Judge Ann Lee in Nakuru")
        run_end, cap_end = extents(i)
        if normalize(word.rstrip(".")) in _TITLES and cap_end > i \
                and not _title_opens_place(tokens, i, cap_end, text, gaz, stop, demonyms):
            # "President Ashraf Ghani", "Gen. Qassem Soleimani": a person, not a place
            if not in_headline(tok.start):
                name_words.update(t.text for t in tokens[i + 1:cap_end + 1])
            i = cap_end + 1
            continue
        if cap_end > i and not lead and (_ROLE_BEFORE.search(text, max(0, tok.start - 30), tok.start)
                                         or _AGE_AFTER.match(text, tokens[cap_end].end)):
            # "said political analyst Leon Paredes", "prosecutor Sydney Marks", "Lima Perez, 41, a nurse": a
            # person named after a lower-case role or before an age, whatever towns the name's words also name
            if not in_headline(tok.start):
                name_words.update(t.text for t in tokens[i:cap_end + 1])
            i = cap_end + 1
            continue
        initial = _sentence_initial(text, tok.start)

        best: tuple[int, str, str, tuple[int, ...]] | None = None  # (last token, form, kind, entries)
        for j in range(min(run_end, i + MAX_TOKENS - 1), i - 1, -1):
            end_word = tokens[j].text
            if not _is_cap(end_word) and not (j == i and lead):
                continue
            surface = text[tok.start:tokens[j].end]
            forms = [surface]
            if surface.endswith("."):
                forms.append(surface[:-1])
            poss = _POSSESSIVE.search(forms[-1])
            if poss and len(end_word) > 3 and poss.group() != "'" and poss.group() != "\u2019":
                forms.append(forms[-1][: -len(poss.group())])
            elif poss and poss.group() in ("'", "\u2019") and forms[-1].endswith(("s'", "s\u2019")):
                forms.append(forms[-1][:-1])
            for form in forms:
                kind, entries = _lookup(form, gaz, stop, demonyms, dateline=_opens_dateline(text, tok.start, len(form)))
                if kind == "name":
                    modified = _compass_modifier(form, tok.start, entries, gaz, text, tokens, j, cap_end)
                    if modified is not None:  # "South Lebanon", "Far North Queensland": the area named next
                        best = (modified - 1, form, "compass", ())
                        break
                if kind:
                    best = (j, form, kind, entries)
                    break
            if best:
                break
        if (best is None or best[0] == cap_end and (best[2] == "stop" or best[2].startswith("demonym:"))) \
                and cap_end + 1 < n \
                and _LOWER_AREA_WORD.fullmatch(tokens[cap_end + 1].text) \
                and text[tokens[cap_end].end:tokens[cap_end + 1].start] == " ":
            # "in the Northwest region": a name the gazetteer knows only with its kind word ("Northwest Region"),
            # the kind word written in lower case; "the Somali region of Ethiopia": a people's name that is also an
            # area's, the kind word saying it is the area, not the people's country
            kind_word = tokens[cap_end + 1]
            written = text[tok.start:kind_word.end]
            kind, entries = _lookup(written[:len(written) - len(kind_word.text)] + kind_word.text.title(), gaz, stop,
                                    demonyms)
            if kind == "name" and gaz.place(entries[0] >> 1).kind in ("admin1", "admin2", "region"):
                best = (cap_end + 1, written, kind, entries)
        if best is None:
            if cap_end > i and not in_headline(tok.start) and not _POSSESSIVE_WORD.search(word):
                # (tokens up to `named_upto` are in already: once each; the words after an unknown "X's" are no
                # part of its name: "Chhattisgah's Sukma district", misspelt, still names Sukma)
                name_words.update(t.text for t in tokens[max(i + 1, named_upto + 1):cap_end + 1])
                named_upto = max(named_upto, cap_end)
            i += 1
            continue
        j, form, kind, entries = best
        if kind == "compass":
            i = j + 1  # the compass words are read with the area's name (_compass_parts)
            continue
        start, end = tok.start, tok.start + len(form)
        if kind == "name":
            top = gaz.place(entries[0] >> 1)
            strong = top.kind in ("country", "admin1", "continent", "region", "landmark") or top.population >= 100_000
            if top.kind in ("city", "admin2") and entries[0] & 1 and len(form) <= 4:
                strong = False  # "Sam" of "Sam Rainsy" is an alternate name of Damascus: a name, not a place
            if top.kind == "landmark" and j < cap_end and tokens[j + 1].text in _NAMED_AFTER_A_LANDMARK:
                strong = False  # "the Al Aqsa Hospital", "Al Aqsa Martyrs Brigades": named after it, not at it
            if j < cap_end and tokens[j + 1].text in _NEWSPAPER_AFTER and _joinable(text, tokens[j], tokens[j + 1]):
                # "- New York Times", "the Washington Post reported": a newspaper named after its city, which tells
                # who reported, not where anything happened
                i = max(j, cap_end) + 1
                continue
            single = j == i and " " not in form and "-" not in form
            # part of a longer capitalised run that is not a place: a person or an organisation
            # (not after a possessive: "Chhattisgarh's Sukma district", "Kenya's Mandera county" name the area's
            # town or district after the area that holds it)
            before = i > 0 and _is_cap(tokens[i - 1].text) and _joinable(text, tokens[i - 1], tok) \
                and tokens[i - 1].text not in stop and not (
                    _after_an_areas_possessive(tokens[i - 1].text, gaz)
                    and (_KIND_WORD_AFTER.match(text, tok.start + len(form))
                         or _held_by_the_possessive_area(tokens[i - 1].text, entries, gaz)))
            # a possessive closes the name ("Whittier's Penn Park"), and so does an office after it ("Tikrit Police
            # Chief Ali Saleh", "Mafraq Mayor Omar Diab") or a day ("Balad Thursday night"): the town is named, the
            # words after are another name
            # (not a saint's: "St. Luke's Hospital" names the hospital)
            after = j < cap_end and (form == surface.rstrip(".") or form.startswith(("St", "Saint"))) and not (
                j + 1 < n and normalize(tokens[j + 1].text.rstrip(".")) in _OFFICE_AFTER_TOWN | _CALENDAR_WORDS)
            # "the village of Bani al-Haddad": a name that goes on with an article-joined word is a longer name the
            # gazetteer lacks, not the small town its first word also names
            after = after or j < run_end and form == surface and bool(_ARTICLE_JOINED_AFTER.match(text, tokens[j].end))
            if single and j + 1 < n and tokens[j + 1].text == tokens[j].text and _joinable(text, tokens[j], tokens[j + 1]):
                i = j + 2  # "Mau Mau", "Duran Duran": a doubled word is a name of its own, not the town
                continue
            # a town known by this spelling only as an alternate name ("Berri" of Barrie, Ontario) is no stronger
            # than a small town after another capitalised word: "Speaker Nabih Berri", and "Berri said" later on
            # ("Venice International Film Festival", "Enfield Council" keep their town)
            alias = top.kind in ("city", "admin2") and bool(entries[0] & 1)
            if not strong and (before or after) or alias and before:
                if not in_headline(tok.start):
                    name_words.update(t.text for t in tokens[i:max(j, cap_end) + 1])
                i = max(j, cap_end) + 1
                continue
            speaks = _SPEECH_AFTER.match(text, end) and not _PLACE_PREPOSITION.search(text, max(0, start - 8), start)
            if single and initial and alias and not strong \
                    and not _PLACE_PREPOSITION.search(text, max(0, start - 8), start) \
                    and normalize(form) not in normalize(top.name).split():
                # a capitalised first word that only another spelling of a small town answers to (an English
                # adjective that transliterates a Russian village's name) is a word, not the town; a word of the
                # place's own name (the short form of a longer district name) is the place
                i = j + 1
                continue
            if single and (not strong and (form in name_words or speaks) or alias and form in name_words):
                # "Scott said": a small town's name that speaks is a person (a capital that speaks is kept)
                name_words.add(form)
                i = j + 1
                continue
            if single:
                # a capitalised word that also appears in lower case in the same text is a common word here
                if lowered is None:
                    lowered = set(re.findall(r"\b[a-z][a-z']+\b", text))
                if form.lower() in lowered and (initial or top.kind == "city" and top.population < 1_000_000):
                    i = j + 1
                    continue
            spans.append(_Span(start, end, form, entries, initial))
        elif kind.startswith("demonym:"):
            spans.append(_Span(start, end, form, (), initial, demonym=kind.split(":", 1)[1]))
        i = j + 1
    return spans


def _after_an_areas_possessive(word: str, gaz: Gazetteer) -> bool:
    """Whether `word` is a country's or first-level area's possessive ("Odisha's"), or an unknown word's: the name
    after it is a place of that area, not the second word of a longer name ("Barca's Kaka" is a player)."""
    if not _POSSESSIVE_WORD.search(word):
        return False
    entries = gaz.entries(word[:-2])  # none: a misspelt area ("Chhattisgah's Sukma district") reads the same
    return not entries or any(gaz.place(e >> 1).kind in _QUALIFIER_KINDS for e in entries)


def _held_by_the_possessive_area(word: str, entries: tuple[int, ...], gaz: Gazetteer) -> bool:
    """Whether a place the name may be lies in the country or first-level area whose possessive `word` is
    ("Balochistan's Mastung", "Kenya's Garissa"): the area names where the town is, as "the Mastung district of
    Balochistan" would; "Pakistan's Imran" names no Pakistani town."""
    areas = [gaz.place(e >> 1) for e in gaz.entries(word[:-2])]
    areas = [a for a in areas if a.kind in _QUALIFIER_KINDS]
    for e in entries:
        place = gaz.place(e >> 1)
        if place.kind in ("city", "admin2") and any(
                place.country == a.country and (a.kind == "country" or place.admin1 == a.admin1) for a in areas):
            return True
    return False


def _sentence_initial(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\"'\u201c\u2018([":
        k -= 1
    return k < 0 or text[k] in ".!?\n:;\u201d"


# --------------------------------------------------------------------------------------------------- resolution

BIG_CITY = 100_000  # a city this big beats the admin area of its name ("Baghdad", not Baghdad Governorate)
MIN_SCORE_SINGLE = 4.0  # a lone capitalised word needs this much evidence (a town of ~10,000 without context)
MIN_SCORE_MULTI = 3.0

def _demonym_place(target: str, gaz: Gazetteer) -> Place | None:
    if ":" in target:  # "CC:admin1 name" or ":region name"
        cc, name = target.split(":", 1)
        return next((p for p in gaz.candidates(name) if not cc or p.country == cc), None)
    return gaz.country_place(target)


_NO_AREAS: Counter = Counter()


def _score(gaz: Gazetteer, entry: int, countries: Counter, admin1s: Counter) -> float:
    place = gaz.place(entry >> 1)
    score = gaz.prior(place) - (1.0 if entry & 1 else 0.0)
    if place.country and countries.get(place.country):
        score += 2.0 + 0.5 * min(3, countries[place.country])
    if place.kind in ("city", "landmark", "admin2") and admin1s.get((place.country, place.admin1)):
        score += 1.5
    return score


class _Contexts:
    """Countries and admin areas of the places chosen for spans other than those of one spelling, for every
    spelling at once: the totals minus the spelling's own (one pass, not one pass over all places per span)."""

    def __init__(self, chosen: dict[int, Place], keys: list) -> None:
        self.total: tuple[Counter, Counter] = (Counter(), Counter())
        self.own: dict = {}
        for k, place in chosen.items():
            for countries, admin1s in (self.total, self.own.setdefault(keys[k], (Counter(), Counter()))):
                if place.country:
                    countries[place.country] += 1
                if place.admin1 and place.kind != "country":
                    admin1s[(place.country, place.admin1)] += 1

    def excluding(self, key) -> tuple[Counter, Counter]:
        own = self.own.get(key)
        return self.total if own is None else (_Minus(self.total[0], own[0]), _Minus(self.total[1], own[1]))


class _Minus:
    """`total - own` as `_score` reads it (`get`, `[]`), without building the difference for every spelling."""

    def __init__(self, total: Counter, own: Counter) -> None:
        self.total, self.own = total, own

    def get(self, key, default=None):
        count = self.total.get(key, 0) - self.own.get(key, 0)
        return count if count > 0 else default

    def __getitem__(self, key) -> int:
        return max(0, self.total.get(key, 0) - self.own.get(key, 0))


_NEAR_KINDS = ("city", "landmark", "admin1", "admin2")
_NEAR_KM = 500.0
_CELL = 2 * math.sin(_NEAR_KM / 12742.0) * 1.02  # the chord of 500 km on the unit sphere, with a margin


def _unit(place: Place) -> tuple[float, float, float]:
    la, lo = math.radians(place.lat), math.radians(place.lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


class _Nearby:
    """The distance from a candidate to the nearest place chosen for another spelling, when under 500 km.

    Places sit in a grid of 3-D cells as wide as the chord of 500 km, so only the 27 cells around a candidate are
    searched: comparing every candidate with every other place is quadratic in the number of place names.
    """

    def __init__(self, chosen: dict[int, Place], keys: list) -> None:
        spellings: dict[Place, set] = {}
        for k, place in chosen.items():
            if place.kind in _NEAR_KINDS:
                spellings.setdefault(place, set()).add(keys[k])
        self.cells: dict[tuple[int, int, int], list[tuple[Place, set]]] = {}
        for place, spelled in spellings.items():
            self.cells.setdefault(self._cell(place), []).append((place, spelled))
        self.spellings = set().union(*spellings.values()) if spellings else set()
        self.cache: dict[tuple, float] = {}

    @staticmethod
    def _cell(place: Place) -> tuple[int, int, int]:
        x, y, z = _unit(place)
        return math.floor(x / _CELL), math.floor(y / _CELL), math.floor(z / _CELL)

    def any_other(self, key) -> bool:
        """Whether a place was chosen for a spelling other than `key`."""
        return len(self.spellings) > 1 or (bool(self.spellings) and key not in self.spellings)

    def km(self, place: Place, key) -> float:
        """The distance to the nearest other place as far as the bonus cares: exact under 500 km unless one under
        150 km was found first (then that one), and some distance of 500 km or more when none is nearer."""
        found = self.cache.get((key, place))
        if found is None:
            found = math.inf
            cx, cy, cz = self._cell(place)
            cells = [(cx + dx, cy + dy, cz + dz) for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)]
            for cell in cells:
                for other, spelled in self.cells.get(cell, ()):
                    if len(spelled) > 1 or key not in spelled:
                        found = min(found, distance_km(place, other))
                if found < 150:
                    break
            self.cache[(key, place)] = found
        return found


NEIGHBOUR_KM = 25.0  # two names of a story with candidates this close: a town and its neighbour (or quarter)
NEIGHBOUR_BONUS = 1.5
NEIGHBOUR_CANDIDATES = 12
NEIGHBOUR_PRIOR_WINDOW = 1.5  # only readings this close to the name's likeliest one pair up (not any hamlet)
_NEIGHBOUR_CELL = 2 * math.sin(NEIGHBOUR_KM / 12742.0) * 1.02


def _neighbours(spans: list[_Span], keys: list, gaz: Gazetteer) -> set[tuple]:
    """(spelling, candidate) pairs whose candidate town lies within 25 km of a candidate town of another spelling
    of the story: "Camden" and "Chelsea" named together are the two London districts, not a New Jersey city and a
    Massachusetts town pulled after it by the country counted; a story names places near each other, and two names
    that share one neighbourhood somewhere read best there. Towns, landmarks and districts only (a country or a
    province is near everything it holds)."""
    cells: dict[tuple[int, int, int], list[tuple[Place, object, int]]] = {}
    seen: set = set()
    for k, s in enumerate(spans):
        if s.demonym or keys[k] in seen:
            continue
        seen.add(keys[k])
        floor = gaz.prior(gaz.place(s.entries[0] >> 1)) - NEIGHBOUR_PRIOR_WINDOW
        for e in s.entries[:NEIGHBOUR_CANDIDATES]:
            place = gaz.place(e >> 1)
            if place.kind not in ("city", "landmark", "admin2") or gaz.prior(place) < floor:
                continue
            x, y, z = _unit(place)
            cell = (math.floor(x / _NEIGHBOUR_CELL), math.floor(y / _NEIGHBOUR_CELL), math.floor(z / _NEIGHBOUR_CELL))
            cells.setdefault(cell, []).append((place, keys[k], e >> 1))
    if len(seen) < 2:
        return set()
    found: set[tuple] = set()
    for (cx, cy, cz), members in cells.items():
        around = [m for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)
                  for m in cells.get((cx + dx, cy + dy, cz + dz), ())]
        for place, key, idx in members:
            if (key, idx) in found:
                continue
            if any(other_key != key and other.geonameid != place.geonameid
                   and distance_km(place, other) <= NEIGHBOUR_KM for other, other_key, _i in around):
                found.add((key, idx))
    return found


def _resolve(spans: list[_Span], gaz: Gazetteer, text: str) -> list[PlaceMention]:
    # spans naming the same candidates are one name ("Edmonton", "AN Edmonton"): none is context for the others
    keys = [s.entries or normalize(s.text) for s in spans]
    demonym_places: dict[int, Place] = {}
    confident: dict[int, Place] = {}
    for k, s in enumerate(spans):
        if s.demonym:
            place = _demonym_place(s.demonym, gaz)
            if place is not None:
                demonym_places[k] = place
                confident[k] = place
            continue
        top = gaz.place(s.entries[0] >> 1)
        runner = gaz.place(s.entries[1] >> 1) if len(s.entries) > 1 else None
        margin = gaz.prior(top) - (gaz.prior(runner) if runner else 0.0)
        if runner is None or (top.kind in ("country", "admin1", "continent", "region") and margin >= 1.0) or margin >= 3.0:
            confident[k] = top

    cues = {k: _cues(k, spans, gaz, text, demonym_places) for k, s in enumerate(spans) if not s.demonym}
    kind_cues = {k: "" if _compass_country(s, gaz, text) else kind_cue(text, s.start, s.end)
                 for k, s in enumerate(spans) if not s.demonym}
    # a title names the area as its body does: "20 killed in two villages in X" over "... in Y Local Government
    # Area of X State" is the state, not the big city of its name
    title_end = text.find("\n")
    admin_named = {keys[k] for k, cue in kind_cues.items() if cue == "admin"}
    for k, s in enumerate(spans):
        if not s.demonym and s.end <= title_end and not kind_cues[k] and keys[k] in admin_named \
                and text.startswith("\n\n", title_end):
            kind_cues[k] = "admin"
    # one name, one place per story: "bombs in downtown X" then "22 banks in X" is the town both times, unless the
    # story also writes the name as an area's ("X province")
    town_named = {keys[k] for k, cue in kind_cues.items() if cue == "town"} - admin_named
    for k, s in enumerate(spans):
        if not s.demonym and not kind_cues[k] and keys[k] in town_named:
            kind_cues[k] = "town"
    chosen: dict[int, Place] = dict(confident)
    neighbours = _neighbours(spans, keys, gaz)
    best_score: dict[int, float] = {}
    by_alias: dict[int, bool] = {}  # the place chosen is known by this spelling only as an alternate name
    for _round in range(2):
        previous = dict(chosen)
        contexts = _Contexts(previous if _round else confident, keys)
        nearby = _Nearby(previous, keys) if _round else None
        for k, s in enumerate(spans):
            if s.demonym:
                continue
            countries, admin1s = contexts.excluding(keys[k])
            cue_country, qualifier = cues[k]
            cue_kind = kind_cues[k]
            ranked = []
            # a country's own name ("Mexico") is not pulled to a city known by it only as an alternate name
            # (Mexico City) by the places named around it (the dateline's "MEXICO CITY", a state): the country
            # holds them all
            a_country = any(gaz.place(e >> 1).kind == "country" and not e & 1 for e in s.entries[:MAX_CANDIDATES])
            for e in s.entries[:MAX_CANDIDATES]:
                place = gaz.place(e >> 1)
                sc = _score(gaz, e, countries, _NO_AREAS if a_country and e & 1 else admin1s)
                if cue_country and place.country == cue_country:
                    sc += 4.0
                # "an attack on Mozambique town": a country's own name before "town" is that country's town, not a
                # town of its name
                if cue_kind == "admin" and place.kind in ADMIN_KINDS \
                        or cue_kind == "town" and place.kind == "city" and not a_country:
                    sc += KIND_CUE_BONUS
                if qualifier is not None and place.kind not in ("country", "continent"):
                    if gaz.island_km(qualifier):  # "X, Mindoro": a place of the island's country within its reach
                        if _lies_in(place, qualifier, gaz):
                            sc += 6.0
                    elif qualifier.kind == "admin1" and (place.country, place.admin1) == (qualifier.country, qualifier.admin1):
                        sc += 6.0
                    elif qualifier.kind == "country" and place.country == qualifier.country:
                        sc += 5.0
                ranked.append([sc, e])
            # a big city and the admin area of the same name: news means the city, unless the words around say
            # otherwise or the city only bears the name as an alternate ("Quezon" is a province, not Quezon City) that
            # is not merely another transliteration of its own ("Mykolaiv" of GeoNames' Mykolayiv)
            for item in ranked:
                place = gaz.place(item[1] >> 1)
                if place.kind == "city" and place.population >= BIG_CITY and cue_kind != "admin" and (
                        not item[1] & 1 or _same_spelling(s.text, place.name)):
                    rival = max((sc2 for sc2, e2 in ranked if gaz.place(e2 >> 1).kind in ADMIN_KINDS
                                 and gaz.place(e2 >> 1).country == place.country), default=None)
                    if rival is not None and rival >= item[0]:
                        item[0] = rival + 0.1
            _seat_of_the_district(ranked, gaz)
            for item in ranked:
                if (keys[k], item[1] >> 1) in neighbours:
                    item[0] += NEIGHBOUR_BONUS
            if _round:
                # closeness to the other resolved places (cities, landmarks, admin areas)
                if nearby.any_other(keys[k]):
                    for item in ranked[:15]:
                        place = gaz.place(item[1] >> 1)
                        if a_country and item[1] & 1:
                            continue
                        if place.kind in ("city", "landmark", "admin1", "admin2", "region"):
                            d = nearby.km(place, keys[k])
                            item[0] += 1.5 if d < 150 else 0.8 if d < 500 else 0.0
            sc, e = max(ranked, key=lambda t: t[0])
            chosen[k] = gaz.place(e >> 1)
            best_score[k] = sc
            by_alias[k] = bool(e & 1)

    named_countries = {p.country for k, p in chosen.items() if p.kind == "country" and p.country}
    named_countries.update(p.country for p in demonym_places.values() if p.country)

    # each distinct place chosen, with the spellings it was chosen for: a story repeats its places, and a lone word
    # is compared with the distinct ones only (comparing every span with every other was quadratic in the text)
    spellings: dict[str, tuple[Place, set]] = {}
    for j, p in chosen.items():
        spellings.setdefault(p.geonameid, (p, set()))[1].add(keys[j])
    off_map: dict[tuple, bool] = {}

    def story_places(key) -> list[Place]:
        """The places chosen for the story's other spellings."""
        return [p for p, written in spellings.values() if written != {key}]

    def off_the_map(k: int, s: _Span) -> bool:
        if _PLACE_PREPOSITION.search(text, max(0, s.start - 12), s.start) and not by_alias.get(k):
            return False  # "the island of Anjouan"; not "the village of X" where X is only another spelling of a far city
        known = (chosen[k].geonameid, keys[k])
        if known not in off_map:
            off_map[known] = _off_the_story_map(chosen[k], s, gaz, named_countries, lambda: story_places(keys[k]))
        return off_map[known]

    out: list[PlaceMention] = []
    for k, s in enumerate(spans):
        if s.demonym:
            if k in demonym_places:
                out.append(PlaceMention(s.start, s.end, s.text, demonym_places[k], "demonym"))
            continue
        single = " " not in s.text and "-" not in s.text
        if best_score[k] < (MIN_SCORE_SINGLE if single else MIN_SCORE_MULTI):
            continue
        if single and off_the_map(k, s):
            continue
        qualifier = chosen.get(k + 1) if cues[k][1] is not None else None  # the area as read ("Georgia": the state)
        if qualifier is not None and qualifier.kind in _QUALIFIER_KINDS and chosen[k].kind in ("city", "admin2") \
                and not _lies_in(chosen[k], qualifier, gaz):
            # "Holliday, Missouri" where the gazetteer has no Holliday in Missouri: the area written next to the name
            # is the most precise place known for it, not a namesake of another state or country
            out.append(PlaceMention(s.start, s.end, s.text, qualifier, "name"))
            continue
        out.append(PlaceMention(s.start, s.end, s.text, chosen[k], "name"))
    return out


def _lies_in(place: Place, area: Place, gaz: Gazetteer) -> bool:
    """Whether a place lies in a country or first-level area (by their codes and names), or an island (within its
    reach)."""
    if place.kind in ("country", "continent") or place.geonameid == area.geonameid:
        return True
    if area.kind == "country":
        return place.country == area.country
    if gaz.island_km(area):
        return place.country == area.country and distance_km(place, area) <= gaz.island_km(area)
    return (place.country, place.admin1) == (area.country, area.admin1)


def _same_spelling(written: str, name: str) -> bool:
    """Whether a name is written as another transliteration of a place's own name ("Mykolaiv", "Mykolayiv")."""
    key = spelling_key(written)
    return bool(key) and key == spelling_key(name)


FAR_FROM_STORY_KM = 4000.0  # further than this from every country the story names: another continent
FAMOUS_CITY = 1_000_000  # a city this big, named by its own name, may be named in any story ("London", "Tokyo")


def _off_the_story_map(place: Place, span: _Span, gaz: Gazetteer, named_countries: set[str],
                       others: Callable[[], list[Place]]) -> bool:
    """A lone word read as a place of a country the story never names, on another continent than every country
    and every other place it does name, is a person's or a group's name ("Mono" of a Latin American rebel's
    nickname is not the department in Benin); a famous city named by its own name stays ("London" in a story
    about Colombia). `others`: the story's other places, asked for only when the rest does not decide."""
    if not named_countries or place.kind in ("country", "continent", "region") or place.country in named_countries:
        return False
    if place.kind == "city" and place.population >= FAMOUS_CITY and not span.entries[0] & 1:
        return False
    homes = [gaz.country_place(cc) for cc in named_countries]
    for other in homes + others():
        if other is None or other.country == place.country or distance_km(place, other) <= FAR_FROM_STORY_KM:
            return False
    return True


SEAT_KM = 5.0  # a town this close to the district of its name is the district's seat


def _seat_of_the_district(ranked: list[list], gaz: Gazetteer) -> None:
    """Of two same-named towns of one first-level area, the one at the seat of the district of that name is
    meant, however small GeoNames counts it: the other, tens of kilometres from the district, is a hamlet that
    happens to bear the name (a municipality's seat often has no population in GeoNames)."""
    districts = [gaz.place(e >> 1) for _sc, e in ranked if gaz.place(e >> 1).kind == "admin2"]
    if not districts:
        return
    for item in ranked:
        town = gaz.place(item[1] >> 1)
        if town.kind != "city":
            continue
        seat = next((d for d in districts if (d.country, d.admin1) == (town.country, town.admin1)
                     and distance_km(town, d) <= SEAT_KM), None)
        if seat is None:
            continue
        rivals = [sc for sc, e in ranked if gaz.place(e >> 1).kind == "city" and sc >= item[0]
                  and (gaz.place(e >> 1).country, gaz.place(e >> 1).admin1) == (town.country, town.admin1)
                  and distance_km(gaz.place(e >> 1), seat) > 4 * SEAT_KM]
        if rivals:
            item[0] = max(rivals) + 0.1


def _cues(k: int, spans: list[_Span], gaz: Gazetteer, text: str,
          demonym_places: dict[int, Place]) -> tuple[str, Place | None]:
    """(country named by a demonym just before the span, place qualifying it just after: "Birmingham, Alabama")."""
    s = spans[k]
    cue = ""
    if k > 0 and spans[k - 1].demonym and k - 1 in demonym_places:
        gap = text[spans[k - 1].end:s.start]
        if len(gap) < 40 and _DEMONYM_CUE.match(gap):
            cue = demonym_places[k - 1].country
    qualifier = None
    if k + 1 < len(spans) and not spans[k + 1].demonym:
        gap = text[s.end:spans[k + 1].start]
        if gap in (", ", ",") and gaz.place(s.entries[0] >> 1).kind != "country":  # not "in Russia, U.S. officials
            for e in spans[k + 1].entries[:5]:
                cand = gaz.place(e >> 1)
                if cand.kind in _QUALIFIER_KINDS:
                    qualifier = cand
                    break
    return cue, qualifier


# a place slot: "in X", "near X", "the village of X", or "X district", "X town"; X one capitalised word, perhaps
# with a hyphenated lower-case part ("Rue-soh") or a second capitalised word
_SLOT_WORDS = r"[A-Z][a-z]{2,}(?:-[a-z]{2,})*(?:[ -](?:(?:al|el|an|ad|as|ash|ar|at|az|ad|ed|en|es|de|del|da|do|la)[ -])?[A-Z][a-z]{2,})?"
_SLOT_NAME = re.compile(rf"\b(?:in|at|near|outside|of)\s+(?:the\s+)?({_SLOT_WORDS})\b"
                        rf"|\b({_SLOT_WORDS})(?=" + _KIND_WORD_AFTER.pattern + ")")
# "of X" is a village's place slot only after a word for a place ("the village of X", "the outskirts of X"), not
# after a person's word ("the family of X", "a statement of X")
_SETTLEMENT_OF = re.compile(rf"\b(?:{_AREA_WORDS}|{_TOWN_WORDS}|area|community|hamlet|barangay|barrio|settlement|"
                            r"outskirts|suburb|vicinity|island)s?\s+of\s+(?:the\s+)?$", re.I)
_NOT_NAMES = frozenset(normalize(w) for w in """
January February March April May June July August September October November December Monday Tuesday Wednesday
Thursday Friday Saturday Sunday
""".split())


class _Spans:
    """Whether a stretch of text overlaps a place mention: one binary search over the mentions sorted by start, with
    the furthest end reached so far (a scan of every mention for every name was quadratic in a long text)."""

    def __init__(self, mentions: list[PlaceMention]) -> None:
        ordered = sorted((m.start, m.end) for m in mentions)
        self.starts = [a for a, _ in ordered]
        self.reach: list[int] = []
        for _, b in ordered:
            self.reach.append(max(b, self.reach[-1]) if self.reach else b)

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_right(self.starts, end - 1)
        return k > 0 and self.reach[k - 1] > start


def _other_spellings(mentions: list[PlaceMention], text: str, gaz: Gazetteer) -> list[PlaceMention]:
    """A name in a place slot that the gazetteer does not know as written, read as another transliteration of a
    place of a country the story is about ("in Accham district" of a story on Nepal is GeoNames' Achham; "in
    Rue-soh district" of a story on Thailand is Rueso, not the French town Rue its first part names).

    Only names no place mention spans already, or that one spans only in part, are compared, and only with the
    places of the countries the story's mentions lie in (:meth:`Gazetteer.spelled_like`). A name no place spells
    like is last looked up among those countries' local areas (:meth:`Gazetteer.local_area`: communes,
    sub-districts, then villages in the areas the story names), never worldwide."""
    # the story's countries: each one named twice or more, or else the most named ("the France-based monitor" of
    # a story on Syria is no country the story is about)
    named = Counter(m.place.country for m in mentions if m.place.country and m.place.kind != "continent")
    countries = [cc for cc, count in named.most_common() if count >= 2 or count == max(named.values())]
    if not countries:
        return mentions
    stop = _stoplist()
    starts = {m.start: m for m in mentions}
    covered = _Spans(mentions)
    areas = [m.place for m in mentions if m.place.kind in ("admin1", "admin2", "city")]  # where a village may lie
    found: dict[str, Place | None] = {}
    added: list[PlaceMention] = []
    for match in _SLOT_NAME.finditer(text):
        group = 1 if match.group(1) else 2
        start, end, written = match.start(group), match.end(group), match.group(group)
        words = re.split(r"[ -]", written)
        words = [w for w in words if w[:1].isupper()] if len(words) > 2 else words
        if words[-1].lower() in _KIND_WORDS:  # "Accham District" of "in Accham District"
            written = written[:len(written) - len(words[-1]) - 1]
            end = start + len(written)
        known = starts.get(start)
        if known is not None and known.end >= end or covered.overlaps(start if known is None else known.end, end):
            continue  # a place already, or inside a longer one ("Dera Ismail Khan")
        if written in stop or normalize(written) in stop or normalize(words[0]) in _NOT_NAMES | _TITLES:
            continue
        if any(p.country in countries for p in gaz.candidates(written)[:MAX_CANDIDATES]):
            continue  # the story's place as written, that recognition left out on purpose (a caption, a name)
        whole, whole_end = written, end
        place = _spelled_like(written, text, start, countries, gaz, found)
        if place is None and " " in written and not gaz.entries(words[0]):
            # "in the Dansadau Emirate": the name is the first word, the second one its kind
            written, end = words[0], start + len(words[0])
            place = _spelled_like(written, text, start, countries, gaz, found)
        if place is None:  # last resort: a commune, sub-district or village of the story's countries of that name
            villages = not match.group(0).lower().startswith("of") \
                or _SETTLEMENT_OF.search(text, max(0, match.start() - 40), start) is not None
            place = gaz.local_area(whole, countries, areas, villages)
            if place is not None:
                written, end = whole, whole_end
            elif written != whole:
                place = gaz.local_area(written, countries, areas, villages)
        if place is None or not _inside_the_area_after(place, end, text, starts, gaz):
            continue
        if known is not None:
            mentions = [m for m in mentions if m is not known]
        added.append(PlaceMention(start, end, written, place, "name"))
        starts[start] = added[-1]
    if not added:
        return mentions
    return sorted([*mentions, *added], key=lambda m: m.start)


AREA_HOLDS_KM = 60.0  # a town this close to a district's point may lie in it (districts have no polygon here)


def _inside_the_area_after(place: Place, end: int, text: str, starts: dict[int, PlaceMention], gaz: Gazetteer) -> bool:
    """Whether a place lies in the area written right after its name, when one is ("X in Y district", "X, Y
    province"): a town of another area that only spells like X is not X. True when no area follows."""
    gap = _AREA_GAP.match(text, end)
    area = starts.get(gap.end()) if gap is not None and gap.end() - end <= AREA_GAP_CHARS else None
    if area is None or area.place.kind not in ADMIN_KINDS or area.place.geonameid == place.geonameid:
        return True
    if place.country != area.place.country:
        return False
    if gaz.island_km(area.place):  # an island holds what lies within its reach ("Dagupan, Luzon")
        return _lies_in(place, area.place, gaz)
    if area.place.kind == "admin1":
        return place.admin1 == area.place.admin1
    return distance_km(place, area.place) <= AREA_HOLDS_KM


def _spelled_like(written: str, text: str, start: int, countries: list[str], gaz: Gazetteer,
                  found: dict[str, Place | None]) -> Place | None:
    """The place of the story's countries `written` is another spelling of (memoised in `found`), of the kind the
    words around it say when one is ("district": a district, "village": a town); with none, a big city before the
    area of its name, as :func:`_resolve` reads one, and a town before the district of its name (its seat)."""
    if written not in found:
        cue = kind_cue(text, start, start + len(written))
        candidates = gaz.spelled_like(written, countries)
        wanted = [p for p in candidates if cue == "admin" and p.kind in ADMIN_KINDS or cue == "town"
                  and p.kind == "city" or not cue and p.kind == "city" and (
                      p.population >= BIG_CITY or candidates[0].kind == "admin2")]
        found[written] = (wanted or candidates or [None])[0]
    return found[written]


_SETTLEMENT = r"village|hamlet|town|settlement|community|camp"
# an unknown name in a town slot: "in X", "near X", "the village of X"
_TOWN_SLOT = re.compile(rf"\b(?:in|at|near|outside|(?:{_SETTLEMENT})\s+of)\s+({_SLOT_WORDS})\b")
# what lies between it and the area written next to it: "X, Y district", "X in Y district", "X, a village in the Y
# district", "X, located in Y"
_AREA_GAP = re.compile(rf",?\s+(?:(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:{_SETTLEMENT})\s+)?(?:(?:located|situated)\s+)?"
                       rf"(?:in|of)\s+(?:the\s+)?|,\s+")
AREA_GAP_CHARS = 45
# where the story later says the settlement lies: "The village, in the Y district, ...", "The village lies in Y"
_SETTLEMENT_LIES = re.compile(rf"\bThe\s+({_SETTLEMENT})(?:,\s+|\s+(?:is|lies|was)\s+)(?:(?:located|situated)\s+)?"
                              r"in\s+(?:the\s+)?")


_INSTITUTION_WORDS = _ORG_HEADS | frozenset("Stadium Airport Prison Mosque Temple Market Hotel Station Base Camp Hall "
                                            "Police Army Ministry Council Party Company Group".split())


def _settlements_in_areas(mentions: list[PlaceMention], text: str, gaz: Gazetteer) -> list[PlaceMention]:
    """A settlement the gazetteer does not know, named next to the district holding it ("near X in Y district", "the
    village of X, Y province" where provinces are second-level areas), or of which the story says later where it
    lies ("The village, in the Y district, ..."), stands for that area: the most precise place the story gives.

    Only second-level areas the story names are taken (a first-level area is too wide to place a village), and only
    for a name no place mention spans, that no place of the story's countries bears and that names no institution
    ("Aberystwyth University, in Wales")."""
    areas = {m.start: m for m in mentions if m.via == "name" and m.place.kind == "admin2"}
    if not areas:
        return mentions
    countries = {m.place.country for m in mentions if m.place.country}
    covered = _Spans(mentions)
    stop = _stoplist()
    added: list[PlaceMention] = []
    for match in _TOWN_SLOT.finditer(text):
        start, end, written = match.start(1), match.end(1), match.group(1)
        if covered.overlaps(start, end) or normalize(written.split()[0]) in _NOT_NAMES | _TITLES \
                or any(word in _INSTITUTION_WORDS for word in written.split()) \
                or written in stop or normalize(written) in stop \
                or any(p.country in countries for p in gaz.candidates(written)[:MAX_CANDIDATES]):
            continue
        area = None
        for gap in _AREA_GAP.finditer(text, end, min(len(text), end + AREA_GAP_CHARS)):
            if gap.start() != end:
                break
            area = areas.get(gap.end())
            break
        if area is None and " of" in match.group(0)[:-len(written)]:
            kind = match.group(0).split()[0].lower()
            for later in _SETTLEMENT_LIES.finditer(text, end):
                if later.group(1).lower() == kind and later.end() in areas:
                    area = areas[later.end()]
                    break
        if area is not None:
            added.append(PlaceMention(start, end, written, area.place, "name"))
    if not added:
        return mentions
    return sorted([*mentions, *added], key=lambda m: m.start)


_KIND_WORDS = frozenset(w for w in (_AREA_WORDS + "|" + _TOWN_WORDS + "|area").split("|"))


# --------------------------------------------------------------------------------------------------- API

_DEFAULT: Gazetteer | None = None


def default_gazetteer() -> Gazetteer:
    """The default gazetteer, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Gazetteer.load()
    return _DEFAULT


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[PlaceMention]:
    """Toponyms (``via="name"``) and demonyms (``via="demonym"``) of ``text``, each resolved to one place,
    in text order; ``text[m.start:m.end] == m.text``."""
    gaz = gazetteer or default_gazetteer()
    if not text:
        return []
    spans = _recognise(text, gaz)
    mentions = _settlements_in_areas(_other_spellings(_resolve(spans, gaz, text), text, gaz), text, gaz)
    return _with_the_capital(_compass_parts(mentions, text, gaz), text, gaz)


def resolve_place(name: str, context_countries: Iterable[str] = (), gazetteer: Gazetteer | None = None) -> Place | None:
    """Best place for one name (a toponym or a demonym), preferring the given ISO country codes."""
    gaz = gazetteer or default_gazetteer()
    name = name.strip()
    if not name:
        return None
    target = _demonyms().get(name)
    if target:
        return _demonym_place(target, gaz)
    entries = gaz.entries(name)
    if not entries:
        return None
    wanted = {c.upper() for c in context_countries}

    def score(entry: int) -> float:
        return _score(gaz, entry, Counter(), Counter()) + (3.0 if gaz.place(entry >> 1).country in wanted else 0.0)

    best = max(entries[:MAX_CANDIDATES], key=score)
    return gaz.place(best >> 1)
