"""How one incident's figures from several sentences and stories become its figure, on texts written for the test."""

from datetime import date

import pytest

from events.casualties import incident_figure, story_figure
from events.corpus import Corpus, Document
from events.pipeline import extract_corpus


def doc(doc_id: str, text: str, published: date) -> Document:
    return Document(doc_id=doc_id, path=f"{doc_id}.txt", text=text, title=text.splitlines()[0], published=published,
                    date_source="manifest", sha256=doc_id)


def killed_of(*docs: Document, country: str) -> list[int]:
    rows = extract_corpus(Corpus(root="mem", documents=list(docs)), workers=1, use_cache=False).incidents
    return [int(k) for k in rows[(rows["country"] == country) & rows["killed"].notna()]["killed"]]


@pytest.mark.parametrize("reports,figure", [
    # the lead's toll, not a part told later nor another incident's toll the story recalls
    ([(0, 17, "", "A bomb killed 17 people."), (90, 3, "", "Three of the dead were police officers."),
      (200, 40, "", "It was the worst since a church attack in March, in which 40 people died.")], 17),
    # a vague headline gives way to the first exact figure
    ([(0, 24, "at least", "Bomb kills dozens"), (30, 31, "", "The bomb killed 31 people."),
      (99, 52, "", "Last week 52 people died in another blast.")], 31),
    # a toll that rose replaces the first report, the latest rise wins
    ([(0, 12, "", "killed 12 people"), (80, 15, "", "The death toll rose to 15."),
      (160, 19, "", "Hospital officials said the toll had climbed to 19 by evening.")], 19),
    ([(0, 6, "", "killed six people"), (50, 9, "", "Two more died in hospital, bringing the toll to nine.")], 9),
    # a total told after the incident's own figures sums them; one told before them is of something else
    ([(0, 1, "", "A guard was killed."), (40, 5, "", "In all, five people died in the raid.")], 5),
    ([(0, 30, "", "A total of 30 soldiers were killed in the attacks this year."),
      (70, 4, "", "Friday's ambush killed four soldiers.")], 4),
    # a figure summed over several places or attacks told first is no one place's toll
    ([(0, 40, "", "Shelling of three villages near Idlib killed 40 people on Monday."),
      (80, 22, "", "In Kafr Nabl, shells killed 22 people."), (140, 2, "", "Two of them were children.")], 22),
    # a count of killings told first ("four homicides in ten days") sums their victims: the incident's own figure wins
    ([(0, 4, "", "Four homicides in ten days have stretched the county's detectives"),
      (70, 1, "", "On May 4, a man was found dead in Rockport.")], 1),
    ([(0, 2, "", "Two fatal stabbings shook the suburb this month."),
      (60, 1, "", "A teenager was stabbed to death outside a bar on Sunday.")], 1),
    # only vague figures or only totals: the highest of them
    ([(0, 24, "at least", "kills dozens"), (9, 40, "at least", "kills scores")], 40),
])
def test_a_story_tells_its_lead_figure_unless_it_rose_or_was_summed(reports, figure):
    assert story_figure(reports) == figure
    assert story_figure(list(reversed(reports))) == figure  # the order is where in the story, not the list's


def test_each_story_tells_one_figure_and_the_incident_takes_the_highest_story():
    reports = [(1, "", "d1", 0, "A gunman killed a teacher."), (4, "", "d1", 50, "Four others were killed later."),
               (None, "", "d1", 90, "The school was closed."), (3, "", "d2", 0, "Three people were killed.")]
    assert incident_figure(reports) == (3, "", "1 (d1); 3 (d2); 4 (d1)")
    assert incident_figure([(20, "at least", "d1", 0, "killed at least 20")]) == (20, "at least", "at least 20 (d1)")
    assert incident_figure([(None, "", "d1", 0, "x")]) == (None, "", "")
    with pytest.raises(ValueError, match="no figure"):
        story_figure([])


def test_another_attacks_toll_recalled_in_the_story_is_not_the_incidents():
    text = ("Bomb kills dozens at market in Maiduguri\n\n"
            "A car bomb exploded at a crowded market in Maiduguri on Friday, killing 31 people, police said.\n"
            "The car bomb was the deadliest since a church bombing in Kano in April, in which 52 people died.\n")
    assert killed_of(doc("ng", text, date(2016, 6, 4)), country="NG")[:1] == [31]


def test_a_headline_count_of_killings_is_no_one_killings_toll():
    text = ("Two killings in four days in Lambton County worry police\n\n"
            "On May 3, a 68-year-old man was found dead in Petrolia and police ruled it a homicide.\n"
            "On May 6, a man was fatally stabbed in Sarnia.\n")
    assert 2 not in killed_of(doc("ca", text, date(2021, 5, 7)), country="CA")


def test_a_later_toll_rise_in_the_same_story_is_the_figure():
    text = ("Gunmen attack bus in Mandera\n\n"
            "Gunmen attacked a bus near Mandera on Saturday, killing 12 passengers, officials said.\n"
            "The death toll from the attack near Mandera rose to 19 after seven wounded passengers died.\n")
    assert 19 in killed_of(doc("ke", text, date(2014, 11, 23)), country="KE")


@pytest.mark.parametrize("text,killed", [
    # the part killed of a group, not the group
    ("Two of the three gunmen were killed in the shootout near Garissa.", 2),
    ("Four of the 30 people on board were killed when the ferry was shelled.", 4),
    ("Pirates boarded the trawler, killing 12 of the 40 crew members.", 12),
    ("Troops fired on the marchers and shot dead two of them.", 2),
    ("The 2023 raid claimed the lives of 11 of its fighters.", 11),
    # the whole when it is the dead: "of the 23 people killed", "of the 10 dead"
    ("Mourners in Jalalabad buried four of the 23 people killed in Friday's blast.", 23),
    ("Four of the 10 dead in the Lahore shelling were police officers.", 10),
    ("Six of the 31 people who were killed were children.", 31),
])
def test_a_part_of_a_group_is_its_toll_and_a_part_of_the_dead_is_not(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text, killed", [
    ("Villagers beat a man to death in Tando Adam on Monday, accusing him of theft.", 1),
    ("A mob stoned two women to death in Tando Adam on Monday.", 2),
    ("Gunmen opened fire on a trader and his nephew outside a shop in Tando Adam on Monday, killing both.", 2),
    ("Gunmen shot a trader and his nephew outside a shop in Tando Adam on Monday. Both were killed instantly.", 2),
])
def test_victims_told_by_how_they_died_or_as_both_are_counted(text, killed):
    from events.casualties import find_casualties, figure_starts

    assert find_casualties(text).killed == killed
    assert find_casualties(text, figure_starts(text)).killed == killed  # the prefiltered scan finds it too


def test_both_teams_beaten_is_no_toll():
    from events.casualties import find_casualties

    assert find_casualties("Both teams were beaten soundly in Tando Adam on Monday.").killed is None


@pytest.mark.parametrize("text,killed,qualifier", [
    ("The rebel leader was killed along with two other fighters near Tarija.", 3, ""),
    ("She was shot dead together with at least four of her bodyguards.", 5, "at least"),
    ("Twelve villagers were killed along with two others.", 12, ""),  # a plural subject counts itself
])
def test_one_killed_along_with_others_counts_them_all(text, killed, qualifier):
    from events.casualties import find_casualties

    figures = find_casualties(text)
    assert (figures.killed, figures.killed_qualifier) == (killed, qualifier)


@pytest.mark.parametrize("text,killed", [
    ("Two officers were hit in the raid; inspectors Tanui and Wekesa died in hospital in Garissa.", 2),
    ("Constables Juma Ali, Peter Otieno and Hassan Mwangi were killed in the ambush near Garissa.", 3),
    ("Officers Smith and Jones arrested him near Leeds.", None),  # named, but nobody died
    ("Soldiers Kabila and Ntumba were wounded at Bunia.", None),
])
def test_victims_named_after_their_plural_role_count_one_each(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text,killed", [
    ("Officials later confirmed that a sailor who was aboard the frigate was killed in the strikes off Mukalla.", 1),
    ("One guard who had been on duty at the gate in Jos was shot dead.", 1),
    ("A man who was in the crowd in Kano was arrested.", None),
])
def test_one_victim_with_a_relative_clause_before_the_verb(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text, killed", [
    ("Police said they found 12 bullet-riddled bodies on a road outside Tikrit on Monday.", 12),
    ("Villagers found the bodies of four shepherds in a ravine near Tikrit.", 4),
    ("Nine bodies were found in an orchard south of Tikrit, police said.", 9),
])
def test_bodies_found_are_the_dead_found(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text, killed", [
    ("A grenade exploded beside the guard in Arusha on Friday, killing him instantly.", 1),
    ("Gunmen shot at the magistrate outside her house in Arusha, killing her.", 1),
    ("The bomber blew himself up in Arusha, killing himself.", None),  # the attacker, not a victim
])
def test_one_victim_told_by_a_pronoun_after_the_verb(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text, killed", [
    ("A police inspector died on Monday when a bomb went off under his car in Mombasa.", 1),
    ("Two army sergeants were killed and a corporal was wounded in Mombasa.", 2),
])
def test_ranks_of_police_and_army_are_victims(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text, killed, qualifier", [
    # a dozen is a number: "a dozen", "two dozen", "half a dozen" ("dozens" stays a vague plural)
    ("Gunmen raided the cattle market in Maroua in 2014, leaving at least a dozen traders dead.", 12, "at least"),
    ("Two dozen miners died when the shaft flooded near Oruro.", 24, ""),
    ("Half a dozen guards were killed at the depot outside Tete.", 6, ""),
    # the whole the victims belonged to, told after them
    ("Nine members of one family were killed when a shell hit their house in Gao.", 9, ""),
    ("At least four members of a demining team were killed near Mopti on Sunday.", 4, "at least"),
    # to die takes no object: whoever is counted before it died, whatever the noun
    ("Seven herdsmen died in the clashes near Maroua overnight.", 7, ""),
    ("At least 13 Bolivians perished when the bus plunged off the road near Oruro.", 13, "at least"),
    # a list goes on after a part told with "including": "eleven soldiers, including a captain, and a civilian"
    ("Eight soldiers, including a major, and a nurse were killed in the ambush near Pemba.", 9, ""),
    # "brought to 11 the total number": a toll told before the noun it counts
    ("Two more deaths in hospital brought to 14 the total number of people killed in the Tete blasts.", 14, ""),
])
def test_figures_told_in_words_and_wholes_are_read(text, killed, qualifier):
    from events.casualties import find_casualties, figure_starts

    for starts in (None, figure_starts(text)):
        figures = find_casualties(text, starts)
        assert (figures.killed, figures.killed_qualifier) == (killed, qualifier)


@pytest.mark.parametrize("text", [
    "In all 40 people were killed or injured in the stampede in Gao.",
    "The blast in Maroua left 25 people dead or wounded.",
    "Thirty miners are dead or missing after the collapse near Oruro.",
])
def test_the_dead_counted_with_the_hurt_or_missing_is_no_toll(text):
    from events.casualties import find_casualties

    assert find_casualties(text).killed is None


@pytest.mark.parametrize("reports, figure", [
    # a toll over a period (since a campaign began, over days of shelling, so far this year) gives way to the day's
    ([(0, 19, "at least", "Troops shelled Gao on Wednesday as the toll from three days of bombardment rose to 19."),
      (200, 5, "at least", "At least five civilians were killed in Wednesday's shelling.")], 5),
    ([(0, 12, "", "Rebels attacked two villages near Pemba, killing 12 people."),
      (300, 1500, "up to", "Up to 1,500 people have been killed since the insurgency began in 2017.")], 12),
    ([(0, 9, "", "A bomb killed nine people in Maroua on Friday."),
      (90, 310, "", "More than 310 people have died so far this year in the region.")], 9),
    # a period's toll is the story's figure when it tells no other
    ([(0, 310, "", "More than 310 people have died so far this year in the region.")], 310),
])
def test_a_toll_over_a_period_is_not_the_incidents(reports, figure):
    assert story_figure(reports) == figure


@pytest.mark.parametrize("reports, figure", [
    # a headline's figure gives way to the lead's told right after it (the lead is written in full, and later)
    ([(0, 8, "", "Eight killed, governor hurt in blast at Tete rally"),
      (47, 13, "at least", "A bomb tore through a rally in Tete on Sunday, killing at least 13 people.")], 13),
    # ... but not to a part told far into the story, and a headline that is a full sentence is the lead itself
    ([(0, 8, "", "Eight killed in blast at Tete rally"),
      (900, 2, "", "Two of the dead were police officers.")], 8),
    ([(0, 8, "", "A bomb killed eight people at a rally in Tete on Sunday."),
      (60, 13, "", "The bomb killed 13 people, officials said later.")], 8),
])
def test_the_lead_tells_the_figure_over_its_headline(reports, figure):
    assert story_figure(reports) == figure


@pytest.mark.parametrize("text, killed", [
    # a part of the group told dead
    ("Two of the hostages were killed when troops stormed the farm near Tete.", 2),
    ("Three of the miners died before rescuers reached them near Oruro.", 3),
    # a dash is no part of a word: "45 people--including 14 children and a baby--" names the 45
    ("Gunmen fired on the bus near Tete, killing at least 31 people--including nine children and a nurse--on Sunday.", 31),
    # what might have happened is no toll
    ("Hundreds of people could have died in Oruro, the mayor said.", None),
])
def test_parts_dashes_and_what_might_have_been(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


def test_a_list_of_victims_cut_by_a_comma_and_is_read_whole():
    # "Seven soldiers, including a major, | and a nurse were killed": the clause break before "and" cuts the list
    text = ("Soldiers killed in ambush near Pemba\n\n"
            "PEMBA - Seven soldiers, including a major, and a nurse were killed while two others were wounded in an "
            "ambush by insurgents near Pemba on Sunday, officials said.")
    assert killed_of(doc("d1", text, date(2021, 3, 30)), country="MZ") == [8]
    text = ("Blast at Tete market\n\n"
            "TETE - Three policemen, two soldiers, and a child were killed in a bomb blast at a market in Tete on Monday.")
    assert killed_of(doc("d2", text, date(2021, 3, 30)), country="MZ") == [6]


@pytest.mark.parametrize("text, killed", [
    # slaughtered and butchered are verbs of killing
    ("About 120 villagers were slaughtered in a night raid on a hamlet south of Tete.", 120),
    ("Raiders slaughtered 40 herders near Gao on Sunday.", 40),
    # a family counted by its size
    ("Gunmen butchered a family of six in their farmhouse near Gao.", 6),
    ("A family of five was killed when a shell hit their home in Tete.", 5),
    ("A family of four was evicted from their home in Tete.", None),
    # the number of people killed rose to N
    ("The number of people killed in the Oruro floods rose to 23 on Monday.", 23),
])
def test_verbs_and_counts_of_the_dead(text, killed):
    from events.casualties import find_casualties, figure_starts

    assert find_casualties(text).killed == killed
    assert find_casualties(text, figure_starts(text)).killed == killed


def test_a_toll_told_in_the_present_tense_is_read():
    # broadcast news tells what happened in the present: "One person is killed."
    text = ("Bus station bombing in Tete\n\n"
            "Tete, two thousand nine. A bomb blast rocks the main bus station in Tete on Friday. One person is killed.")
    assert killed_of(doc("d1", text, date(2009, 6, 13)), country="MZ") == [1]


def test_a_dated_report_gives_the_figure_over_one_joined_by_its_place_alone():
    # "One of those strikes killed nine in the city" (no date of its own) joined the house strike by its place
    reports = [(9, "", "d1", 600, "One of those strikes killed nine members of a family in the city.", False),
               (28, "", "d1", 750, "Rescuers retrieved 28 bodies from a house hit late Sunday in Tete.", True),
               (4, "at least", "d1", 1100, "Shells also hit a hospital, killing at least four people.", False)]
    assert incident_figure(reports)[0] == 28
    # with no dated report the undated ones still tell it; without the flag every report counts as dated
    assert incident_figure([(9, "", "d1", 600, "killed nine", False), (4, "", "d1", 900, "killed four", False)])[0] == 9
    assert incident_figure([(9, "", "d1", 600, "killed nine"), (28, "", "d1", 750, "retrieved 28 bodies")])[0] == 9


def test_bodies_retrieved_or_pulled_out_are_the_dead_found():
    from events.casualties import find_casualties

    assert find_casualties("Rescuers retrieved 28 bodies from the rubble of the house in Tete.").killed == 28
    assert find_casualties("Divers pulled out 14 bodies from the river near Oruro.").killed == 14
    assert find_casualties("Twelve bodies were exhumed from a grave near Gao.").killed == 12


def test_the_dated_reports_of_one_story_do_not_silence_another_storys():
    # story d2's dated report tells a part; story d1 tells the toll in undated sentences: the highest story wins
    reports = [(132, "", "d1", 40, "The attacks killed 132 people.", False),
               (7, "", "d2", 300, "Six of the seven attackers died on Friday.", True)]
    assert incident_figure(reports)[0] == 132


def test_of_two_tolls_before_an_incident_word_the_nearest_is_its_own():
    from events.casualties import find_casualties

    text = "In March, 30 bodies were found in a ravine near Tete and 17 people died in an arson attack on a bar in June."
    assert find_casualties(text, anchor=text.index("arson attack")).killed == 17
    assert find_casualties(text).killed == 30  # without an anchor, the first
    # a list before the word is one toll, summed as before
    text = "Five soldiers and two civilians were killed in an ambush near Tete."
    assert find_casualties(text, anchor=text.index("ambush")).killed == 7
    # a toll after the word when none is told before it
    text = "The ambush near Tete killed nine soldiers before a second attack in June killed 20 more."
    assert find_casualties(text, anchor=text.index("ambush")).killed == 9
    text = ("Violence in Tete\n\nThe gang has been blamed for many killings. In March, 30 bodies were found in a "
            "ravine near Tete and 17 people died in an arson attack on a bar in Tete in June 2011.")
    assert killed_of(doc("d1", text, date(2012, 3, 1)), country="MZ") == [17]


def test_a_toll_reported_without_a_verb_of_its_own_joins_the_story():
    # "the army reported 64 villagers killed": a reduced passive after a verb of reporting is a toll of the story's
    # incident, exact where the lead's was vague
    text = ("Massacre near Tete\n\n"
            "TETE - Gunmen stormed a village outside Tete early Sunday and killed scores of villagers, witnesses said.\n\n"
            "Although the army reported 64 villagers killed, aid workers said they had counted more than 150 bodies.")
    assert killed_of(doc("d1", text, date(2013, 5, 7)), country="MZ") == [64]


def test_shot_or_hacked_to_death_takes_its_victims_after_it():
    from events.casualties import find_casualties

    assert find_casualties("A death squad stormed a slum in Tete in 1999 and shot to death 19 people.").killed == 19
    assert find_casualties("Raiders hacked to death three herders near Gao.").killed == 3


def test_a_toll_of_a_series_of_attacks_gives_way_to_one_attacks_own():
    reports = [(0, 19, "", "Rebels shot and hacked to death 19 people in the north as they stepped up their campaign of "
                           "attacks on villages near Tete."),
               (400, 16, "", "In the first raid on Thursday, rebels killed 16 people at a camp near Tete."),
               (900, 3, "", "Three people were killed in an ambush near Gao.")]
    assert story_figure(reports) == 16


def test_a_toll_told_in_the_next_sentence_of_an_accident_is_its_own():
    # a bare casualty report joins a violent incident, never a crash: the crash takes the toll of the next sentence
    text = ("Train fire near Tete\n\n"
            "TETE - A blazing train crowded with holiday travellers sped through the night near Tete early on Sunday "
            "with flames engulfing car after car. Forty-two passengers were killed, officials said.")
    assert killed_of(doc("d1", text, date(2012, 4, 23)), country="MZ") == [42]
    # a sentence that turns to another time tells another toll
    text = ("Train fire near Tete\n\n"
            "TETE - A blazing train crowded with holiday travellers sped through the night near Tete early on Sunday "
            "with flames engulfing car after car. In 2009, 30 passengers died in a similar fire.")
    assert killed_of(doc("d2", text, date(2012, 4, 23)), country="MZ") == []


def test_a_lead_toll_without_day_or_place_is_the_storys_one_incidents():
    # the lead tells the toll but neither day nor place; the next paragraphs place and date the attack
    text = ("Rebels attack army base\n\n"
            "By Staff Reporter\n\n"
            "MAPUTO - Hundreds of insurgents launched a two-day attack on an army base, killing at least 14 people, "
            "including six soldiers, the army said on Monday.\n\n"
            "Four other soldiers were wounded in the weekend attack by the insurgents.\n\n"
            "Troops arrived at noon Sunday in Montepuez, where 200 insurgents attacked the base.")
    assert killed_of(doc("d1", text, date(2013, 6, 3)), country="MZ") == [14]


def test_no_casualties_told_right_after_an_incident_is_a_toll_of_none():
    text = ("Clash near Tete\n\n"
            "Troops and insurgents clashed near Tete on Sunday, the army said.\n\n"
            "\"However, in the two-hour clash, no casualties were reported on either side,\" an officer said.")
    assert killed_of(doc("d1", text, date(2014, 9, 8)), country="MZ") == [0]
    # not knowing is no toll of none
    text = ("Clash near Tete\n\n"
            "Troops and insurgents clashed near Tete on Sunday, the army said.\n\n"
            "There were no immediate reports of casualties.")
    assert killed_of(doc("d2", text, date(2014, 9, 8)), country="MZ") == []
    # and a toll of none gives way to any toll the story tells
    assert story_figure([(0, 0, "", "No one was killed."), (90, 3, "", "Three soldiers later died.")]) == 3


def test_a_headline_that_tells_the_toll_rose_keeps_its_figure():
    assert story_figure([(0, 30, "", "Death toll in Tete market blast rises to 30"),
                         (45, 25, "", "A bomb tore through a market in Tete on Friday, killing 25 people.")]) == 30


@pytest.mark.parametrize("text, killed", [
    # where the victims were, told between them and their verb
    ("Twelve passengers on the bus were killed when it plunged into a ravine near Gao.", 12),
    ("All 40 people aboard the plane were killed in the crash near Oruro.", 40),
    ("Nine people in the house died when the shell hit it in Tete.", 9),
    ("Two men in the car were arrested in Tete.", None),
])
def test_victims_told_with_where_they_were(text, killed):
    from events.casualties import find_casualties, figure_starts

    assert find_casualties(text).killed == killed
    assert find_casualties(text, figure_starts(text)).killed == killed


@pytest.mark.parametrize("text,killed", [
    # the force the victims belonged to, named in full with its abbreviation
    ("Seven constables of the State Armed Police Force (SAPF) were killed when rebels stormed the post.", 7),
    ("Six members of the Civilian Joint Task Force (CJTF) were killed in the raid on Tuesday.", 6),
    ("Four guards of the Border Security Police Unit were killed near Garoua.", 4),
])
def test_victims_of_a_force_named_with_its_abbreviation(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed


@pytest.mark.parametrize("text,killed", [
    # one victim told, and the one (or the number) killed with them
    ("On Sunday a soldier was killed alongside a suspected rebel in a clash near Kidal.", 2),
    ("A district judge was shot dead along with his driver outside Quetta.", 2),
    ("The militia leader was killed along with two other fighters in the raid.", 3),
    # not a companion: 'alongside the road'
    ("A herder was killed alongside the road to Gao.", 1),
])
def test_one_victim_killed_alongside_another(text, killed):
    from events.casualties import find_casualties

    assert find_casualties(text).killed == killed
