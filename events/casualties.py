"""Casualty figures ("killed 43 people", "at least 20 dead", "two soldiers and a civilian were killed") in a clause.

Figures are kept as reported, with their qualifier ("at least", "more than", "about", "up to") beside the number;
vague plurals give a lower bound ("thousands injured" -> 2000, "at least"), other vague words ("many", "scores of
homes") give nothing. Lists of victims are summed ("six bodyguards, a district chief and a civilian" -> 8), the
total of a partitive is taken ("five of the 16 people killed" -> 16), and ages and years never read as tolls.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
# Vague plurals read as the smallest amount they can mean, always with the qualifier "at least".
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens of thousands": 20000,
         "hundreds of thousands": 200000, "millions": 2_000_000}
_VAGUE = r"(?:tens of thousands|hundreds of thousands|dozens|scores|hundreds|thousands|millions)(?: of)?"
# A number that is not an age ("a 34-year-old") nor part of a longer token ("M-70 rifles").
_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True))
# At most 12 more words ("two hundred and fifty-one thousand three hundred and twelve" has 10): an unbounded
# repeat rescans a long run of number words from every word in it, quadratic on "one two three one two ...".
# "a dozen", "two dozen", "half a dozen": a dozen is a number ("dozens" is a vague plural)
_WORDS = (rf"(?:half\s+a\s+(?=dozen)|an?\s+(?=dozen|hundred|thousand|million))?(?:{_WORD})"
          rf"(?:[\s-]+(?:{_WORD})|(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+(?:{_WORD})){{0,12}}")
NUMBER = (rf"(?<![\w-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{_WORDS})"
          rf"\b(?![-\s]*(?:years?|yr)[-\s]*old)(?!-\w)(?!\s*(?:percent|per cent|%|times|km|kilomet|miles?|metres?|meters?|hours?|minutes?|days?|weeks?|months?|years?|dollars?|tons?|yuan))")
_COUNT = rf"(?:{NUMBER}|{_VAGUE}|(?<![\w-])(?:an?|another)(?!\s+(?:\d[\d,]*|{_WORD})\b(?!-year)))"

_QUALIFIERS = {
    "at least": "at least", "more than": "more than", "over": "more than", "nearly": "about", "almost": "about",
    "about": "about", "around": "about", "some": "about", "close to": "about", "roughly": "about",
    "an estimated": "about", "approximately": "about", "up to": "up to", "as many as": "up to",
}
_QUALIFIER_WORDS = ("at least", "more than", "over", "nearly", "almost", "about", "around", "some", "close to", "up to",
                    "as many as", "roughly", "an estimated", "approximately", "all")
_QUALIFIER = rf"(?P<q>{'|'.join(f'{q} ' for q in _QUALIFIER_WORDS)})?"
_VICTIM_NOUNS = (r"people|persons|person|civilians?|passengers?|soldiers?|troops|fighters?|militants?|police(?:men|man)?|"
                 r"policewom[ae]n|officers?|officials?|children|child|boys?|girls?|babies|baby|women|woman|men|man|"
                 r"pilgrims?|worshippers?|tourists?|students?|workers?|residents?|villagers?|victims?|others|crew|"
                 r"crewmen|hostages?|members?|Westerners|protest(?:e|o)rs?|demonstrators?|rebels?|insurgents?|guerrillas?|"
                 r"gunmen|gunman|bodyguards?|guards?|miners?|journalists?|reporters?|teenagers?|youths?|Palestinians|"
                 r"Israelis|Iraqis|Afghans|Americans|settlers?|security personnel|personnel|service members?|"
                 r"servicemen|serviceman|marines?|sailors?|pilots?|drivers?|chief|commanders?|leaders?|infants?|"
                 r"peacekeepers?|patients|doctors|nurses|prisoners|inmates|detainees|spectators|fans|shoppers|"
                 r"commuters|bystanders|passers-by|family members|relatives|farmers|fishermen|herders|refugees|"
                 r"migrants|worshipers|guests|staff|employees|teachers|priests|monks|clerics|inspectors?|constables?|"
                 r"sergeants?|corporals?|gendarmes?|lieutenants?|captains?|colonels?")
_STOP = (r"(?!(?:years?|months?|weeks?|days?|hours?|after|before|since|ago|later|earlier|of|the|were|was|are|is|have|has|"
         r"had|be|been|and|or|in|on|at|by|to|from|with|when|while|as|killed|killing|dead|died|wounded|wounding|injured|"
         r"injuring|hurt|could|would|might|may|will|should|must|can|cannot|not|never)\b)")
# a word, with its hyphens ("45-year-old"), not a dash ("people--including 14 children")
_TOKEN = r"\w+(?:-\w+)*"
_VICTIMS = rf"(?:(?:{_STOP}{_TOKEN} ){{0,3}}?(?:{_VICTIM_NOUNS}))"
# Any short noun phrase ("a cook", "a 45-year-old teacher") where a verb of killing makes it a victim.
_ANYONE = rf"(?:(?:{_STOP}{_TOKEN} ){{0,2}}{_STOP}[A-Za-z]\w*(?:-\w+)*)"
_GROUP = rf"{_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}"
_DIED = (r"(?:(?:shot and killed|(?:shot|stabbed|beaten|hacked|burned|burnt|bludgeoned) to death|fatally (?:shot|stabbed)|"
         r"killed|(?:pronounced |declared )?dead|died|perished|lost (?:their|his|her) lives|shot dead|slain|gunned down|murdered|"
         r"massacred|slaughtered|butchered)\b(?!\s+(?:or|and|and/or)\s+(?:(?:seriously|critically|badly)\s+)?(?:injured|wounded|hurt|missing)\b))")
# a whole word: "the deadliest attack" tells no one dead; "50 people were killed or injured", "20 dead or missing":
# one figure of the dead and others together is no toll
_NOT_WITH_OTHERS = r"(?!\s+(?:or|and|and/or)\s+(?:(?:seriously|critically|badly)\s+)?(?:injured|wounded|hurt|missing)\b)"
_HURT = r"(?:injured|wounded|hurt)"
_BE_VERB = r"\s+(?:were|have been|had been|have|has|had|are|was|has been|is|being|got)"
_BE_ADVERB = r"(?:\s+(?:also|all|reportedly|later|subsequently))?"
_BE = rf"(?:{_BE_VERB})?{_BE_ADVERB}"
# The whole the victims belonged to, told after them: "16 members of a family", "three members of a bomb squad",
# "five soldiers of the same unit"
# Where the victims were, told between them and their verb: "twelve passengers on the bus were killed", "all 40
# people aboard the plane", "nine people in the house died"
_WHERE = (r"(?:\s+(?:on board|aboard|in all|inside)|\s+(?:on board|aboard|on|in|inside|at)\s+(?:the|a|an|their|his|her|its)\s+"
          r"(?:[\w-]+\s+){0,2}?[\w-]+)?")
# or a force named in full with its abbreviation: "five jawans of the District Reserve Guard (DRG)"
_OF_WHOLE = (r"(?:\s+of\s+(?:a|an|one|the|his|her|their|its)\s+(?:same\s+)?(?:[\w-]+\s+){0,3}?[\w-]+"
             r"(?:\s+\((?-i:[A-Z][A-Za-z&.-]{1,11})\))?)?")
# A part of the victims told between them and their verb: "six people, including a child, were killed", "nine
# people, among them a journalist, died", "four soldiers, two of them officers, were wounded". Its words are no verb
# nor figure of their own, so "12 people including two officers were hurt and three were killed" gives no 12 killed.
_PART_OF = (r"(?:,?\s+(?:including|among them|among whom|mostly|mainly|(?:one|two|three|four|five|six|seven|eight|nine|"
            r"ten|most|many|some|several|half|all) of (?:them|whom))"
            r"(?:\s+(?!(?:were|was|are|is|have|has|had|been|being|killed|dead|died|wounded|injured|hurt)\b)"
            r"[^\s.;:]+){1,16}?,?)?")

# what follows an active verb of killing: its object ("killed three people", "killed a policeman", "killed the pilot")
_NO_OBJECT = (rf"(?!\s+(?:at least |more than |about |some |nearly |almost |over |up to |as many as )?"
              rf"(?:(?:{NUMBER})|(?:an?|the|his|her|their|its|several|many|dozens|scores|hundreds|thousands)\b))")
_KILL_VERB = (r"(?:shot and killed|shooting and killing|fatally (?:shot|stabbed|shooting|stabbing)|killed|killing|kills|kill|"
              r"(?:shot|shooting|stabbed|stabbing|hacked|hacking|beat|beating|beaten) to death|"
              r"claimed the lives of|shot dead|shooting dead|gunned down|slew|murdered|massacred|slaughtered|slaughtering|butchered|butchering)")
_HURT_VERB = r"(?:injured|injuring|injures|wounded|wounding|wounds|hurt|hurting)"

_KILLED = [
    # "killed a family of five", "a family of six were slaughtered": the family's size
    re.compile(rf"\b{_KILL_VERB} (?P<q>)(?:an?|the|one|his|her|their) (?:entire |whole )?family of (?P<n>{NUMBER})", re.I),
    re.compile(rf"(?<![\w-])(?P<q>)(?:an?|one) (?:entire |whole )?family of (?P<n>{NUMBER}){_BE_VERB}{_BE_ADVERB}\s+"
               rf"(?:found |reported )?{_DIED}", re.I),
    # "killed 43 people", "killing a 57-year-old woman", "claimed the lives of five police officers"
    re.compile(rf"\b{_KILL_VERB} {_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}", re.I),
    re.compile(rf"\b(?:killed|killing|kills|kill) {_QUALIFIER}(?P<n>{_VAGUE})", re.I),
    # "a suicide bomber killed himself and 16 others": the victims, not the attacker
    re.compile(rf"\b{_KILL_VERB} (?:himself|herself|themselves) and {_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}", re.I),
    # "killing 12 of the 40 passengers", "police shot dead two of them": the part killed
    re.compile(rf"\b{_KILL_VERB} {_QUALIFIER}(?P<n>{NUMBER}) of (?:them|those|whom|the|its|their|all)\b", re.I),
    # "villagers beat a man to death", "stoned two women to death": the victims between the verb and "to death"
    re.compile(rf"\b(?:beat|beating|beaten|stabbed|stabbing|hacked|hacking|stoned|stoning|bludgeoned|clubbed|burned|burnt|"
               rf"kicked|tortured|strangled) {_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE} to death", re.I),
    # "opened fire on two men, killing both", "both were killed"
    re.compile(rf"\b{_KILL_VERB} (?P<q>)(?P<n>both)\b", re.I),
    re.compile(r"\b(?P<q>)(?P<n>both) (?:of them |men |women )?(?:were|have been|had been) (?:killed|shot dead)\b", re.I),
    # "killed at least 12" at the end of a clause
    re.compile(rf"(?<!\bthe )\b(?:killed|killing) {_QUALIFIER}(?P<n>{NUMBER}|{_VAGUE})(?=\s*(?:,|;|\.|and\b|$|on board|aboard))", re.I),
    # "left 30 rebels and four soldiers dead" (the list is summed below)
    re.compile(rf"\b(?:left|leaving) {_QUALIFIER}(?P<n>{_COUNT}) (?:{_VICTIMS} )?(?={_DIED}|[\w\s,-]{{0,80}}\b{_DIED})", re.I),
    # "two soldiers were killed", "at least 20 dead", "one miner was confirmed dead"; without a verb "to be" the
    # participle is no active verb with its own object ("two soldiers killed", not "a gunman killed three people")
    # ("a gunman has killed two people": an active perfect with its object counts its object, not its subject)
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT})(?: {_VICTIMS}{_OF_WHOLE})?{_WHERE}{_PART_OF}{_BE_VERB}{_BE_ADVERB}\s+(?:confirmed |found |reported |believed |feared )?{_DIED}"
               rf"(?:(?<!has killed)(?<!have killed)(?<!had killed)|{_NO_OBJECT})", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT})(?: {_VICTIMS}{_OF_WHOLE})?{_WHERE}{_PART_OF}{_BE_ADVERB}\s+(?:confirmed |found |reported |believed |feared )?{_DIED}{_NO_OBJECT}", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}{_OF_WHOLE}{_WHERE}{_PART_OF}\s+(?:were|was|have been|has been|had been)\s+(?:also |all |reportedly |later )?(?:confirmed |found |reported |believed |feared )?(?:killed|shot dead|slain|gunned down|murdered|slaughtered|butchered|shot and killed|fatally (?:shot|stabbed)|(?:shot|stabbed|beaten|hacked|burned) to death)\b{_NOT_WITH_OTHERS}", re.I),
    # "two of the hostages were killed", "three of them died": the part of a group told dead
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) of (?:them|those|(?:the|its|their|his|her) {_ANYONE}){_PART_OF}(?:{_BE_VERB})?"
               rf"{_BE_ADVERB}\s+(?:confirmed |found |reported |believed |feared )?{_DIED}{_NO_OBJECT}", re.I),
    # "nine tribesmen died", "13 Somalis perished": to die takes no object, so whoever comes before it died
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}{_OF_WHOLE}{_WHERE}{_PART_OF}\s+(?:(?:have|had|also|reportedly|later|subsequently)\s+)*"
               rf"(?:died|perished|lost their lives)\b{_NOT_WITH_OTHERS}", re.I),
    re.compile(rf"\b(?:death|deaths|killing|murder|murders|massacre|slaying) of {_QUALIFIER}"
               rf"(?P<n>{NUMBER})(?! \w+-year)", re.I),
    # "two killings in Mombasa", "three murders blamed on the militia": counted nouns of killing
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) (?:killings|murders|slayings|assassinations)\b", re.I),
    re.compile(rf"(?:death toll|toll|total number of (?:the )?(?:dead|people killed|\w+ killed(?: on \w+)?)|number of (?:the )?(?:dead|deaths|fatalities|victims|people (?:killed|who died)))[^.;]{{0,80}}? (?:rose to|risen to|has risen to|reached|climbed to|stood at|stands at|hit to|hit|of|at|to) {_QUALIFIER}(?P<n>{NUMBER})", re.I),
    re.compile(rf"\bresulted in {_QUALIFIER}(?P<n>{NUMBER}) (?:dead|deaths|killed)", re.I),
    # "police found 60 decomposed bodies", "found the bodies of five soldiers", "17 bodies were found": the dead found
    re.compile(rf"\b(?:found|discovered|recovered|retrieved|pulled out|pulled|exhumed|unearthed) {_QUALIFIER}(?P<n>{NUMBER}) (?:(?:bullet-riddled|decomposed|"
               rf"decomposing|mutilated|beheaded|headless|bound|blindfolded|tortured|charred|dead) )?(?:bodies|corpses)\b",
               re.I),
    re.compile(rf"\b(?:bodies|corpses) of {_QUALIFIER}(?P<n>{NUMBER}) (?!\w+-year){_ANYONE}", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) (?:(?:bullet-riddled|decomposed|mutilated|beheaded|headless|bound|"
               rf"blindfolded|tortured|charred|dead) )?(?:bodies|corpses) (?:were|have been|had been|was) "
               rf"(?:found|discovered|recovered|retrieved|pulled out|exhumed|unearthed|dumped)\b", re.I),
    # "the shooting claimed four lives"
    re.compile(rf"\b(?:claimed|claiming|cost|costing) {_QUALIFIER}(?P<n>{NUMBER}) lives\b", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{NUMBER}) (?:were |have been )?(?:people )?(?:dead|deaths|killed|fatalities)\b{_NOT_WITH_OTHERS}", re.I),
    # "the latest deaths brought to 11 the total number of people who died": a toll told before its noun
    re.compile(rf"\b(?:brought|bringing|raised|raising|pushed|pushing|took|taking)\s+to\s+{_QUALIFIER}(?P<n>{NUMBER})\s+the\s+"
               rf"(?:(?:overall|total|death|official)\s+)*(?:toll|number)\b", re.I),
]
# One victim told without a number: "killing the pilot", "shot dead 17-year-old Ana Ruiz", "Ruiz was killed".
_SINGULAR = (r"person|civilian|passenger|soldier|fighter|militant|policeman|policewoman|police officer|officer|official|"
             r"child|boy|girl|baby|woman|man|pilot|driver|guard|bodyguard|journalist|reporter|photographer|teenager|"
             r"youth|settler|marine|sailor|commander|leader|chief|mayor|governor|minister|priest|cleric|judge|"
             r"lawyer|doctor|nurse|teacher|student|worker|farmer|shepherd|herder|villager|resident|tourist|victim|"
             r"hostage|prisoner|detainee|suspect|gunman|bomber|attacker|assailant|owner|shopkeeper|mother|father|son|"
             r"daughter|wife|husband|brother|sister|colleague|neighbou?r")
_MONTHS_DAYS = (r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
                r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Christmas|"
                r"Easter|Ramadan|The|This|That|These|Those|It|They|We|I")
_AFTER_NAME = r"(?=\s*(?:[,.;:)]|$|(?:and|in|on|at|near|outside|inside|as|while|when|after|with|by|during|late|early)\b))"
_KILLED_ONE = [
    re.compile(rf"\b(?:{_KILL_VERB}|assassinat(?:ed|ing)) (?:the|his|her|their) (?:[\w-]+ ){{0,2}}?(?:{_SINGULAR})\b"
               rf"(?!['’]s|-)", re.I),
    # "whose slaying of a farmer", "the murder of a 19-year-old student": the noun of killing and its one victim
    # "the shooting death of a 19-year-old", "the fatal stabbing of a teenager", "claimed the life of a 16-year-old"
    re.compile(rf"\b(?:killing|slaying|murder|assassination|(?:shooting |stabbing |beating )?death|"
               rf"fatal (?:shooting|stabbing|beating|attack)|claimed the life) of (?:an?|the|one) "
               rf"(?:\d+-year-old\b(?!-)|(?:[\w-]+ ){{0,2}}?(?:{_SINGULAR})\b(?!['’]s|-))", re.I),
    re.compile(rf"\b(?:shot dead|shooting dead|gunned down|killed|killing|assassinated|assassinating|murdered) "
               rf"(?:\d+-year-old )?(?!(?:{_MONTHS_DAYS})\b)[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,3}}(?<!s){_AFTER_NAME}"),
    # "the 1984 assassination of Gandhi": a named victim of an assassination (not an attempted or failed one)
    re.compile(rf"(?<!attempted )(?<!failed )(?<!foiled )(?<!thwarted )\bassassination of (?:the )?(?:[A-Z][a-z]+ ){{0,3}}?"
               rf"(?!(?:{_MONTHS_DAYS})\b)[A-Z][a-z]+\b(?!['’]s|-)"),
    re.compile(rf"(?<![\w-])(?:[Hh]e|[Ss]he|(?!(?:{_MONTHS_DAYS})\b)[A-Z][a-z]+(?<!s)) (?:was|had been|has been) "
               rf"(?:shot dead|shot and killed|fatally (?:shot|stabbed)|(?:shot|stabbed|beaten|hacked|burned) to death|killed|"
               rf"assassinated|murdered|slain|gunned down|pronounced dead)\b"),
]
# "a marine who was on board the ship was killed", "one soldier who had been guarding the gate died": one victim
# told with a relative clause between the noun and its verb
_KILLED_ONE.append(re.compile(
    rf"(?<![\w-])(?:an?|one) (?:[\w-]+ ){{0,2}}?(?:{_SINGULAR}) (?:who|that) (?:was|had been|is) [^.;,]{{1,60}}? "
    rf"(?:was|had been|has been) (?:also )?(?:killed|shot dead|slain|murdered|confirmed dead)\b", re.I))
# "a bomb exploded beside the soldier, killing him at the scene": one victim, told by a pronoun after the verb
_KILLED_ONE.append(re.compile(r"\b(?:killing|killed|shot dead|shooting dead|fatally (?:shot|shooting|stabbed|stabbing)) "
                              r"(?:him|her)\b(?!self)(?!,? and\b)", re.I))
# "the man was pronounced dead at the scene": one victim, told by the noun the story named them by
_KILLED_ONE.append(re.compile(
    r"(?<=\bthe )(?:victim|man|woman|boy|girl|teenager|child|baby|officer|policeman|soldier|driver|passenger|"
    r"pedestrian|student|worker|resident) (?:was|had been|has been) (?:later |subsequently )?(?:pronounced|declared) "
    r"dead\b", re.I))
_INJURED = [
    re.compile(rf"\b{_HURT_VERB} {_QUALIFIER}(?P<n>{_COUNT}) {_ANYONE}", re.I),
    # "killed at least 10 and injured 30." at the end of a clause
    re.compile(rf"(?<!\bthe )\b(?:injured|injuring|wounded|wounding) {_QUALIFIER}(?P<n>{NUMBER}|{_VAGUE})(?=\s*(?:,|;|\.|and\b|$))", re.I),
    re.compile(rf"\b(?:left|leaving) {_QUALIFIER}(?P<n>{_COUNT}) (?:{_VICTIMS} )?(?={_HURT})", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT})(?: {_VICTIMS})?(?:\s+(?:others|more))?{_PART_OF}{_BE_VERB}{_BE_ADVERB}\s+(?:seriously |critically |slightly |lightly |badly )?{_HURT}", re.I),
    re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT})(?: {_VICTIMS})?(?:\s+(?:others|more))?{_PART_OF}{_BE_ADVERB}\s+(?:seriously |critically |slightly |lightly |badly )?{_HURT}{_NO_OBJECT}", re.I),
]
# "five of the 16 people killed": the total, not the part
_PARTITIVE = re.compile(rf"(?P<part>{NUMBER}) of (?:the|all|those) (?P<n>{NUMBER})\b", re.I)
# ... when the whole is the victims ("of the 16 people killed", "of the 23 dead"), not the group some of whom were
# killed ("two of the three gunmen were killed", "killing 12 of the 40 passengers": 2 and 12)
_PART_BEFORE = re.compile(rf"(?<![\w-])(?P<part>\d+|{_WORD}) of (?:the|all|those) $", re.I)
_PARTITIVE_DEAD = re.compile(r"(?:\s+(?!(?:were|was|are|is|have|has|had|been|on|in|at|aboard)\b)[\w-]+){0,3}?"
                             r"\s+(?:killed|dead|slain|who (?:were|had been|have been) killed|who died)\b", re.I)
# "six bodyguards, a district chief and a civilian"; not "three people, including a police officer" (a part of the 3)
_LIST_JOIN = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+)$", re.I)
_GROUP_RE = re.compile(_GROUP, re.I)
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|into|near|at|on|from|to|with|by|for|inside|outside|under|across|through|"
                                 r"against|towards?)\s+$", re.I)
_PART_GAP = re.compile(r"^\s*,\s*(?:including|among them)\s+$", re.I)
_AND_AFTER_PART = re.compile(r"^\s*,\s*and\s+$", re.I)
_SAYS_AFTER = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:said|says|told|tells|reported|reports|added|adds|confirmed|stated|"
                         r"announced|claimed)\b", re.I)
_ACTIVE_BEFORE = re.compile(rf"\b(?:{_KILL_VERB}|{_HURT_VERB}|left|leaving)\s+$", re.I)
_BE_AFTER = re.compile(rf"{_BE_VERB}\b", re.I)
_HEADLINE_VERB_AFTER = re.compile(rf"\s+(?:{_DIED}|{_HURT})", re.I)
_PEOPLE_END = re.compile(r"\b(?:people|persons)$", re.I)
_SAYS = re.compile(r"\b(?:said|says|told|tells|reported|reports|added|adds|confirmed|stated|announced|claimed)\b", re.I)
_MONTH_NAME = (r"January|February|March|April|May|June|July|August|September|October|November|December|"
               r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?")
_YEAR_BEFORE = re.compile(rf"(?:\b(?:in|since|of|from|until|by|year|early|late|mid-?)|{_MONTH_NAME})\s*$", re.I)

_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH_NAME})\s+$")

_VICTIM_AFTER = re.compile(rf"\s+(?:{_VICTIM_NOUNS})\b", re.I)


@dataclass(frozen=True)
class Casualties:
    killed: int | None = None
    injured: int | None = None
    killed_qualifier: str = ""
    injured_qualifier: str = ""


def parse_number(text: str) -> int | None:
    """'2,000' -> 2000, 'thirty-nine' -> 39, 'a hundred' -> 100, 'a' -> 1, 'thousands' -> 2000; None otherwise."""
    text = " ".join(text.strip().lower().split())
    text = re.sub(r"\s+of$", "", text)
    if text in VAGUE:
        return VAGUE[text]
    if text in ("a", "an", "one", "another"):
        return 1
    if text == "both":
        return 2
    if text.startswith("half a "):  # "half a dozen"
        whole = parse_number(text[len("half "):])
        return whole // 2 if whole and whole % 2 == 0 else None
    digits = text.replace(",", "")
    if digits.isdigit():
        return int(digits)
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s-]+", text):
        if word in ("and", ""):
            continue
        if word == "a":
            current = current or 1
        elif word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word in _TENS:
            current += _TENS[word]
            seen = True
        elif word in _SCALES:
            current = (current or 1) * _SCALES[word]
            seen = True
            if _SCALES[word] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current if seen else None


def _qualifier(raw: str | None, number: str) -> str:
    if " ".join(number.lower().split()).removesuffix(" of") in VAGUE:
        return "at least"
    return _QUALIFIERS.get((raw or "").strip().lower(), "")


def _looks_like_year(text: str, start: int, raw: str, value: int) -> bool:
    """'1997', 'in August 1572', 'since 1989': a four-digit number in a date is a year, whatever its range."""
    if not (raw.isdigit() and len(raw) == 4):
        return False
    return 1800 <= value <= 2100 or bool(_YEAR_BEFORE.search(text[max(0, start - 12):start]))


def _is_day_of_month(text: str, start: int, raw: str) -> bool:
    """'a bomb on March 21 killed two people': the 21 after a month's name is a day, not a toll ('in May 2 soldiers
    were killed', a number before its victims, still counts)."""
    return (raw.isdigit() and len(raw) <= 2 and bool(_MONTH_BEFORE.search(text, max(0, start - 12), start))
            and not _VICTIM_AFTER.match(text, start + len(raw)))


def _listed_total(text: str, match: re.Match[str], groups: list[re.Match[str]],
                  starts: list[int]) -> tuple[int, int] | None:
    """Sum 'six bodyguards, a district chief and a civilian were killed' from the group before the verb backwards.

    `groups` are the `_GROUP_RE` matches of the text, found once per text (`starts`: where their numbers start).
    """
    if not groups:
        return None
    # the group that holds this figure (groups do not overlap: at most one does), then every group joined to it
    i = bisect_right(starts, match.start("n")) - 1
    if i < 0 or not match.start("n") < groups[i].end():
        return None
    current, j = groups[i], i
    chain = [current]
    # "found in a ravine near Tete and 17 people died": a noun after a preposition is where, not who
    while i > 0 and _LIST_JOIN.match(text[groups[i - 1].end():chain[0].start()]) \
            and not _PREPOSITION_BEFORE.search(text, max(0, groups[i - 1].start() - 12), groups[i - 1].start()):
        chain.insert(0, groups[i - 1])
        i -= 1
    while j + 1 < len(groups):
        gap = text[chain[-1].end():groups[j + 1].start()]
        if _LIST_JOIN.match(gap):
            chain.append(groups[j + 1])
            j += 1
        # "eleven soldiers, including a captain, and a civilian": the part told after "including" is one of the
        # group before it, and the list goes on after it
        elif (j + 2 < len(groups) and _PART_GAP.match(gap)
              and _AND_AFTER_PART.match(text[groups[j + 1].end():groups[j + 2].start()])):
            chain.append(groups[j + 2])
            j += 2
        else:
            break
    # "killed 12 people and two others were wounded": the object list of an active verb ends before a group that is
    # the subject of its own verb
    if len(chain) > 1 and _ACTIVE_BEFORE.search(text, max(0, chain[0].start() - 40), chain[0].start()) \
            and _BE_AFTER.match(text, chain[-1].end()):
        chain = chain[-1:] if chain[-1].start() <= match.start("n") else chain[:-1]
    # "killed 10 people, a police spokesman said": a group that says something is the source, not a victim
    speaker = next((k for k, g in enumerate(chain) if k and (_SAYS_AFTER.match(text, g.end())
                                                             or _SAYS.search(text, g.end("n"), g.end()))), None)
    if speaker is not None:
        chain = chain[:speaker]
    # a list ends with "and": "six bodyguards, a district chief and a civilian"; "a ..." after its last "and" and a
    # bare comma is said about it ("killed 30 people, a toll that rose"), not one more victim
    last_and = max((k for k in range(1, len(chain)) if "and" in text[chain[k - 1].end():chain[k].start()].lower()),
                   default=0)
    # a list told without "and" is a headline's subject ("One Israeli, three Palestinians wounded"); in prose
    # "killed 12 soldiers, 20 rebels" names the same dead twice or says who they were
    if last_and or not _HEADLINE_VERB_AFTER.match(text, chain[-1].end()):
        chain = chain[:last_and + 1]
    # "killed 12 people, five children among them", "killed 6 people, 2 policemen": after a bare comma, who the
    # people were, not more of them
    if len(chain) > 1 and _PEOPLE_END.search(text, chain[0].start(), chain[0].end()) \
            and text[chain[0].end():chain[1].start()].strip() == ",":
        chain = chain[:1]
    if len(chain) < 2 or current not in chain:
        return None
    values = [parse_number(g.group("n")) for g in chain]
    if any(value is None for value in values):
        return None
    # "killed three civilians, a woman and two children": the list after the comma names the same three
    if len(chain) > 2 and values[0] == sum(values[1:]) and text[chain[0].end():chain[1].start()].strip() == "," \
            and not _BE_AFTER.match(text, chain[-1].end()) and not _HEADLINE_VERB_AFTER.match(text, chain[-1].end()):
        return chain[0].start(), values[0]
    return chain[0].start(), sum(values)


# Every figure pattern holds one of these words at or after where it starts (in the match or in its lookahead): a
# superset, written as stems. No figure starts after the last of them, so a pattern is not tried there: text of
# number words ("one two three ...", where each word starts a costly attempt) is read only up to its last keyword.
_KILLED_KEYWORDS = re.compile(r"(?=kill|dead|died|fatal|perish|lives|slain|slew|gunned|murder|massacre|slaughter|butcher|death|toll|number|"
                              r"fatalit|resulted|left|leaving|bodies|corpses)", re.I)
_INJURED_KEYWORDS = re.compile(r"(?=injur|wound|hurt|left|leaving)", re.I)
def _starting_with(words: Iterable[str]) -> str:
    """An alternation that matches where any of `words` starts, written as a trie ("d(?:ea(?:d|th)|ied)"): re tries
    the alternatives of a group in turn at every position, so a flat list of many words tries each one there."""
    words = set(words)
    if "" in words:
        return ""  # a word ends here: the longer words that go on from it add nothing to where one starts
    tails: dict[str, list[str]] = {}
    for word in words:
        tails.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rest in sorted(tails.items()):
        tail = _starting_with(rest)
        branches.append(re.escape(first) + (f"(?:{tail})" if "|" in tail else tail))
    return "|".join(branches)


# Every figure pattern and every one-victim pattern (_KILLED_ONE) holds one of these stems: a text where none starts
# reports no casualties. Zero-width, so every start is found (the mentions stage indexes a long clause by them once
# instead of reading a window after each of its triggers).
_CUE_STEMS = ("kill", "dead", "died", "fatal", "perish", "lives", "slain", "slew", "slay", "gunned", "murder", "massacre",
              "slaughter", "butcher",
              "death", "toll", "number", "fatalit", "resulted", "left", "leaving", "injur", "wound", "hurt", "assassinat",
              "bodies", "corpses")
CASUALTY_CUES = re.compile(rf"(?={_starting_with(_CUE_STEMS)})", re.I)
# Where a match of any pattern above (_KILLED, _INJURED, _KILLED_ONE, _GROUP_RE) can start, other than at the start of
# the text read: at a cue stem (every keyword is one), "total", a qualifier or a vague plural (none of these has a
# lookbehind: "that least" holds "at least"), a verb of killing at a word boundary, or, at a word's start, a number,
# "a"/"an"/"another" or a word before "was/had been/has been". Each alternative is a prefix of what the pattern itself
# consumes (with its case folding and boundary), so it holds in any text that holds the match. A NEW pattern must start
# with one of them (tests/test_pathological.py checks every pattern on sampled words).
# find_casualties(text, starts) tries the patterns only there: a clause without stops, read in overlapping windows
# (one per trigger), finds them once, and each window tries a few positions instead of every character.
_FIGURE_WORDS = (*_CUE_STEMS, "total", *_QUALIFIER_WORDS, *VAGUE)
FIGURE_STARTS = re.compile(rf"(?={_starting_with(_FIGURE_WORDS)})|\b(?=claim|cost|shot|shoot|both|brought|bringing|raised|raising|pushed|pushing|took|taking|beat|stab|hack|ston|bludgeon|club|burn|kick|tortur|strangl|found|discovered|recovered|retrieved|pulled|exhumed|unearthed)"
                           rf"|\b(?<![\w-])(?=\d|an?|half|{_WORD}|[a-z]+ (?:was|had been|has been) )", re.I)
# How far past its last keyword a figure and what its patterns look ahead at may reach (far more than any real
# one, and more than the text around a trigger that the pipeline reads figures from: there the whole text is read).
_REACH = 8192


def figure_starts(text: str, pos: int = 0, endpos: int | None = None) -> list[int]:
    """Every position of text[pos:endpos] where FIGURE_STARTS finds a possible start of a figure, in order."""
    return [m.start() for m in FIGURE_STARTS.finditer(text, pos, len(text) if endpos is None else endpos)]


def _scan(pattern: re.Pattern[str], text: str, endpos: int, starts: Sequence[int] | None,
          last: int | None = None) -> Iterator[re.Match[str]]:
    """pattern.finditer(text, 0, endpos), attempted only at `starts` (sorted; None: at every position); with `last`,
    the matches that start at or before it (the caller stops at the first that starts after it).

    A search tries each position in turn and a match there is pattern.match(text, position, endpos) (no pattern
    here uses "^"); positions that no match can start at are skipped. Matches are never empty, so the next search
    starts where a match ends, as finditer's does."""
    if starts is None:
        yield from pattern.finditer(text, 0, endpos)
        return
    cursor = 0
    stop = endpos - 1 if last is None else min(last, endpos - 1)
    for position in starts:
        if position < cursor:
            continue
        if position > stop:
            return
        match = pattern.match(text, position, endpos)
        if match is not None:
            yield match
            cursor = max(match.end(), position + 1)


def _last_keyword(keywords: re.Pattern[str], text: str, starts: Sequence[int] | None = None) -> int:
    """Where the last keyword starts (-1: none). Every keyword starts at a figure start."""
    if starts is not None:
        return next((p for p in reversed(starts) if keywords.match(text, p)), -1)
    last = -1
    for found in keywords.finditer(text):
        last = found.start()
    return last


def _first_figure(patterns: list[re.Pattern[str]], text: str, keywords: re.Pattern[str],
                  starts: Sequence[int] | None = None, anchor: int | None = None) -> tuple[int | None, str]:
    """The first figure in `text`; with `anchor` (where the incident's word is), the last one told before it, if any."""
    best: tuple[int, int, str] | None = None
    nearest: tuple[int, int, str] | None = None
    groups: list[re.Match[str]] | None = None
    group_starts: list[int] = []
    last = _last_keyword(keywords, text, starts)
    if last < 0:
        return None, ""
    endpos = min(len(text), last + _REACH)
    for pattern in patterns:
        for match in _scan(pattern, text, endpos, starts, last):
            if match.start() > last:
                break
            raw = match.group("n")
            value = parse_number(raw)
            if (value is None or value == 0 or _looks_like_year(text, match.start("n"), raw, value)
                    or _is_day_of_month(text, match.start("n"), raw)):
                continue
            qualifier = _qualifier(match.group("q"), raw)
            start = match.start()
            if groups is None:  # once per text, not once per figure (quadratic on long texts)
                groups = list(_scan(_GROUP_RE, text, len(text), starts))
                group_starts = [g.start("n") for g in groups]
            listed = _listed_total(text, match, groups, group_starts)
            if listed is not None:
                start, value = listed
            partitive = _PARTITIVE.match(text, match.start("n"))
            if partitive is not None and _PARTITIVE_DEAD.match(text, partitive.end()):
                whole = parse_number(partitive.group("n"))
                if whole and whole > value:
                    value = whole
            elif listed is None and not _PARTITIVE_DEAD.match(text, match.end("n")):
                part = _PART_BEFORE.search(text, max(0, match.start("n") - 40), match.start("n"))
                part_value = parse_number(part.group("part")) if part is not None else None
                if part_value and part_value < value:  # "two of the three gunmen were killed": two
                    start, value = part.start(), part_value
            if best is None or start < best[0]:
                best = (start, value, qualifier)
            if anchor is not None and match.start() < anchor and (nearest is None or start > nearest[0]):
                nearest = (start, value, qualifier)
    best = nearest or best
    return (best[1], best[2]) if best else (None, "")


# "was killed along with four others", "was slain together with three of her children": the one and the others
_KILLED_ALONG_WITH = re.compile(rf"\b(?:was|is|has been|had been)\s+(?:also\s+)?(?:killed|shot dead|slain|murdered)\s+"
                                rf"(?:along|together)\s+with\s+{_QUALIFIER}(?P<n>{NUMBER})\s+(?:other|others|more|of)\b",
                                re.I)


_ONE_KILLED_ALONGSIDE = re.compile(
    rf"\b(?:was|has been|had been)\s+(?:also\s+)?(?:killed|shot dead|slain|murdered|gunned down)\s+"
    rf"(?:along\s+with|together\s+with|alongside)\s+(?:(?:an?|his|her|one)\s+|(?P<n>{NUMBER})\s+(?:other\s+)?)"
    rf"(?:[\w-]+\s+){{0,2}}?(?:{_VICTIM_NOUNS}|wife|husband|sons?|daughters?|brothers?|companions?|colleagues?)\b",
    re.I)


# Victims named in a list after their plural role: "sergeants Ruiz and Mena died in hospital",
# "soldiers Kabila, Ntumba and Mwamba were killed"
_NAMED_LIST = (r"(?P<names>(?-i:[A-Z][\w'’-]+)(?: (?-i:[A-Z][\w'’-]+)){0,2}"
               r"(?:, (?-i:[A-Z][\w'’-]+)(?: (?-i:[A-Z][\w'’-]+)){0,2})*,? and (?-i:[A-Z][\w'’-]+)(?: (?-i:[A-Z][\w'’-]+)){0,2})")
_NAMED_DEAD = re.compile(
    rf"\b(?:inspectors|officers|policemen|constables|sergeants|corporals|soldiers|gendarmes|guards|journalists|"
    rf"reporters|activists|brothers|sisters|colleagues|students|teachers|priests|nuns|workers|doctors|nurses) "
    rf"{_NAMED_LIST}(?:[^.;:]{{0,60}}?\b(?:and|later|subsequently|both) )?\s*(?:(?:were|have been|had been) "
    rf"(?:killed|shot dead|murdered|slain|found dead)|died|lost their lives|succumbed)\b", re.I)
_NAME_SEPARATOR = re.compile(r",? and |, ")


def _one_victim(text: str, starts: Sequence[int] | None = None) -> int | None:
    """Start of the first report of one victim told without a number, if any."""
    found = [m.start() for pattern in _KILLED_ONE for m in [next(_scan(pattern, text, len(text), starts), None)]
             if m is not None]
    return min(found) if found else None


def find_casualties(text: str, starts: Sequence[int] | None = None, anchor: int | None = None) -> Casualties:
    """The first figure of killed and of injured in `text`.

    `anchor`: where in `text` the word of the incident the figures are read for stands. Of several tolls told before
    it the nearest is its own ("In May, 49 bodies were dumped near the city and 52 people died in an arson attack":
    52 for the arson attack); with none before it, the first after it.

    `starts`: where a figure may start in `text` (sorted, 0 included): figure_starts(text), or those of a longer
    text that lie inside this slice of it, shifted (a match inside the slice holds what FIGURE_STARTS needs there,
    and position 0 stands for the slice's own start). The same figures, found by trying the patterns only there.
    """
    killed, killed_q = _first_figure(_KILLED, text, _KILLED_KEYWORDS, starts, anchor)
    if killed is None:
        along = _KILLED_ALONG_WITH.search(text)
        others = parse_number(along.group("n")) if along is not None else None
        if others:  # "he was killed along with two other militants": the one and the others
            killed, killed_q = others + 1, _qualifier(along.group("q"), along.group("n"))
    if killed is None:
        named = _NAMED_DEAD.search(text)
        if named is not None:  # "police inspectors Ana Ruiz and Jose Mena ... died": one per name
            killed, killed_q = len(_NAME_SEPARATOR.split(named.group("names"))), ""
    if killed is None and _one_victim(text, starts) is not None:
        killed, killed_q = 1, ""
    if killed == 1:
        # "another ranger was killed alongside a suspected militant", "an officer was shot dead along with his
        # driver": one victim told, and the one (or the number) killed with them
        along = _ONE_KILLED_ALONGSIDE.search(text)
        if along is not None:
            killed += parse_number(along.group("n")) if along.group("n") else 1
    injured, injured_q = _first_figure(_INJURED, text, _INJURED_KEYWORDS, starts)
    return Casualties(killed=killed, injured=injured, killed_qualifier=killed_q, injured_qualifier=injured_q)


# "the death toll rose to 17", "bringing the toll to 40", "the number of dead has climbed to 40": a later report
# that replaces the story's toll
TOLL_RISE = re.compile(r"\b(?:(?:toll|number of (?:the )?(?:dead|deaths|people killed|victims)|tally)\b[^.;]{0,60}?"
                       r"\b(?:rose|risen|rising|rises|climbed|climbs|jumped|jumps|increased|increases|mounted|mounts|went up|goes up|"
                       r"has reached|had reached|reaches|hits|"
                       r"now stands|is now)\b|(?:bringing|brought|raising|raised|pushing|pushed|taking|took) "
                       r"(?:to \S+(?: \S+)?? )?the (?:(?:overall|total|death|official) )*(?:toll|number of (?:the )?"
                       r"(?:dead|deaths|people (?:killed|who died)|victims))\b)", re.I)
# "A total of 24 fighters were killed in the attacks", "In all, five have died": a sum over several incidents or
# over a period, the story's own toll only when it tells no other
TOTAL = re.compile(r"(?:^|[,;:(]\s*)(?:in all|altogether|all told|overall|in total|a total of)\b"
                   # "bombardment of two towns killed 31", "three separate bombings killed 40": summed over places
                   # "four homicides in ten days", "two fatal shootings": a count of killings sums their victims
                   r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|multiple|separate)\s+(?:[\w-]+\s+){0,2}?"
                   r"(?:towns|villages|cities|districts|provinces|regions|neighbou?rhoods|locations|bombings|blasts|"
                   r"explosions|raids|attacks|incidents|murders|homicides|killings|shootings|stabbings)\b", re.I)
# "killed 19 people as they intensified their campaign of attacks", "a wave of bombings that killed 80": a toll of a
# series is no one incident's (nor a total of what the story told before it)
SERIES = re.compile(r"\b(?:series|wave|spate|string|campaign|spree|rash)\s+of\s+(?:[\w-]+\s+){0,2}?(?:attacks|bombings|"
                    r"blasts|explosions|raids|killings|shootings|massacres|ambushes|assaults|strikes)\b", re.I)
_VAGUE_VALUES = frozenset(VAGUE.values())
# "no casualties were reported on either side", "no one was killed or hurt", "caused no casualties": nobody died (not
# "no immediate reports of casualties", which is not knowing; not "no casualties among foreign troops", a part)
NO_ONE_KILLED = re.compile(r"\b(?:no(?:\s+one|body)|none\s+of\s+them)\s+(?:was|were|has\s+been|had\s+been|is)\s+(?:\w+\s+)?"
                           r"(?:killed|hurt|injured|wounded|harmed)\b|\bno(?:\s+one|body)\s+died\b"
                           r"|\b(?:no|without)\s+(?:casualties|deaths|fatalities|loss\s+of\s+life)\b(?!\s+among)", re.I)
# "up to 2,000 people have been killed since the offensive began", "the toll from two days of shelling", "killed so
# far this year": a toll over a period, of a campaign or of many incidents, the story's own toll only when it tells
# no other
_SINCE = (rf"since\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTH_NAME}|\d{{4}}\b|last\s+(?:year|month|spring|summer|autumn|fall|"
          rf"winter|{_MONTH_NAME})|the\s+(?:start|beginning|outbreak|end|launch)\s+of"
          rf"|(?:its|their|the\s+group['’]s)\s+(?:inception|founding|foundation|creation|formation|emergence)\b"
          rf"|(?:[\w'’-]+\s+){{1,6}}?"
          rf"(?:began|begun|started|launched|erupted|broke\s+out|took\s+(?:over|power|office)))")
PERIOD_TOTAL = re.compile(
    rf"\b(?:killed|died|dead|deaths|lives|toll|casualties)\b[^.;]{{0,50}}?\b{_SINCE}"
    rf"|\b(?:toll|casualties|killed|dead|died)\s+(?:from|in|over|during|after)\s+(?:the\s+)?(?:past\s+|last\s+)?"
    rf"(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+(?:days|weeks|months|years)\b"
    rf"|\b(?:killed|died|dead|deaths|lives|toll)\s+(?:[\w-]+\s+){{0,3}}?(?:(?:so\s+far\s+)?this\s+year|(?:in|over|during)\s+"
    rf"the\s+(?:past|last)\s+(?:\w+\s+)?(?:weeks|months|years|decades?))\b",
    re.I)


# A headline is the story's first line and ends no sentence; its lead follows within a few lines (a dateline, a byline)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s*$")
HEADLINE_REACH = 400


def story_figure(reports: Iterable[tuple[int, int, str, str]]) -> int:
    """The one figure a story tells for an incident, from its reports (where in the story, figure, qualifier, sentence).

    A story gives its toll first (headline, lead); the figures it adds later are parts of it ("two of the dead were
    children"), tolls of other incidents it recalls ("the deadliest since May, when 82 people died") or running
    totals, so the first figure is the story's. A vague figure ("kills dozens") and a total ("in all, 300 have been
    killed this year") give way to an exact figure of its own, and a later report that the toll rose replaces it.
    """
    told = sorted(reports)
    if not told:
        raise ValueError("story_figure: a story that reports no figure tells none")
    told = [report for report in told if not PERIOD_TOTAL.search(report[3])] or told
    told = [report for report in told if report[1]] or told  # "no one was killed" gives way to any toll
    own = [(position, value, sentence) for position, value, qualifier, sentence in told
           if not (qualifier == "at least" and value in _VAGUE_VALUES) and not TOTAL.search(sentence)
           and not SERIES.search(sentence)]
    if not own:
        return max(value for _, value, _, _ in told)
    # a headline's figure gives way to the lead's told right after it ("Ten killed in suicide attack" / "a suicide
    # bomber killed at least 15 people"): the lead is written in full, with the latest figure
    if len(own) > 1 and own[0][0] == 0 and not _SENTENCE_END.search(own[0][2]) and own[1][0] <= HEADLINE_REACH \
            and not TOLL_RISE.search(own[0][2]):  # "Toll in Tete blast rises to 30": the headline has the latest
        own = own[1:]
    first_at, figure, _ = own[0]
    # a toll's rise, or a total that sums what the story told before it ("In all, five were killed"), replaces it
    later = [value for position, value, _, sentence in told
             if position > first_at and (TOLL_RISE.search(sentence) or TOTAL.search(sentence))]
    return later[-1] if later else figure


def incident_figure(reports: Iterable[tuple[int | None, str, str, int, str] | tuple[int | None, str, str, int, str, bool]]
                    ) -> tuple[int | None, str, str]:
    """An incident's figure, its qualifier, and every report with its sources ("at least 20 (doc1); 25 (doc2)").

    `reports` are (figure or None, qualifier, doc, where in the doc, sentence[, dated]), one per mention. Each
    document tells one figure (`story_figure`); the highest of the documents' figures is the incident's (tolls rise
    from one report to the next), and an exact report of it wins over a qualified one. When some reports of a
    document come from mentions that carry a date (`dated`, True when not given) its figure is theirs: an undated
    figure joined the incident by its place alone ("one of those strikes killed nine in the city") and may be another
    incident's.
    """
    found: dict[tuple[int, str], set[str]] = {}
    by_doc: dict[str, tuple[list[tuple[int, int, str, str]], list[tuple[int, int, str, str]]]] = {}
    for value, qualifier, doc, position, sentence, *rest in reports:
        if value is not None:
            found.setdefault((value, qualifier), set()).add(doc)
            by_doc.setdefault(doc, ([], []))[0 if not rest or rest[0] else 1].append((position, value, qualifier, sentence))
    if not found:
        return None, "", ""
    text = "; ".join(f"{q + ' ' if q else ''}{v} ({', '.join(sorted(d))})" for (v, q), d in sorted(found.items()))
    best = max(story_figure(dated or undated) for dated, undated in by_doc.values())
    qualifier = "" if (best, "") in found else min(q for v, q in found if v == best)
    return best, qualifier, text


# "Eleven soldiers, including an army captain, and a civilian were killed": a clause cut at ", and" that begins with
# victims and their verb ends a list of victims the clause before began, and that clause tells nothing else
_ANY_QUALIFIER = _QUALIFIER.replace("?P<q>", "?:")
_LIST_HEAD = re.compile(rf"(?<![\w-]){_ANY_QUALIFIER}(?:{_COUNT}) {_VICTIMS}(?:,\s+(?:including|among them)\s+[^,;]{{1,60}}?)?"
                        rf"(?:,\s+{_ANY_QUALIFIER}(?:{_COUNT}) {_VICTIMS})*\s*$", re.I)
_COUNT_FIRST = re.compile(rf"\s*{_ANY_QUALIFIER}(?:{_COUNT})\s", re.I)
LIST_REACH = 200


def ends_a_list_of_victims(before: str, clause: str) -> bool:
    """Whether `clause` (after ", and") names the last victims of a list that `before` (the clause before it) began
    and tells nothing else of: its figure is read from where `before` starts."""
    before = before[-LIST_REACH:]
    return (_COUNT_FIRST.match(clause) is not None and CASUALTY_CUES.search(before) is None
            and _LIST_HEAD.search(before) is not None)
