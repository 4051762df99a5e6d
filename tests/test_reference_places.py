"""Where an incident happened when a story names it by a reference: a distance from a town, a bordering town
(texts written for the test, about other places and years than the benchmark stories)."""

from datetime import date

import pytest

from events.corpus import Corpus, Document
from events.pipeline import extract_corpus


def doc(doc_id, text, published):
    return Document(doc_id=doc_id, path=f"{doc_id}.txt", text=text, title=text.splitlines()[0], published=published,
                    date_source="manifest", sha256=doc_id)


def table(*docs):
    return extract_corpus(Corpus(root="mem", documents=list(docs)), workers=1, use_cache=False)


def test_a_named_town_before_its_measure_from_the_capital_is_the_place():
    """'Ayorou, a market town 200 km north-west of the capital Niamey, was attacked': the measure says where the
    named town lies; the town is the place, neither the capital nor a point measured from it."""
    text = ("Villagers killed in Niger\n\nAyorou, a market town 200 kilometres north-west of the capital Niamey, was "
            "attacked by gunmen on Sunday, and 14 villagers were killed, officials said.\n")
    rows = table(doc("ne", text, date(2021, 3, 16))).incidents
    assert list(rows["place"]) == ["Ayorou"], rows[["title", "start", "place"]]


@pytest.mark.parametrize("where", [
    "in Tagaza, a village about 120 km east of the capital, Niamey",
    "in Tagaza, 120 km east of Tillaberi region capital Niamey",
])
def test_an_unknown_village_measured_from_the_capital_is_the_measured_point(where):
    """'a village about 120 km east of the capital, Niamey', 'east of X region capital Y': the point measured from
    the capital (written after a comma or after its region's name), not the capital."""
    text = f"Soldiers killed in Niger\n\nRebels attacked an army post on Monday {where}, killing seven soldiers.\n"
    rows = table(doc("ne2", text, date(2017, 6, 21))).incidents
    assert len(rows) == 1 and rows.iloc[0]["place"] != "Niamey", rows[["title", "start", "place"]]
    assert abs(rows.iloc[0]["lon"] - (2.1098 + 120 / (111.2 * 0.975))) < 0.1, rows[["title", "place", "lon"]]


def test_a_district_too_far_from_the_capital_to_measure_is_in_that_part_of_the_country():
    """'in a remote district about 900 kilometres east of the capital Niamey': too far for a point, it still tells
    the part of the country; the capital, the reference point, is never the place."""
    text = ("Soldiers killed in Niger\n\nRebels attacked an army post on Monday in Gadabeji district, about 900 "
            "kilometres east of the capital Niamey, killing seven soldiers.\n")
    rows = table(doc("ne3", text, date(2017, 6, 21))).incidents
    assert len(rows) == 1 and rows.iloc[0]["place_precision"] == "region" and rows.iloc[0]["lon"] > 6, \
        rows[["title", "start", "place", "lon"]]


def test_the_district_bordering_a_town_is_no_part_of_it():
    """'opened fire near Kanak in Mastung district, bordering Quetta': the bordering city is a reference, not the
    place, and it does not make the district a mere area around it."""
    text = ("Bus attacked in Pakistan\n\nGunmen stopped a bus on Tuesday and opened fire on it near Kanak in Mastung "
            "district, bordering Quetta, killing four passengers.\n")
    rows = table(doc("pk_bus", text, date(2015, 7, 8))).incidents
    assert list(rows["place"]) == ["Mastung District"], rows[["title", "place"]]


def test_a_place_that_has_been_the_frequent_scene_of_bombings_reports_no_incident():
    """'Quetta ... has been the frequent scene of bombings in the past year': the city's history, not an incident."""
    text = ("Market bomb in Pakistan\n\nA bomb in a crowded market killed nine people in Quetta on Friday, police "
            "said. Quetta, a city of 1 million residents, 700 km south-west of the capital, has been the frequent "
            "scene of bombings in the past year.\n")
    rows = table(doc("pk", text, date(2013, 4, 27))).incidents
    assert list(rows["start"]) == ["2013-04-26"], rows[["title", "start", "end", "place"]]


def test_a_short_word_that_only_spells_a_big_foreign_city_otherwise_places_nothing():
    """'shelled Ta' in a story about Myanmar: 'Ta' is another spelling of a big Chinese city, which only a city's
    own name makes a place any story may name."""
    text = ("Villages shelled in Myanmar\n\nMyanmar's army shelled villages near Paletwa in Rakhine state on Monday, "
            "killing six civilians, residents said. Burmese troops also shelled Ta on Tuesday, killing two, a "
            "lawmaker from Paletwa said.\n")
    rows = table(doc("mm", text, date(2019, 7, 9))).incidents
    assert set(rows["country"]) == {"MM"}, rows[["title", "start", "place"]]


@pytest.mark.parametrize("since", ["the France-led intervention", "the U.S.-backed operation in the north"])
def test_a_country_that_led_or_backed_an_operation_is_not_where_an_attack_was(since):
    """'the worst attack since the France-led intervention': who led or backed it, not where the attack was."""
    text = (f"Soldiers killed in Mali\n\nInsurgents killed 11 Malian soldiers on Sunday in an attack that officials "
            f"called the worst since {since}.\n")
    rows = table(doc("ml", text, date(2019, 7, 9))).incidents
    assert set(rows["country"]) == {"ML"}, rows[["title", "start", "place"]]


def test_a_far_measure_from_a_town_at_one_end_of_a_country_names_no_part_at_the_other():
    """'about 480 km west of Guwahati' lies in the east of India, not in its west: a far measure gives the country's
    part only where the measured point lies in that part."""
    text = ("Trains collide in India\n\nTwo trains collided on Monday at a small station about 480 km west of "
            "Guwahati, killing 40 people.\n")
    rows = table(doc("in", text, date(2011, 8, 2))).incidents
    assert "western India" not in set(rows["place"]) and "Guwahati" not in set(rows["place"]), \
        rows[["title", "start", "place"]]


def test_a_place_in_an_office_holders_title_is_whose_office_not_where():
    """'Baringo county MP X condemned the attack': the MP's constituency, not where the attack was."""
    text = ("Herders killed in Kenya\n\nBandits killed seven herders near Lokori on Sunday, police said. Baringo county "
            "MP Joseph Makilap condemned the attack on Monday.\n")
    rows = table(doc("ke_mp", text, date(2015, 7, 8))).incidents
    assert len(rows) == 1 and "Baringo" not in set(rows["place"]), rows[["title", "start", "place"]]


@pytest.mark.parametrize("after", ["capital of the department of the same name", "the departmental capital"])
def test_a_name_followed_by_capital_is_the_town_not_the_area_of_its_name(after):
    """'in Arauca, capital of the department of the same name': the town, not the department."""
    from events.places import find_places

    text = f"Market bombed in Colombia\n\nOn Tuesday a bomb wounded 15 people in Arauca, {after}, police said.\n"
    found = {p.text: p.place for p in find_places(text)}
    assert found["Arauca"].kind == "city", found


def test_the_capital_of_a_region_or_people_is_not_the_nations():
    """'the Tibetan capital' in a story about China is not Beijing; 'the Chinese capital' is."""
    from events.places import find_places

    text = ("Blast in China\n\nA bomb exploded at a market in the Tibetan capital on Monday, killing three people, "
            "Chinese state media said. Officials in the Chinese capital condemned the attack.\n")
    found = {p.text: p.place.name for p in find_places(text) if "capital" in p.text}
    assert found == {"the Chinese capital": "Beijing"}, found


def test_this_town_measured_from_the_capital_is_the_dateline_town_the_gazetteer_lacks():
    """'TIGUELENI, Mali (AP) - ... in this town 80 miles north of the capital': the dateline's town, unknown to the
    gazetteer, is the measured point, and the story's incident happened there (not merely in Mali)."""
    text = ("Gunmen kill nine in Mali market town\n\nTIGUELENI, Mali (AP) - Gunmen on motorcycles opened fire on a "
            "crowded market early yesterday, killing nine people, officials said.\n\nThe government has sent more "
            "troops to the region this year. Many traders come from Segou and Mopti.\n\nTraders had gathered at dawn "
            "in this town 80 miles north of the capital, residents said.\n")
    rows = table(doc("ml_ap", text, date(2016, 3, 9))).incidents
    assert len(rows) == 1 and rows.iloc[0]["place_precision"] == "city" and rows.iloc[0]["lat"] > 13.5, \
        rows[["title", "start", "place", "lat"]]


def test_the_one_point_a_story_measures_places_its_incident_told_only_by_country():
    """'A cargo plane that crashed in Angola ... Villagers found the wreckage 30 km north of Lobito': the story's one
    measured point is the site of its news, which its clauses place only at the country."""
    text = ("Cargo plane crash in Angola\n\nA cargo plane that crashed in Angola on Friday has been found in a forest, "
            "and officials say none of the six crew survived.\n\nThe plane had left Luanda for Lubumbashi in heavy "
            "rain.\n\nVillagers found the wreckage 30 km (19 miles) north of Lobito.\n")
    rows = table(doc("ao", text, date(2012, 6, 11))).incidents
    assert list(rows["place"]) == ["30 km north of Lobito"], rows[["title", "start", "place"]]


def test_a_place_named_by_its_kind_before_says_is_where_not_who_speaks():
    """'Reports from the northern Cameroonian town of Mora says 12 villagers were killed': the reports speak; the
    town is where (a bare 'Mora says' would be who)."""
    text = ("Raid in Cameroon\n\nReports from the northern Cameroonian town of Mora says 12 villagers were killed in a "
            "night raid by militants.\n")
    rows = table(doc("cm", text, date(2015, 9, 14))).incidents
    assert list(rows["place"]) == ["Mora"], rows[["title", "start", "place"]]


@pytest.mark.parametrize("bearing, place", [("north", "Mardan"), ("south", "Peshawar")])
def test_a_bearing_toward_the_dateline_town_names_that_town(bearing, place):
    """'MARDAN, Pakistan (AP) - ... a funeral in a village north of Peshawar': the story's town lies that way from the
    reference, so the bearing names it; 'south of Peshawar' does not (the dateline town lies north)."""
    text = (f"Funeral bombed in Pakistan\n\nMARDAN, Pakistan (AP) - A suicide bomber struck a funeral in a village "
            f"{bearing} of Peshawar on Sunday, killing 14 mourners, police said.\n")
    rows = table(doc("pk", text, date(2012, 5, 7))).incidents
    assert list(rows["place"]) == [place], rows[["title", "start", "place"]]
