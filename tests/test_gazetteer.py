"""The offline gazetteer: records, lookups, the index against its sources, and the optional online geocoder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from events import gazetteer as gz
from events.gazetteer import Gazetteer, OnlineGeocoder, Place


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_place_is_a_frozen_record(gaz):
    place = gaz.candidates("Nairobi")[0]
    assert isinstance(place, Place)
    assert (place.country, place.kind) == ("KE", "city")
    assert place.population > 1_000_000
    with pytest.raises(AttributeError):
        place.name = "x"  # type: ignore[misc]


def test_candidates_best_first_and_case_insensitive(gaz):
    paris = gaz.candidates("Paris")
    assert paris[0].country == "FR" and len(paris) > 5
    assert gaz.candidates("paris")[0] == paris[0]
    assert gaz.candidates("Nowhere-At-All-Xyz") == []


def test_alternate_names_and_short_forms(gaz):
    assert gaz.candidates("U.S.")[0].country == "US"
    assert gaz.candidates("Britain")[0].country == "GB"
    assert gaz.candidates("Bayji")[0].country == "IQ"  # GeoNames spelling of Baiji
    assert gaz.candidates("Baiji")[0].country == "IQ"
    assert gaz.candidates("Kobani")[0].country == "SY"
    # alternate names in other scripts and IATA-like codes are filtered out
    assert all(gz.is_latin_name(n) for n in ["Sharm el-Sheikh", "Ayn al Arab", "Kobanî"])
    assert not any(gz.is_latin_name(n) for n in ["LHR", "بيروت", "Москва", "10th District"])


def test_admin1_areas_and_abbreviations(gaz):
    texas = next(p for p in gaz.candidates("Texas") if p.kind == "admin1")
    assert texas.country == "US" and 28 < texas.lat < 34 and -103 < texas.lon < -95
    assert gaz.candidates("Ky.")[0].name == "Kentucky"
    assert gaz.candidates("B.C.")[0].name == "British Columbia"
    sindh = gaz.candidates("Sindh")[0]
    assert (sindh.kind, sindh.country) == ("admin1", "PK")


def test_countries_continents_and_get(gaz):
    kenya = gaz.country_place("ke")
    assert kenya is not None and kenya.kind == "country" and kenya.name == "Kenya"
    assert gaz.get(kenya.geonameid) == kenya
    assert gaz.get("not-an-id") is None
    assert gaz.candidates("Africa")[0].kind == "continent"


def test_search_for_a_place_picker(gaz):
    found = gaz.search("Nair", limit=5)
    assert found and found[0].name == "Nairobi"
    assert len(gaz.search("San", limit=7)) == 7
    assert gaz.search("") == []


def test_every_additions_row_has_a_source_and_loads(gaz):
    rows = gz.read_additions()
    assert len(rows) >= 60
    kinds = {row["kind"] for row in rows}
    assert {"region", "landmark"} <= kinds
    for row in rows:
        assert row["source"].strip(), row["name"]
        assert row["kind"] in gz.KINDS
        assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180
        found = [p for p in gaz.candidates(row["name"]) if p.kind == row["kind"]]
        assert any(abs(p.lat - float(row["lat"])) < 1e-6 and abs(p.lon - float(row["lon"])) < 1e-6 for p in found), row["name"]
        for alt in filter(None, row["alternate_names"].split("|")):
            assert any(p.name == row["name"] for p in gaz.candidates(alt)), alt


def test_index_matches_its_sources(gaz):
    """The pickle is keyed by the sources' hash, and every reference row is in it."""
    assert list(gz.settings.cache_dir().glob(f"gazetteer-{gz.sources_hash()}.pickle"))
    with gz.COUNTRIES_CSV.open(encoding="utf-8") as fh:
        countries = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    for row in countries:
        place = gaz.country_place(row["iso2"])
        assert place is not None, row["iso2"]
        assert (round(place.lat, 4), round(place.lon, 4)) == (round(float(row["lat"]), 4), round(float(row["lon"]), 4))
        assert row["source"]
    with gz.ADMIN1_CSV.open(encoding="utf-8") as fh:
        admin1 = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    for row in admin1[::50]:
        assert any(p.kind == "admin1" and p.country == row["country"] for p in gaz.candidates(row["name"])), row


def test_editing_a_source_changes_the_cache_key(tmp_path, monkeypatch):
    before = gz.sources_hash()
    edited = tmp_path / "additions.csv"
    edited.write_text(gz.ADDITIONS_CSV.read_text(encoding="utf-8") + "Test Place,,1,1,KE,,landmark,0,,test\n", encoding="utf-8")
    monkeypatch.setattr(gz, "ADDITIONS_CSV", edited)
    assert gz.sources_hash() != before


def test_warm_load_reads_the_cache_without_building(gaz, monkeypatch):
    """A second load must come from the cached index (its speed is measured in bench/, not here)."""
    import events.gazetteer as gazetteer_module

    def no_build():
        raise AssertionError("the index was rebuilt although the cache holds it")

    monkeypatch.setattr(gazetteer_module, "build_index", no_build)
    assert len(Gazetteer.load()) == len(gaz)


class _FakeLocation:
    def __init__(self, address: str, latitude: float, longitude: float) -> None:
        self.address, self.latitude, self.longitude = address, latitude, longitude


class _FakeGeocoder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def geocode(self, query: str, exactly_one: bool = True):
        self.calls.append(query)
        return _FakeLocation("Lodwar, Turkana, Kenya", 3.119, 35.597) if query == "Lodwar" else None


def test_online_geocoder_caches_on_disk(tmp_path: Path):
    fake = _FakeGeocoder()
    online = OnlineGeocoder(fake, tmp_path / "geo.json", min_delay_seconds=0)
    place = online.geocode("Lodwar")
    assert place is not None and place.name == "Lodwar" and abs(place.lat - 3.119) < 1e-9
    assert online.geocode("Lodwar") == place
    assert online.geocode("Atlantis") is None
    assert fake.calls == ["Lodwar", "Atlantis"]
    again = OnlineGeocoder(_FakeGeocoder(), tmp_path / "geo.json", min_delay_seconds=0)
    assert again.geocode("Lodwar") == place  # served from the disk cache


def test_online_geocoder_is_off_by_default(monkeypatch):
    monkeypatch.delenv("ATLAS_ONLINE_GEOCODER", raising=False)
    assert OnlineGeocoder.from_settings() is None


def test_every_sampled_admin2_row_loads_under_its_admin1(gaz):
    with gz.ADMIN2_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(rows) > 20_000
    for row in rows[::400]:
        assert any(p.kind == "admin2" and p.country == row["country"] and p.admin1 == row["admin1"]
                   for p in gaz.candidates(row["name"])), row
    assert gz.admin2_short_forms("Kandahar District") == ["Kandahar"]
    assert gz.admin2_short_forms("Scott County") == []


def test_a_district_without_a_cities500_town_has_a_point():
    """Issue 9: a department that holds no GeoNames cities500 town used to be unknown, so the story fell back to a
    region or country hundreds of km off; its point now comes from the country_state_city package's places."""
    from events.places import find_places

    text = "Gunmen killed three herders in Mayo-Louti department, northern Cameroon, on 12 May 2016."
    found = {m.text: m.place for m in find_places(text)}
    assert found["Mayo-Louti"].kind == "admin2" and found["Mayo-Louti"].country == "CM"
    assert abs(found["Mayo-Louti"].lat - 10.0) < 0.5 and abs(found["Mayo-Louti"].lon - 13.7) < 0.5


def test_a_district_outlined_only_by_geoboundaries_has_a_point():
    """A territory or district that neither holds a cities500 town nor appears in country_state_city (a fifth of the
    DR Congo's territories, Afghan districts) takes the centroid of its geoBoundaries shape."""
    from events.places import find_places

    text = ("Militiamen attacked a convoy near Kwamouth, in Mai-Ndombe province, Democratic Republic of Congo, "
            "on 3 March 2019. "
            "Separately, a roadside bomb hit a police post in Sholgara district of Balkh province, Afghanistan.")
    found = {m.text: m.place for m in find_places(text)}
    assert found["Kwamouth"].kind == "admin2" and found["Kwamouth"].country == "CD"
    assert abs(found["Kwamouth"].lat + 3.5) < 1.0 and abs(found["Kwamouth"].lon - 16.5) < 1.0
    assert found["Sholgara"].kind == "admin2" and found["Sholgara"].country == "AF"
    assert abs(found["Sholgara"].lat - 36.3) < 0.5 and abs(found["Sholgara"].lon - 66.9) < 0.5


def test_country_names_resolve_without_ambiguous_alternates():
    codes = gz._country_codes_by_name()
    assert codes["democratic republic of the congo"] == "CD" and codes["republic of the congo"] == "CG"
    assert "congo" not in codes  # "Congo" ends the Republic of the Congo's name: no guess
    assert codes["ivory coast"] == "CI"


def test_admin2_points_say_where_they_come_from():
    with gz.ADMIN2_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert {row["point"] for row in rows} == {"towns", "country_state_city", "geoboundaries"}
    outlined = [row for row in rows if row["point"] == "geoboundaries"]
    assert len(outlined) > 1000 and all(row["population"] == "0" for row in outlined)
    borrowed = [row for row in rows if row["point"] == "country_state_city"]
    assert len(borrowed) > 1000 and all(row["population"] == "0" for row in borrowed)
    # Jamaica's second level lists communities, not districts: none without a town is taken ("Mount Pleasant").
    assert not [row for row in borrowed if row["country"] == "JM"]
    assert gz._area_name_forms("Circunscrição de Mecula") == {"circunscricao de mecula", "mecula"}
    assert gz._area_name_forms("Tell Abyad District") == {"tell abyad district", "tell abyad"}


def test_every_admin1_news_name_has_a_source_and_answers_for_its_area(gaz):
    with gz.ADMIN1_NEWS_NAMES_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert rows
    for row in rows:
        assert row["source"].startswith(("Wikipedia: ", "GeoNames admin1 ")), row
        for name in row["names"].split("|"):
            assert any(p.kind == "admin1" and (p.country, p.name) == (row["country"], row["admin1"])
                       for p in gaz.candidates(name)), (row["admin1"], name)


def test_arabic_bare_forms_drop_the_article_and_the_final_h():
    assert gz.arabic_bare_forms("Aş Şuwayrah") == ["suwayrah", "suwayra"]
    assert gz.arabic_bare_forms("Ad Dīwānīyah") == ["diwaniyah", "diwaniya"]
    assert gz.arabic_bare_forms("Karbala") == []
    assert gz.arabic_bare_forms("Al Bab") == []  # too short a name left without its article


def test_a_district_named_after_its_seat_points_at_the_seat():
    """Issue 9: 'X district' where X is also the district's seat town was placed at the middle of the district's
    towns, tens of km from the seat that news about the district mostly tells of; it now points at the same-named
    town of its first-level area (and stays a district). A small namesake town of a big province is no seat."""
    from events.places import find_places

    text = "A bus fell into a canal in Tumkur district of Karnataka on 4 June 2012, killing nine passengers."
    found = {m.text: m.place for m in find_places(text)}
    town = next(p for p in gz.Gazetteer.load().candidates("Tumkur") if p.kind == "city")
    assert found["Tumkur"].kind == "admin2"
    assert (found["Tumkur"].lat, found["Tumkur"].lon) == (town.lat, town.lon)
    with gz.ADMIN2_CSV.open(encoding="utf-8") as fh:
        rows = {(r["country"], r["name"]): r for r in csv.DictReader(line for line in fh if not line.startswith("#"))}
    assert abs(float(rows[("IN", "Tumkur")]["lat"]) - town.lat) > 0.2  # the table's own point is elsewhere
    quezon = next(p for p in gz.Gazetteer.load().candidates("Quezon") if p.kind == "admin2")
    assert (quezon.lat, quezon.lon) == tuple(float(rows[("PH", "Quezon")][k]) for k in ("lat", "lon"))


def test_a_first_level_area_without_a_town_is_known():
    """South Sudan's and Chad's states that hold no cities500 town were unknown: the story fell back to the
    country, hundreds of km off. Their GeoNames rows now carry the country_state_city package's state point."""
    from events.places import find_places

    text = ("Cattle raiders killed 14 herders in Western Bahr el Ghazal on 5 August 2011, and a bomb hit a market "
            "in the Lac region of Chad the same week.")
    found = {m.text: m.place for m in find_places(text)}
    west = found["Western Bahr el Ghazal"]
    assert west.kind == "admin1" and west.country == "SS"
    assert abs(west.lat - 8.6) < 1.5 and abs(west.lon - 25.3) < 1.5
    assert found["Lac"].kind == "admin1" and found["Lac"].country == "TD"


def test_admin1_rows_from_a_package_name_their_source(gaz):
    rows = [row for row in gz.read_additions() if row["kind"] == "admin1"]
    assert len(rows) > 40 and all("country_state_city" in row["source"] and row["geonameid"] for row in rows)
    assert not {row["name"].casefold() for row in rows} & gz.ADMIN1_NOUN_NAMES


def test_islands_load_as_areas_sized_by_their_extent(gaz):
    # a large island is a first-level-like area (precision admin1, not a point); a small one a district-like area
    halmahera = gaz.candidates("Halmahera")[0]
    assert (halmahera.kind, halmahera.country) == ("admin1", "ID") and gaz.island_km(halmahera) > 50
    assert abs(halmahera.lat - 0.9) < 1.0 and abs(halmahera.lon - 128.0) < 1.0
    bornholm = gaz.candidates("Bornholm")[0]
    assert (bornholm.kind, bornholm.country) == ("admin2", "DK")
    assert gaz.island_km(gaz.candidates("Kandahar")[0]) == 0.0  # not an island
    rows = gz._read_csv(gz.ISLANDS_CSV)
    assert rows and all(row["source"] and row["kind"] in ("island", "region") for row in rows)
    assert len({gz.island_id(row["country"], row["name"]) for row in rows}) == len(rows)
    assert all(-180 <= float(row["lon"]) <= 180 and -90 <= float(row["lat"]) <= 90 for row in rows)


def test_an_island_answers_to_the_english_name_news_uses(gaz):
    # worldHires writes Suqutra and Majorca; news writes Socotra and Mallorca
    for name, country in (("Socotra", "YE"), ("Mallorca", "ES"), ("Suqutra", "YE")):
        place = gaz.candidates(name)[0]
        assert (place.kind, place.country) == ("admin1", country), name


def test_an_island_named_like_a_word_or_a_town_keeps_its_island_word(gaz):
    # English names with "Island" (Banks, Wake, King) and one-word names that are words or persons' names answer
    # only with the island word; a real town keeps its name
    assert gaz.candidates("Banks Island")[0].kind == "admin1"
    for word in ("Banks", "Wake", "King", "Ross", "Pentecost", "Mainland"):
        assert not any(p.geonameid.startswith("x:island-") for p in gaz.candidates(word)), word
    assert gaz.candidates("Rota")[0].kind == "city"


def test_island_names_and_centroids():
    assert gz.island_bare_form("Wake Island") == "Wake"
    assert gz.island_bare_form("Isla Orchila") == "Orchila"
    assert gz.island_bare_form("Ostrov Paramushir") == "Paramushir"
    assert gz.island_bare_form("Luzon") == ""
    # a 1-degree square at the equator: centre and about 12,360 km2
    lat, lon, area = gz._ring_centroid([(10.0, 0.0), (11.0, 0.0), (11.0, 1.0), (10.0, 1.0)])
    assert abs(lat - 0.5) < 1e-6 and abs(lon - 10.5) < 1e-6 and 12_000 < area < 12_700


def test_the_mapdata_binary_database_is_read(tmp_path):
    # a hand-made two-line database in the maps package's format: one square polygon of two lines, the second
    # read backwards, bordering the sea (polygon 0)
    import math
    import struct

    rad = [(math.radians(x), math.radians(y)) for x, y in ((20, 5), (21, 5), (21, 6), (20, 6))]
    first, second = [rad[0], rad[1], rad[2]], [rad[0], rad[3], rad[2]]  # the second runs 0 -> 3 -> 2
    header = 8 + 28 * 2
    body = b"".join(struct.pack("<2f", *p) for p in first + second)
    lines = struct.pack("<ii", 2, 2)
    lines += struct.pack("<iHHHH4f", header, 3, 1, 0, 0, 0, 0, 0, 0)
    lines += struct.pack("<iHHHH4f", header + 24, 3, 0, 1, 0, 0, 0, 0, 0)
    (tmp_path / "worldHires.L").write_bytes(lines + body)
    box = [math.radians(v) for v in (20, 5, 21, 6)]
    g = struct.pack("<H", 1) + struct.pack("<iHH4f", 2 + 24, 2, 0, *box) + struct.pack("<2i", 1, -2)
    (tmp_path / "worldHires.G").write_bytes(g)
    (tmp_path / "worldHires.N").write_text("Somewhere:Test Isle\t1\n", encoding="latin-1")
    [(name, ring, all_coast, (west, south, east, north))] = gz._mapdata_polygons(tmp_path)
    assert name == "Somewhere:Test Isle" and all_coast
    assert (round(west), round(south), round(east), round(north)) == (20, 5, 21, 6)
    lat, lon, _area = gz._ring_centroid(ring)
    assert abs(lat - 5.5) < 0.01 and abs(lon - 20.5) < 0.01


def test_settlement_files_are_sorted_by_normalised_name_for_bisection():
    # _local_settlements bisects each file's lines on the normalised name: a file out of that order loses rows
    for path in sorted(gz.LOCAL_SETTLEMENTS_DIR.glob("*.csv")):
        columns, lines = gz._local_settlement_lines(path.stem, path.parent)
        keys = [gz._settlement_key(line, columns[0]) for line in lines]
        assert keys == sorted(keys), path.name


def test_the_settlements_of_a_name_are_all_its_rows_in_file_order(tmp_path):
    (tmp_path / "ZZ.csv").write_text(
        "# a note\nname,lat,lon,country,admin1,admin2,source\nAbaca,0.5,1.5,ZZ,A,B,s\n\u00c1baco,1.0,2.0,ZZ,A,B,s\n"
        "abaco,1.5,2.5,ZZ,A,C,s\nAbacus,3,4,ZZ,A,B,s\n\"Bar, Upper\",5,6,ZZ,C,D,s\n", encoding="utf-8")
    assert gz._local_settlements("ZZ", "abaco", tmp_path) == [("\u00c1baco", 1.0, 2.0, "A", "B"),
                                                              ("abaco", 1.5, 2.5, "A", "C")]
    assert gz._local_settlements("ZZ", "bar, upper", tmp_path) == [("Bar, Upper", 5.0, 6.0, "C", "D")]
    assert gz._local_settlements("ZZ", "abac", tmp_path) == [] and gz._local_settlements("QQ", "abaco", tmp_path) == []
