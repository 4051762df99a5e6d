"""Incident mentions: clauses that report something that happened, with type, date, place, casualties and actors.

One sentence may report several incidents ("attacking a mosque in X in August and a rally in Y in October"), and
one incident is often named in one sentence and dated in another ("lost control of a refinery in October" ...
"recaptured the refinery"). So a sentence is cut into clauses, each trigger gathers the places and dates nearest
to it, and what a clause lacks is borrowed from the paragraph or from an earlier mention of the same facility.
Opinion, prediction and generic statements carry no date or place of their own and never start an incident.
"""

from __future__ import annotations

import re
from collections import Counter, abc
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from math import atan2, cos, degrees, radians, sqrt
from typing import Sequence

from events.casualties import (CASUALTY_CUES, NO_ONE_KILLED, PERIOD_TOTAL, Casualties, ends_a_list_of_victims,
                               figure_starts, find_casualties, parse_number)
from events.corpus import Document
from events.dates import DateMention, _tense, tells_the_day_just_told
from events.gazetteer import DIRECTIONS, Place, distance_km, normalize
from events.lexicon import Lexicon, Trigger, default_lexicon, read_data_csv
from events.places import PlaceMention, _demonyms, default_gazetteer
from events.sentences import Sentence, find_datelines, split_sentences
from events.settings import DATA_DIR

# Characters either side of a trigger that its mention reads for figures and for "in a separate incident": news
# sentences are far shorter (the longest in the benchmark corpora has 622), but a megabyte without a stop would
# otherwise be reread whole for every mention in it.
READ_WINDOW = 2000

# How specific a place is: a landmark beats a city beats a region beats a country.
PLACE_RANK = {"landmark": 6, "city": 5, "admin2": 4.5, "admin1": 4, "region": 3, "country": 2, "continent": 1}
PRECISION_RANK = {"day": 7, "week": 6, "month": 5, "season": 4, "quarter": 4, "year": 3, "decade": 2, "century": 1}

# others who act after the incident ("and police found his body Friday"): a predicate of its own
_FINDERS_ACT = (r"(?:the\s+)?(?:police|authorities|officials|investigators|rescuers|troops|soldiers|villagers|"
                r"residents|workers)\s+(?:later\s+|then\s+)?(?:found|discovered|recovered|arrested|detained|pulled)\b")
_CLAUSE_BREAK = re.compile(r";|:\s+|,\s+(?:and|but|while|whereas|although)\s+|\s+—\s+|\s+--\s+|—(?=\w)"
                           r"|\s+since\s+(?=(?:the\s+|a\s+|an\s+)?(?:[a-z-]+\s+){0,3}(?:[a-z]+ed|began|broke|erupted|"
                           r"took|came|fell|started|was|were|had|have)\b)"
                           # "... a store owner they took hostage and police found his body Friday": the finding is
                           # its own predicate, its day not the hostage-taking's
                           rf"|\s+and\s+(?={_FINDERS_ACT})"
                           # "the worst since Jan. 19, when a bomber blew himself up": the day and what the
                           # "when" clause tells are another incident than the one measured against it
                           r"|\s+since\s+(?=(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
                           r"(?:st|nd|rd|th)?(?:,?\s+\d{4})?,\s+when\s)")
_AND_BREAK = re.compile(r",\s+and\s+", re.I)
_OWN_PREDICATE_BEFORE = re.compile(rf"\band\s+{_FINDERS_ACT}[^,;]*$")
_OWN_PREDICATE = re.compile(_FINDERS_ACT)
_HYPOTHETICAL = re.compile(r"\b(?:will|would|could|might|should|must|can|cannot|can't|won't|wants? to|hopes? to|plans? to|threatened to|intends? to|(?:is|are|was|were) (?:expected|likely|set|due|scheduled|poised) to)\b", re.I)
_CONDITIONAL = re.compile(r"^\W*(?:if|unless|whether|should)\b|\bif\b", re.I)
SECONDARY_WINDOW = 120  # "backed by" and two words end within this many characters before the trigger
_SECONDARY = re.compile(r"(?:backed by|with the (?:help|support|backing) of|supported by|aided by|under cover of)\s+(?:[^\s,;]+\s+){0,2}$", re.I)
_ANAPHORA = re.compile(r"\b(?:the|that|this)\s+(town|city|village|area|region|country|district|province)\b", re.I)
_REPORT_VERBS = (r"said|says|reported|reports|announced|told|stated|confirmed|added|released|published|declared|warned|"
                 r"wrote|sentenced|convicted|arrested|charged|jailed|detained|indicted|acquitted|exonerated|condemned|"
                 r"denounced|voiced|vowed|urged|pledged|expressed|welcomed|critici[sz]ed|quoted|revealed|disclosed|"
                 r"admitted|insisted|blamed|accused|denied|demanded|appealed|mourned|buried|cremated|held|attended")
_REPORTING = re.compile(rf"\b(?:{_REPORT_VERBS})\s+(?:\w+ly\s+)?(?:on\s+|late\s+|early\s+)?$", re.I)
# "The Commission on Thursday condemned the attack": the date introduces a statement, not the attack
_DAYS_OWN = re.compile(r"['’]s?\s+[a-z]")  # "Monday's attack", "last week's bombing": the day of the noun after it
_REPORTING_AFTER = re.compile(rf"^\s*(?:\w+ly\s+)?(?:{_REPORT_VERBS})\b", re.I)  # ", said X" attributes the clause
# '"... burned down part of the village," said N.N., head of the youth group, on Sunday': the day the quote was said
_QUOTE_SAID_BEFORE = re.compile(r"[,.!?][\"”’']\s*(?:said|says|told|added|stated|wrote)\s+[^\"“”.;!?]{1,120}?,?\s+"
                                r"(?:on\s+|late\s+|early\s+)?$", re.I)
_MODIFIER_NOUNS = re.compile(r"^[’']?s?\s*(?:-led\s+|-backed\s+)?(?:government\s+|military\s+|special\s+|security\s+|drone\s+|missile\s+|navy\s+|naval\s+|air\s+force\s+)?(?:air ?strikes?|strikes?|planes?|aircraft|jets?|warplanes|officials|authorities|leaders?|president|prime minister|forces|troops|army|police|militias?|soldiers|fighters|military|government|intelligence|embassy|citizens?|nationals?|passport|coalition|officials?|diplomats?|ambassador|airlines?|air force|navy)\b", re.I)
_AGENT_VERBS = re.compile(r"^,?\s+(?:also\s+|then\s+|has\s+|have\s+|had\s+|later\s+)*(?:carried out|launched|conducted|said|says|announced|claimed|vowed|pledged|sent|deployed|accused|blamed|denied|warned|threatened|called|responded|retaliated)\b", re.I)
_SOURCE_BEFORE = re.compile(r"\b(?:confirmed|reported|announced|denied|heard|reports?|word|news|dispatch(?:es)?|"
                            r"statements?|broadcasts?|sources?) from\s+(?:the\s+)?$", re.I)
_NOT_HAPPENED = re.compile(r"\b(?:plot(?:s|ted|ting)?|plann(?:ed|ing)|foiled|thwarted|prevented|averted|threat(?:s|ened)? (?:of|to)|fears? (?:of|an?)|risk of|warn(?:ed|ing|s)? (?:of|against)|warnings?|prepar(?:ed|ing) (?:an?|to))\b(?:(?!\b(?:after|following|when|once|because)\b)[^.;]){0,60}$", re.I)
# "accused of killing ...", "convicted of": who did it is alleged, and a charge alone says neither when nor whether;
# an incident the clause dates well before the story ("accused of killing three people in Lyon last year") happened
_ALLEGED = re.compile(r"\b(?:accused of|charged with|convicted of|suspected of|pleaded (?:not )?guilty|pleads (?:not )?guilty|guilty of|on suspicion of)\b(?:(?!\b(?:after|following|when|once|because)\b)[^.;]){0,60}$", re.I)
RETOLD_DAYS = 30  # a date this long before publication is an old incident's, not a charge's
# "since Jan. 19, when a bomber struck": the day of what the "when" clause tells, not only a period's bound
_WHEN_AFTER = re.compile(r",\s+when\s")
_PERIOD_BOUND = re.compile(r"\b(?:since|until|till|by|through|throughout)\s+(?:the\s+|early\s+|late\s+|mid-?)?$", re.I)
_MODAL_BEFORE = re.compile(r"\b(?:will|would|could|might|should|may|must|can|cannot|won't|wouldn't)\b(?:\s+\w+){0,3}\s*$", re.I)
_ADJECTIVAL = re.compile(r"^[’']?s?\s+[a-z][a-z-]+", re.U)
_KEEP_AFTER = re.compile(r"^[’']?s?\s+(?:and|or|but|in|on|at|of|for|from|to|with|by|as|after|before|during|since|near|into|over|under|against|was|were|is|are|has|had|have|that|which|who|where|when|while|where|last|this|earlier|later|attacks?|bombings?|shootings?|massacres?|blasts?|explosions?|crash|sieges?|battles?|offensive|raids?|strikes?|airstrikes?|border|coast|capital|province|region|city|town)\b", re.I)
# "the invasion of Kuwait until ...", "troops pulled out of Lebanon in 2000": a country after a preposition is a noun
# (its object), never an adjective, whatever word follows it
_OBJECT_BEFORE = re.compile(r"\b(?:of|in|into|from|to|against|across|over|near|inside|outside|throughout|towards?|"
                            r"within|at)\s+$", re.I)
_LOCATIVE = re.compile(r"(?:\b(?:in|at|near|outside|inside|over|across|around|on|into)\s+(?:the\s+)?(?:[a-z-]+\s+)?|\b(?:town|city|village|capital|province|region|district|port|area|outskirts|suburbs?)\s+of\s+)$", re.I)
_DETERMINER = r"(?:the|this|that|these|those|its|their|his|her|such)"
_NEW_CUE = (r"(?:a|an|another|new|latest|fresh|second|third|fourth|fifth|separate|similar|earlier|previous|first|last|"
            r"recent|other|further|more|renewed|one|two|three|several|many|some)")
_ANOTHER = re.compile(r"\b(?:another|new|latest|fresh|second|third|fourth|fifth|separate|similar|renewed|further)\s+"
                      r"(?:[\w-]+\s+){0,2}$", re.I)
# Between a definite mention and a later date of its clause: another incident the date belongs to ("where a similar
# incident took place on June 3", "after an earlier attack in May")
_OTHER_INCIDENT_BETWEEN = re.compile(r"\b(?:where|when|after|before|since|as|like|following)\s+(?:an?\s+|the\s+)?"
                                     r"(?:another|similar|earlier|previous|prior|separate|last)\s+", re.I)
# "two separate explosions", "three separate attacks": told apart from each other, not from the incident just told
# (a story's lead often counts its news so)
_COUNTED_SEPARATE = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|multiple|both)\s+"
                               r"separate\s+(?:[\w-]+\s+){0,2}$", re.I)
# "a similar mine attack", "another bombing": unlike "new" or "latest" (often the story's own news), these words say
# the incident is not one the story told before
# ("two separate explosions" are apart from each other, not from what the story told)
_APART = re.compile(r"(?:\b(?:another|similar)|(?<![\w-])(?:a|an)\s+(?:second|third|fourth|fifth|separate|similar))\s+"
                    r"(?:[\w-]+\s+){0,2}$", re.I)
# "fired on two boys shortly after a suicide bombing": an earlier (or later) incident of the same day, told in passing
# inside another incident's clause: its own mention beside the clause's main one, never merged with it
_IN_PASSING = re.compile(r"\b(?:shortly|soon|hours|minutes|moments|just|immediately)\s+(?:after|before)\s+"
                         r"(?:a|an)\s+(?:[\w-]+\s+){0,2}$", re.I)
_DEFINITE_BEFORE = re.compile(rf"(?:\b{_DETERMINER}|['’]s)\s+(?:(?!{_NEW_CUE}\b)[\w-]+\s+){{0,3}}$", re.I)
_NEW_BEFORE = re.compile(rf"\b{_NEW_CUE}\s+(?:[\w-]+\s+){{0,2}}$", re.I)
# the words between a specifier and its noun: not a finite verb ("The rebels have stepped up attacks": the determiner
# is another noun's, the plural stays bare)
_SPECIFIED_BEFORE = re.compile(
    rf"(?:\b(?:{_DETERMINER}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|both|twin|double|triple|"
    rf"\d+)|['’]s)\s+(?:(?!(?:have|has|had|is|are|was|were|been)\b)[\w-]+\s+){{0,3}}$", re.I)
_VERB_FIRST = re.compile(r"^(?:\w+ed|threw|thrown|took|taken|shot|fell|blew|hit|struck|overran|overrun|retook|drove|"
                         r"driven|set|burnt|open|opens|kill|kills|seize|seizes|retake|retakes|recapture|recaptures|lost|"
                         r"won|fought|led|began|broke|made|held|sent|went|came|ran|lobbed|tossed|hurled|gunned|pushed|"
                         r"forced|regained|wrested|restored|liberated|lifted|rammed|torched|beheaded|massacred)\b",
                         re.I)
_SEPARATE = re.compile(r"\b(?:in (?:a|another) (?:separate|different|similar|related|new|second) (?:incident|attack|"
                       r"development|case|operation)|separately|elsewhere|in another (?:incident|attack)|"
                       r"in an earlier (?:incident|attack))\b", re.I)
# "Earlier in the day, a man was gunned down at his home in X": a sentence that opens by setting its news before or
# after the incident just told, on the same day, tells another one
_SAME_DAY_APART = re.compile(r"\W*(?:(?:earlier|later)\s+(?:in\s+the\s+day|that\s+day|on\s+the\s+same\s+day)|"
                             r"hours\s+(?:earlier|later)|(?:earlier|later)\s+on\s+(?:\w+day)),", re.I)
# "Four insurgents on motorcycles also shot a rubber buyer in X": a sentence whose subject is new (indefinite) actors
# that "also" acted tells another incident than the one told before ("The attackers also opened fire" does not)
_NEW_ACTORS_ALSO = re.compile(r"\W*(?:a|an|two|three|four|five|six|seven|eight|nine|ten|\d+|several|unidentified|"
                              r"unknown)\s+(?:[\w-]+\s+){0,5}?also\s+$", re.I)
# What may stand between a noun of incident and its own date: its object ("the killing of six people last summer",
# "the attack on Kenyan troops"), its place ("in Mogadishu"), a relative clause that tells its toll ("the clashes that
# killed 470 people in June 2010", "a bomb attack on a police station that killed four officers in 2015"), then the
# date's preposition. A date so placed dates the noun, whatever day the sentence's main verb (a trial, a sentencing,
# a gathering) is given.
_BOUND_OBJECT = (r"(?:(?:deaths?|killings?|rampage|spree)\s+)?(?:(?:of|on|against)\s+(?:(?:[a-z\d][\w-]*\s+){1,4}|"
                 r"(?:[a-z][\w-]*\s+){0,3}(?:(?-i:[A-Z])[\w'’.-]*\s+){1,4}))?")
_BOUND_PLACE = r"(?:(?:in|at|near|outside|on)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w'’.-]*,?\s+){1,4})?"
_BOUND_TOLL = (r"(?:,?\s*(?:which|that)\s+(?:killed|left|claimed|wounded|injured|destroyed)\s+"
               r"(?:[\w-]+\s+){0,5}?)?")
_BOUND_AFTER = re.compile(rf"\s*(?:\(\s*)?{_BOUND_OBJECT}{_BOUND_PLACE}{_BOUND_TOLL}"
                          r"(?:(?:on|in|at|of|during|over|early|late|last|this)\s+)*$", re.I)
# "the attack, which had occurred on Thursday", "which occurred at midday Monday", "the clashes which took place mostly
# on Tuesday", "The attack took place Thursday afternoon": the relative clause (or the noun's own predicate) dates it
_BOUND_CLAUSE_AFTER = re.compile(r"\s*,?\s*(?:(?:which|that)\s+)?(?:(?:had|has|have|reportedly|apparently)\s+)*"
                                 r"(?:took place|occurred|happened|was carried out|came|struck|"
                                 r"began|started|erupted|broke out)\s+"
                                 r"(?:(?:on|in|at|early|late|around|about|midday|noon|dawn|dusk|mid-?morning|\w+ly)\s+)*$", re.I)
# Between a date and the trigger it dates: "Sunday's (grenade) attack"; "the weekend attack"
_POSSESSIVE_GAP = re.compile(r"['’]s?(?:\s+[\w-]+){0,3}\s+")
_PREMODIFIER_GAP = re.compile(r"(?:\s+[\w-]+){0,3}\s+")
_DETERMINER_BEFORE = re.compile(rf"(?:\b(?:{_DETERMINER}|a|an)|['’]s)\s+$", re.I)  # "the|a March attack"


def _is_verb(trigger: str) -> bool:
    return bool(_VERB_FIRST.match(trigger))


# "On May 2, in what was the worst single massacre of the insurgency, 300 people were killed in X": "the worst
# massacre" describes the clause's own incident by comparison with all others; it refers back to none
_DESCRIBED_AS_SUPERLATIVE = re.compile(r"\bin\s+what\s+(?:[\w-]+\s+){0,2}?(?:is|was|has\s+been|had\s+been|were|are)\s+"
                                       r"(?:[\w-]+\s+)?the\s+(?:[\w-]+\s+){0,3}$", re.I)


def _is_definite(text: str, trig: Trigger, c_start: int) -> bool:
    """'the attack', 'Sunday's grenade attack', 'this bombing': a noun that refers to an incident already known."""
    if _is_verb(trig.text):
        return False
    before = text[max(c_start, trig.start - 60):trig.start]
    if _DESCRIBED_AS_SUPERLATIVE.search(before):
        return False  # "in what is the worst single massacre of the war": a description, not a reference back
    return bool(_DEFINITE_BEFORE.search(before)) and not _NEW_BEFORE.search(before)


_AGGREGATE_BEFORE = re.compile(r"\b(?:(?:string|series|wave|spate|number|campaign|catalogue|litany|history|years|months)|"
                               # "X has been the frequent scene of bombings": a place's history, not one incident
                               r"(?:has|have|had)\s+been\s+(?:the|a)\s+(?:[\w-]+\s+)?(?:scene|site|target)s?)\s+of\s+"
                               r"(?:[\w-]+\s+){0,2}$", re.I)


def _is_plural_noun_text(trigger: str) -> bool:
    word = trigger.lower()
    return not _is_verb(trigger) and word.endswith("s") and not word.endswith(("ss", "us"))


def _is_plural_noun(trig: Trigger) -> bool:
    return _is_plural_noun_text(trig.text)


# "Air raids killed at least 16 civilians in X": a plural whose own past-tense verb tells one toll reports one incident
_ONE_TOLL_AFTER = re.compile(r"\s+(?:killed|wounded|injured)\s+(?:at\s+least\s+|more\s+than\s+|about\s+|some\s+)?"
                             r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens)\b", re.I)


# "murders across the state dropped to 339 in August": a count that rises or falls is a statistic of its period
_STATISTIC_AFTER = re.compile(r"\s+(?:[\w,'’-]+\s+){0,4}?(?:(?:have|has|had)\s+)?(?:dropped|fell|rose|declined|decreased|"
                              r"increased|climbed|jumped|soared|doubled|tripled|halved|dipped|surged|spiked)\s+"
                              r"(?:[\w-]+\s+){0,2}?(?:to|by|from)\s", re.I)


def _is_statistic(text: str, trig: Trigger, c_start: int) -> bool:
    """A bare plural whose number rises or falls ('homicides fell by a third in May'): a count, not an incident,
    whatever period it names."""
    return _is_plural_noun(trig) and not _SPECIFIED_BEFORE.search(text[max(c_start, trig.start - 60):trig.start]) \
        and bool(_STATISTIC_AFTER.match(text, trig.end))


# "after months of shelling", "years of fighting", "the month-long battering": a mass noun told over a long period is a
# campaign, not one incident
# "months of", "years of", "month-long": a span long enough to hold a campaign, not one incident
_LONG_PERIOD = r"\b(?:(?:months|years|decades)\s+of|(?:month|months|year|years|decade)[- ]long)\s+(?:[\w-]+\s+){0,2}"
_LONG_PERIOD_OF = re.compile(_LONG_PERIOD + "$", re.I)


def _is_generic(text: str, trig: Trigger, c_start: int) -> bool:
    """A bare plural ('near-daily attacks', 'a string of recent murders'): a kind of event, not one incident."""
    if not _is_plural_noun(trig) or _ONE_TOLL_AFTER.match(text, trig.end):
        return False
    before = text[max(c_start, trig.start - 60):trig.start]
    return bool(_AGGREGATE_BEFORE.search(before)) or not _SPECIFIED_BEFORE.search(before) \
        or bool(_VAGUE_COUNT_BEFORE.search(before))


# "carrying out several high-profile attacks in 2024": a count no one made names no incidents (with no day, a kind)
_VAGUE_COUNT_BEFORE = re.compile(r"\b(?:several|many|numerous|multiple|various|countless)\s+(?:[\w-]+\s+){0,3}$", re.I)


# "since late last month", "throughout March": a month that opens or spans a period, not the day of one incident
_PERIOD_BEFORE = re.compile(r"\b(?:since|throughout|through|over|during)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _undated_or_period(text: str, date_: DateMention | None) -> bool:
    """A bare plural is a kind of event when it has no day: no date, a year, or a month that opens a period ('have
    stepped up attacks since late last month'). A month alone ('attacks in March killed 40') still dates incidents
    a reader can brief from."""
    if date_ is None or PRECISION_RANK.get(date_.precision, 0) <= PRECISION_RANK["year"]:
        return True
    return date_.precision == "month" and bool(_PERIOD_BEFORE.search(text, max(0, date_.start - 30), date_.start))


def _is_campaign(text: str, trig: Trigger, c_start: int) -> bool:
    """'after months of shelling', 'years of fighting', 'the month-long battering': a mass noun told over months or
    years names a campaign, not one incident, whatever day its clause names ('took control of the city on May 2, after
    months of shelling')."""
    if _CAMPAIGN_TOLL_BEFORE.search(text, max(c_start, trig.start - 80), trig.start):
        return True  # "the month-long battering that killed hundreds": the toll of the campaign
    if trig.text.lower().split(" ", 1)[0] in _ENGAGED_PARTICIPLES \
            and _FORCES_ENGAGED_BEFORE.search(text, max(c_start, trig.start - 30), trig.start):
        return True  # "a grim assessment for Afghan forces fighting the Taliban": who they are, not a battle
    return not _is_verb(trig.text) and trig.text.lower().endswith("ing") \
        and bool(_LONG_PERIOD_OF.search(text, max(c_start, trig.start - 60), trig.start))


# "the group began attacking Kenya in 2011", "rebels started raiding villages": the start of a campaign
_BEGAN_BEFORE = re.compile(r"\b(?:began|begun|begin|begins|started|starts|start)\s+$", re.I)


def _began_doing(text: str, trig: Trigger, c_start: int) -> bool:
    """A gerund after 'began'/'started' with no day of its own: the start of a campaign, not one incident."""
    first = trig.text.split(" ", 1)[0]
    return first.lower().endswith("ing") and bool(_BEGAN_BEFORE.search(text, max(c_start, trig.start - 20),
                                                                        trig.start))


# "forces fighting the rebels", "troops battling insurgents": a participle telling who the forces are (their war)
_ENGAGED_PARTICIPLES = frozenset({"fighting", "battling", "combating", "combatting"})
_FORCES_ENGAGED_BEFORE = re.compile(r"\b(?:forces|troops|soldiers|armies|army|militias?|fighters|rebels|insurgents|"
                                    r"militants|police|units|coalition|allies)\s+$", re.I)
_CAMPAIGN_TOLL_BEFORE = re.compile(_LONG_PERIOD + r"(?:that|which)\s+(?:has\s+|have\s+|had\s+)?$", re.I)


_COUNTED_BEFORE = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+|several|a few|"
                             r"a number of)\s+(?:[\w-]+\s+){0,2}$", re.I)
_OVER_PERIOD = re.compile(r"\b(?:over|in|during|within|for)\s+the\s+(?:past|last|previous)\s+(?:[\w-]+\s+)?"
                          r"(?:hours|days|weeks|months|years)\b", re.I)


PERIOD_WINDOW = 200  # characters either side of a counted plural where its period ("over the past week") is read


def _counted_over_period(text: str, trig: Trigger, c_start: int, c_end: int) -> bool:
    """'three suicide attacks over the past three days, leaving 10 dead': several incidents told as one sum, whose
    toll is no single incident's."""
    if not _is_plural_noun(trig):
        return False
    if not _COUNTED_BEFORE.search(text[max(c_start, trig.start - 40):trig.start]):
        return False
    # near the trigger only: a clause without stops may be a megabyte of such plurals
    return bool(_OVER_PERIOD.search(text, max(c_start, trig.start - PERIOD_WINDOW), min(c_end, trig.end + PERIOD_WINDOW)))


def _bound_dates(text: str, trig: Trigger, dates: Sequence[DateMention]) -> list[DateMention]:
    """The dates that date a definite mention itself: "Sunday's attack", "the weekend attack", "the attack on Sunday".

    Any other date in its clause belongs to what is said about it ("funerals were held on Tuesday for the victims of
    the attack"), so a definite mention without a bound date takes the date of the incident it refers to.
    """
    bound = []
    of = trig.text.lower().endswith(" of")  # "the killing of journalist Ana Lopez on May 3": its own day
    for d in dates:  # the gaps are matched in place, not copied out (a trigger of a long clause weighs many dates)
        if d.end <= trig.start:
            if _POSSESSIVE_GAP.fullmatch(text, d.end, trig.start) or (
                    _PREMODIFIER_GAP.fullmatch(text, d.end, trig.start)
                    and _DETERMINER_BEFORE.search(text[max(0, d.start - 12):d.start])):
                bound.append(d)
        elif d.start >= trig.end:
            if of:
                between = " of" + text[trig.end:d.start]
                after = _BOUND_AFTER.fullmatch(between) or _BOUND_CLAUSE_AFTER.fullmatch(between)
            else:
                after = (_BOUND_AFTER.fullmatch(text, trig.end, d.start)
                         or _BOUND_CLAUSE_AFTER.fullmatch(text, trig.end, d.start))
            if after:
                bound.append(d)
    return bound


_NAME = r"[A-Z][\w'’-]*"
_TARGET_AFTER = re.compile(rf"\s+(?:(?:of|on|against)\s+)?(?:(?:the\s+|a\s+|an\s+)?(?:[a-z][\w-]*\s+|\d+-year-old\s+)){{0,4}}?"
                           rf"((?:{_NAME}\s+){{0,4}}{_NAME})")
_TARGET_BEFORE = re.compile(rf"\b(?:the\s+)?((?:{_NAME}\s+){{0,2}}{_NAME})(?:['’]s)?\s+$")
_NOT_TARGET = re.compile(r"^(?:The|A|An|This|That|Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|January|"
                         r"February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|"
                         r"Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Israeli|Palestinian|US|U\.S\.)$")
TARGETED_TYPES = frozenset({"killing", "assassination"})


def _target(text: str, trig: Trigger) -> str:
    """The surname of a named victim ("the assassination of Industry Minister Pierre Gemayel" -> "Gemayel")."""
    if trig.type not in TARGETED_TYPES:
        return ""
    found = _TARGET_AFTER.match(text, trig.end, min(len(text), trig.end + 90))
    span = (found.start(1), found.end(1)) if found else None
    if span is None:
        before = _TARGET_BEFORE.search(text, max(0, trig.start - 40), trig.start)
        span = (before.start(1), before.end(1)) if before else None
    if span is None:
        return ""
    name = text[span[0]:span[1]].split()[-1]
    return "" if _NOT_TARGET.match(name) else name


_PAST = re.compile(r"\b(?:was|were|had|has been|have been|did)\b|\b\w+ed\b|\b(?:killed|struck|shot|took|fought|hit|blew|fell|drove|led)\b", re.I)


@dataclass(frozen=True)
class StoryTown:
    """A town a story is about, as the story writes it, and how it says so: its dateline ('dateline') or as the one
    town it names ('story')."""
    place: Place
    written: str
    source: str


@dataclass(frozen=True)
class IncidentMention:
    doc: str
    sentence_start: int
    sentence_end: int
    sentence: str
    paragraph: int
    type: str
    trigger: str
    trigger_start: int
    priority: int = 0
    date: DateMention | None = None
    date_from: str = ""  # clause, sentence, offset, coreference
    offset_days: int | None = None
    anchor_text: str = ""
    anchor_places: tuple[Place, ...] = ()
    place: Place | None = None
    place_text: str = ""
    place_from: str = ""  # clause, sentence, paragraph, coreference, demonym
    killed: int | None = None
    injured: int | None = None
    killed_qualifier: str = ""  # "at least", "more than", "about", "up to" or ""
    injured_qualifier: str = ""
    actors: tuple[str, ...] = ()
    facility: str = ""
    hypothetical: bool = False
    definite: bool = False  # "the attack", "this bombing": refers to an incident already told
    generic: bool = False  # a bare plural ("near-daily attacks"): a kind of event, not one incident
    separate: bool = False  # "In a separate incident, ...": never the incident just told
    told_apart: bool = False  # "Separately", "a similar attack": never any incident its story told before it
    in_passing: bool = False  # "shortly after a suicide bombing": another incident than its clause's main one
    unbound_date: DateMention | None = field(default=None, compare=False)  # a definite mention's clause date
    target: str = ""  # the named victim ("the killing of journalist Ana Ruiz" -> "Ruiz"): differing names, differing incidents
    places_seen: tuple[Place, ...] = field(default=(), compare=False)
    published: date | None = None  # the reporting document's publication date: nothing it reports happened later
    # an undated mention's likeliest day: the day its story tells nearest to it (see _dated_by_story_day); merging
    # uses it only for a mention that joins no incident without it
    story_day: DateMention | None = field(default=None, compare=False)
    # an unplaced mention's likeliest place: its story's one town, or else its one country (see _story_place); used
    # only for an incident none of whose mentions is placed
    story_place: Place | None = field(default=None, compare=False)
    # the towns its story is about, likeliest first: its dateline's town, the one town it names; an incident of the
    # story's days that its mentions place only at an area holding such a town (or nowhere) happened there (merge)
    story_towns: tuple[StoryTown, ...] = field(default=(), compare=False)

    @property
    def can_start_incident(self) -> bool:
        """A mention starts an incident only if it reports, rather than imagines, a placed and dated event."""
        if self.hypothetical or self.place is None:
            return False
        if self.priority <= WEAK_PRIORITY and self.date is not None and self.date.precision == "year":
            return False  # "2011, when 41 people were killed": a year's tally, not an incident
        # Undated in a story with a publication date (so its incidents could be dated), a place borrowed from an
        # incident told before ("In all, five were killed in the battles") makes it a reference, not a new incident.
        return self.date is not None or (self.killed is not None and bool(_PAST.search(self.sentence))
                                         and (self.place_from != "coreference" or self.published is None))


@dataclass(frozen=True)
class _NounTable:
    facilities: tuple[tuple[re.Pattern[str], str], ...]
    location_nouns: re.Pattern[str]
    actor_nouns: str
    sport: re.Pattern[str]
    accident: re.Pattern[str]
    armed: re.Pattern[str]
    mishap: re.Pattern[str]
    violent: re.Pattern[str]


@lru_cache(maxsize=1)
def _nouns() -> _NounTable:
    rows = read_data_csv(DATA_DIR / "reference_nouns.csv")
    facilities = tuple((re.compile(rf"\b(?:{r['noun']})\b", re.I), r["class"]) for r in rows if r["role"] == "facility")
    location = "|".join(r["noun"] for r in rows if r["role"] == "location")
    actors = "|".join(r["noun"] for r in rows if r["role"] == "actor")
    sport = "|".join(r["noun"] for r in rows if r["role"] == "sport")
    accident = "|".join(r["noun"] for r in rows if r["role"] == "accident")
    armed = "|".join(r["noun"] for r in rows if r["role"] == "armed")
    mishap = "|".join(r["noun"] for r in rows if r["role"] == "mishap")
    violent = "|".join(r["noun"] for r in rows if r["role"] == "violent")
    return _NounTable(facilities, re.compile(rf"^\s*(?:[\w-]+\s+)?(?:{location})\b", re.I), actors,
                      re.compile(rf"\b(?:{sport})\b", re.I), re.compile(rf"\b(?:{accident})\b", re.I),
                      re.compile(rf"\b(?:{armed})\b", re.I), re.compile(rf"\b(?:{mishap})\b", re.I),
                      re.compile(rf"\b(?:{violent})\b", re.I))


SPORT_CUES = 3  # distinct sports words that make "attack", "battle", "shot" read as a game's vocabulary
_GAME_TYPES = {"attack", "battle", "capture", "shooting", "recapture"}


def reads_as_sport(text: str) -> bool:
    return len({m.group(0).lower() for m in _nouns().sport.finditer(text)}) >= SPORT_CUES


_BARE_BLAST = re.compile(r"(?:blasts?|explosions?|exploded|detonated)", re.I)


def _accidental_blasts(text: str, triggers: Sequence[Trigger], sentences: Sequence[Sentence]) -> set[int]:
    """Starts of bare "blast"/"explosion" triggers that report an accident (a colliery gas blast), not a bombing.

    A blast is an accident when its sentence speaks of one (mines, gas, factories) and of nothing armed, or when the
    whole story does: "the blast took place at 1:50 p.m." in a story about miners is the same colliery blast.
    """
    nouns = _nouns()
    bare = [t for t in triggers if t.type == "bombing" and _BARE_BLAST.fullmatch(t.text)]
    if not bare or not nouns.accident.search(text):
        return set()
    story_accident = not nouns.armed.search(text)
    found = set()
    for t in bare:
        sentence = next((s for s in sentences if s.start <= t.start < s.end), None)
        said = sentence.text if sentence else text[max(0, t.start - 150):t.end + 150]
        if story_accident or (nouns.accident.search(said) and not nouns.armed.search(said)):
            found.add(t.start)
    return found


WEAK_PRIORITY = 30  # triggers at or below it (bare casualty reports) count only where nothing else names the incident
_NEGATED_BEFORE = re.compile(r"\b(?:no one|nobody|none|no|not|never|neither|nor)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _weak_triggers_dropped(text: str, triggers: Sequence[Trigger], sentences: Sequence[Sentence]) -> set[int]:
    """Starts of weak triggers ("two people were killed") that another word already names, or that report a mishap.

    A bare casualty report is an incident only when its sentence names nothing else (a crash, a bombing) and neither
    it nor its story reads as an accident or disaster without any sign of violence; "no one was killed" is none.
    """
    weak = [t for t in triggers if t.priority <= WEAK_PRIORITY]
    if not weak:
        return set()
    nouns = _nouns()
    story_mishap = bool(nouns.mishap.search(text) or nouns.accident.search(text)) and not nouns.violent.search(text)
    sentence_starts = [s.start for s in sentences]
    strong_sentences = set()
    for t in triggers:
        if t.priority > WEAK_PRIORITY:
            strong_sentences.add(bisect_left(sentence_starts, t.start + 1) - 1)
    dropped = set()
    mishap_sentences: dict[int, bool] = {}  # each sentence read once, however many weak triggers it holds
    for t in weak:
        index = bisect_left(sentence_starts, t.start + 1) - 1
        if index in strong_sentences or story_mishap or _NEGATED_BEFORE.search(text[max(0, t.start - 30):t.start]):
            dropped.add(t.start)
            continue
        if index not in mishap_sentences:
            said = sentences[index].text if index >= 0 else text[max(0, t.start - 150):t.end + 150]
            mishap_sentences[index] = bool((nouns.mishap.search(said) or nouns.accident.search(said))
                                           and not nouns.violent.search(said))
        if mishap_sentences[index]:
            dropped.add(t.start)
    return dropped


@lru_cache(maxsize=1)
def _actor_pattern() -> re.Pattern[str]:
    heads = _nouns().actor_nouns
    # a name token is at most 61 characters: unbounded, "A.A.A.A..." is rescanned from every letter (quadratic).
    # Possessive: a name is always followed by a space or ends the match, so giving back its letters never helps
    # (it only made "A.A.A..." retry 60 shorter names at every letter).
    name = r"(?:[A-Z][\w.’'-]{0,60}+|al-[A-Z][\w-]{0,60}+)"
    # Every branch but a bare head noun needs a space (or the end of a run of name characters) within 64 characters
    # of its start: a name token is at most 64 (al-), and by/of/claimed, an acronym and "the" are followed by space.
    # So one look ahead (is the run short?) guards them all; deep inside a long run ("A.A.A...") only a head noun
    # can match (group 5, what group 1 was). Each of the guarded branches scanned up to 61 characters ahead at every
    # letter of such a run: "A."*n cost 4x news.
    return re.compile(
        r"\b(?=[A-Za-z])(?:(?=[\w.’'-]{0,64}+(?![\w.’'-]))(?:"
        rf"((?:{name}\s+(?:and\s+)?){{0,3}}(?:[a-z]+-)?(?:{heads}))\b"
        rf"|(?:by|claimed by|of)\s+((?:the\s+)?{name}(?:\s+{name}){{0,3}})"
        rf"|([A-Z]{{2,6}}(?:-[A-Z]{{1,3}})?)\b(?=\s+(?:claimed|has claimed|said it|carried out|fighters|militants|affiliate))"
        rf"|((?:the\s+)?{name}(?:\s+{name}){{0,3}})\s+(?:has\s+|had\s+|have\s+)?claimed\s+(?:responsibility|credit)"
        rf")|((?:[a-z]+-)?(?:{heads}))\b)"
    )


def facility_of(text: str) -> str:
    for pattern, cls in _nouns().facilities:
        if pattern.search(text):
            return cls
    return ""


MAX_ACTORS = 4


def find_actors(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _actor_pattern().finditer(text):
        actor = next(g for g in match.groups() if g).strip()
        actor = re.sub(r"^(?:the|The|a|A|an|An)\s+", "", actor)
        if len(actor) < 2 or actor.lower() in {"the", "a", "an"}:
            continue
        if actor[0].islower() and " " not in actor:
            continue
        if actor not in found:
            found.append(actor)
            if len(found) == MAX_ACTORS:  # the first four are kept: reading on is wasted (a clause may be 1M)
                break
    return tuple(found)


def _clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Absolute (start, end) of each clause of a sentence."""
    cuts, pos = [], 0
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        cuts.append((pos, match.start()))
        pos = match.end()
    cuts.append((pos, len(sentence.text)))
    return [(sentence.start + a, sentence.start + b) for a, b in cuts if sentence.text[a:b].strip()]


def _location_places(places: Sequence[PlaceMention], text: str) -> list[PlaceMention]:
    """Named places, plus demonyms only where they name a location ("the Iraqi town", not "Iraqi forces")."""
    kept = []
    nouns = _nouns().location_nouns
    for p in places:
        after = text[p.end:p.end + 40]
        if _is_dateline(text, p):
            continue  # "BAGHDAD (Reuters) -" says where the story was filed, not where anything happened
        if p.via == "demonym":
            if not nouns.match(after):
                continue
        elif _ORIGIN_COMPOUND_AFTER.match(after):
            continue  # "a US-made missile", "the Britain-based monitor": where a thing was made or a group sits
        elif _MODIFIER_NOUNS.match(after) or _RELATION_AFTER.match(after) or _AGENT_VERBS.match(after) \
                and not _KIND_OF_BEFORE.search(text, max(0, p.start - 30), p.start):
            continue  # "U.S. airstrikes", "Russia said", "Russia's Central Asian allies": who or what, not where
        elif p.place.kind == "country" and _COUNTRY_ACTS.match(after) \
                and not _LOCATIVE.search(text, max(0, p.start - 30), p.start):
            continue  # "Russia had fired a rocket", "Ethiopia shelled the border towns": the state that did it
        elif p.place.kind == "country" and _ACCUSED_OF.match(after):
            continue  # "Zaire accuses Angola of attacking its territory": who is said to have done it, not where
        elif p.via == "name" and _OFFICE_AFTER.match(after):
            continue  # "Moroto county MP Alex Okot", "the Lira district chairman": whose office, not where
        elif _BORDER_AFTER.match(text, p.end) and _MEASURED_BEFORE.search(text, max(0, p.start - 70), p.start):
            continue  # "30 kilometers (20 miles) south of the Arizona border": the far side of a line, not the area
        elif _SOURCE_BEFORE.search(text[max(0, p.start - 40):p.start]):
            continue  # "not yet confirmed from Belgrade", "reports from Lima": where the news came from, not where
        elif p.place.kind == "country" and _ADJECTIVAL.match(after) and not _KEEP_AFTER.match(after) \
                and not _OBJECT_BEFORE.search(text, max(0, p.start - 20), p.start):
            continue  # "the U.S. ultimatum": a country used as an adjective
        elif p.place.kind == "country" and _NAME_AFTER.match(after) and not _LOCATIVE.search(text[max(0, p.start - 30):p.start]):
            continue  # "Israel Radio", "US Humvee", "Iraq Body Count": part of a name or a modifier, not a location
        kept.append(p)
    return kept


_ORIGIN_COMPOUND_AFTER = re.compile(r"^[-‑–](?:made|built|supplied|manufactured|designed|produced|based|headquartered|"
                                   r"led|backed|sponsored|brokered|allied|aligned|"
                                   r"funded|financed|trained|armed|born|educated|registered|flagged|owned)\b", re.I)
_RELATION_AFTER = re.compile(r"^['’]s(?:\s+[\w-]+){0,3}?\s+(?:allies|ally|partners?|neighbou?rs?|friends|rivals|enemies|"
                             r"foes|backers|patrons?|proxies|proxy)\b", re.I)
_MEASURED_BEFORE = re.compile(
    r"\b(?:kilomet(?:er|re)s?|km|miles?)\s+(?:\([^()]{1,25}\)\s+)?(?:north|south|east|west)(?:-?(?:east|west))?"
    r"(?:ern)?\s+of\s+(?:the\s+)?$")
# "Reports from the central Nigerian city of Jos says ...": a place named by its kind is where, never who speaks
_KIND_OF_BEFORE = re.compile(r"\b(?:town|city|village|capital|province|region|district|port|state)\s+of\s+$", re.I)
# an office-holder's title after a place's name (and its kind word): the person's constituency or seat
_OFFICE_AFTER = re.compile(r"^\s+(?:(?:county|district|province|state|region|municipal|city|town)\s+)?"
                           r"(?:MPs?|lawmakers?|legislators?|councill?ors?|chairman|chairwoman|chairperson|"
                           r"commissioner|mayor|governor|senator|assemblyman|assemblywoman|congressman|congresswoman)\b")
_BORDER_AFTER = re.compile(r"[’']?s?\s+(?:border|frontier|boundary)\b", re.I)
_COUNTRY_ACTS = re.compile(r"^\s+(?:also\s+|then\s+|has\s+|have\s+|had\s+|later\s+|reportedly\s+)*"
                           r"(?:fired|shelled|bombed|struck|attacked|invaded|raided|hit)\b", re.I)
_ACCUSED_OF = re.compile(r"^[’']?\s+(?:of|for)\s+(?:\w+ly\s+)?\w+ing\b")
_DATELINE_AFTER = re.compile(r"^(?:,\s*[A-Z][\w .’'-]{1,30})?\s*(?:\((?:[A-Z][A-Za-z]{1,12}|[A-Z]{2,6})\)\s*)?"
                             r"(?:—|–|--|-\s|:|(?<=\))_\s|(?<=\) )_\s)")


_LINE_LEAD = frozenset(" \t\"“")  # what may stand before a dateline's place on its line


def _is_dateline(text: str, p: PlaceMention) -> bool:
    # only spaces, tabs and quotes between the line's start and the place: walk back over those alone (finding the
    # line's start first copied the whole line for each place: quadratic on a text without line breaks)
    k = p.start - 1
    while k >= 0 and text[k] in _LINE_LEAD:
        k -= 1
    if k >= 0 and text[k] != "\n":
        return False
    return p.text.isupper() and len(p.text) > 2 or bool(_DATELINE_AFTER.match(text[p.end:p.end + 50]))


# "here", "in this municipality", "this southern port": the dateline's city, as 1990s wire stories name it
_HERE = re.compile(r"\b(?:here|this (?:[a-z-]+ )?(?:city|town|municipality|village|capital|port|township))\b"
                   r"(?!\s+(?:is|are|was|were)\b|['’]s)")
# "north of here", "flew in from here"; "reports reaching here", "the wounded were brought here", "arrived here": the
# reporter's city as where news, people or the wounded came to, not where anything happened
_HERE_NOT_AT = re.compile(r"\b(?:of|from|reach(?:ing|ed|es)?|brought|arriv(?:ed|ing|es?)|c[ao]me|coming|flown|"
                          r"taken|rushed|evacuated)\s+$", re.I)


STORY_DAYS = 14  # the days a news story tells as its own: its week and the one before


def _story_town(places: Sequence[PlaceMention]) -> PlaceMention | None:
    """The one town (or district) a story names: every other place it names is a wider area holding it ("Peshawar,
    Pakistan") or lies within SAME_PLACE_KM of it (another name of the same town, a quarter of it)."""
    named = [p for p in places if p.via == "name" and p.place.kind != "continent"]
    # a city named like a first-level area the story also names ("in Kaduna" beside "Kauru Local Government Area of
    # Kaduna State") may be the area itself: it does not compete with another town of that area
    areas = {(p.place.country, p.place.name) for p in named if p.place.kind == "admin1"}
    towns = [p for p in named if PLACE_RANK.get(p.place.kind, 0) >= 4.5]
    if len(towns) > 1:
        shared = [p for p in towns if p.place.kind in ("city", "admin2") and (p.place.country, p.place.name) in areas
                  and p.place.admin1 == p.place.name]
        others = [p for p in towns if p not in shared]
        if shared and others and all((o.place.country, o.place.admin1) == (p.place.country, p.place.admin1)
                                      for p in shared for o in others):
            named = [p for p in named if p not in shared]
            towns = others
    if not towns:
        return None
    town = next((p for p in towns if p.place.kind == "city"), towns[0])
    for p in named:
        if p.place.kind == "region" or not places_agree(town.place, p.place) \
                or PLACE_RANK.get(p.place.kind, 0) >= 4.5 and distance_km(town.place, p.place) > SAME_PLACE_KM:
            return None  # a region ("the Gaza Strip") may be another part of the country than the town's
    return town


def _dateline_place(text: str, places: Sequence[PlaceMention]) -> PlaceMention | None:
    """The most precise place named in the story's dateline ("DAYTON, Ohio (AP)": Dayton), if any."""
    spans = find_datelines(text)
    named = [p for p in places if p.via == "name" and any(a <= p.start < b for a, b, _ in spans)]
    return max(named, key=lambda p: PLACE_RANK.get(p.place.kind, 0), default=None)


_PAGE_STAMP = re.compile(r",?\s*(?:(?:Published|Posted|Updated|Last updated)\s+(?:at\s+)?)?\d{1,2}[:.]\d{2}\s*"
                         r"(?-i:GMT|UTC|BST|CET|EST|EDT)\b", re.I)


def _without_datelines(text: str, dates: Sequence[DateMention], places: Sequence[PlaceMention]
                       ) -> tuple[list[DateMention], list[PlaceMention]]:
    """Drop the dates and places of wire datelines; "here" in the story then names the dateline's city.

    "KABUL, Nov. 16 (Xinhua) -" says where and when the story was filed: its date is the publication date, never an
    incident's, and its city is not where the incident happened unless the story says "here".
    """
    # "Friday, 14 June, 2002, 18:37 GMT 19:37 UK", "Monday, December 28, 1998 Published at 17:34 GMT": a web page's
    # time stamp, the day it was posted (and a run-on page line may join it to the headline)
    dates = [d for d in dates if not _PAGE_STAMP.match(text, d.end)]
    spans = find_datelines(text)
    if not spans:
        return list(dates), list(places)
    kept_dates = [d for d in dates if not any(a <= d.start < b for a, b, _ in spans)]
    kept_places = [p for p in places if not any(a <= p.start < b for a, b, _ in spans)]
    city = next((p for p in places if p.via == "name" and any(a <= p.start < c for a, _, c in spans)), None)
    if city is not None:
        for m in _HERE.finditer(text, spans[-1][1]):
            if not _HERE_NOT_AT.search(text[max(0, m.start() - 12):m.start()]):
                kept_places.append(PlaceMention(m.start(), m.end(), city.place.name, city.place, "name"))
        kept_places.sort(key=lambda p: p.start)
    return kept_dates, kept_places


# "about 60 miles south of X", "25 km (15 miles) southwest of the provincial capital X": a measured distance and
# bearing from a town, which the story gives because the incident's own place is too small to be known
_MEASURED_FROM = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)[\s-]*(km|kms|kilomet(?:er|re)s?|mi|miles?)\b\s*(?:\([^()]{1,25}\)\s*)?"
    r"(north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+(?:of|from)\s+"
    r"(?:the\s+)?(?:(?:(?-i:[A-Z])[\w'’-]+\s+)?(?:[a-z]+\s+)?(?:capital|city|town|port|village)(?:\s+of)?,?\s+)?$",
    re.I)
# what stands between a named place and the measure that says where it is: "X, 40 km south of Y", "X district,
# about 300 km west of Y", "X, a mountain town about 300 km west of Y", "X, a city of 600,000 residents, 55 miles
# south of Y": the measure describes X
_DESCRIBED_BY_MEASURE = re.compile(
    r"(?:\s+(?:district|province|county|governorate|prefecture|department|region|state|municipality|town|city|"
    r"village|hamlet|area|camp)s?)?,\s+(?:(?:an?|the)\s+(?:[^;.,()\n]|,(?=\d))*?(?:,\s+)?)?"
    r"(?:(?:about|some|around|roughly|nearly|almost|approximately|just|only|over|under|more\s+than|less\s+than)\s+)?",
    re.I)
DESCRIBED_GAP = 90  # the longest stretch read between a named place and its measure
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
MEASURED_MAX_KM = 400.0  # farther, the bearing's error alone spans more than a district
MEASURED_MARK = "@"  # in a measured point's id: the town's id, then the distance and bearing


def is_measured_point(place: Place) -> bool:
    """Whether the place is a point measured from a town ("60 miles south of X"), named by its measure."""
    return MEASURED_MARK in place.geonameid


def _measured_from(text: str, places: Sequence[PlaceMention]) -> list[PlaceMention]:
    """A town named as the reference point of a measured distance ("60 miles south of El Fasher") stands for the
    point that far from it on that bearing, not for the town itself: the incident's village is rarely in a
    gazetteer, and the town is often hundreds of kilometres from it."""
    out: list[PlaceMention] = []
    for p in places:
        m = _MEASURED_FROM.search(text, max(0, p.start - 90), p.start) if p.via == "name" \
            and PLACE_RANK.get(p.place.kind, 0) >= 5 else None
        if m is not None:
            distance = float(m.group(1).replace(",", ""))
            if m.group(2).lower().startswith("mi"):
                distance *= 1.609
            north, east = DIRECTIONS[m.group(3).lower().replace("-", "")]
            norm = sqrt(north * north + east * east)
            while out and out[-1].start >= m.start():
                out.pop()  # "south of X state capital Y": the state names the reference, not the place
            named = out[-1] if out else None
            if named is not None and named.via == "name" and named.end <= m.start() \
                    and m.start() - named.end <= DESCRIBED_GAP \
                    and _DESCRIBED_BY_MEASURE.fullmatch(text, named.end, m.start()):
                # "Hilla, a city of 600,000, 55 miles south of Baghdad": the measure says where the named place
                # lies; a town or district is the place, a wider area is narrowed to the measured point
                if PLACE_RANK.get(named.place.kind, 0) >= 4.5:
                    continue
            if distance > MEASURED_MAX_KM:
                # "in X district, 600 km west of the capital Y": too far for a point, yet it tells the part of the
                # country the place lies in; the reference point is never the place
                gaz = default_gazetteer()
                country = gaz.country_place(p.place.country) if p.place.country else None
                part = gaz.part_of(country, m.group(3).lower().replace("-", "")) if country is not None else None
                if part is not None and _far_point_in_part(p.place, distance, north / norm, east / norm, part,
                                                           country):
                    out.append(PlaceMention(m.start(), p.end, text[m.start():p.end], part, "name", within=country))
                continue
            if 0 < distance <= MEASURED_MAX_KM:
                lat, lon = _point_from(p.place, distance, north / norm, east / norm)
                words = " ".join(text[m.start():m.end()].split())
                name = _PARENTHESES.sub("", words).rstrip(",") + " " + p.place.name
                measure = f"{MEASURED_MARK}{distance:.0f}km-{m.group(3).lower()}"
                shifted = replace(p.place, geonameid=p.place.geonameid + measure, name=name, lat=round(lat, 5),
                                  lon=round(lon, 5), population=0)
                p = replace(p, place=shifted)
        out.append(p)
    return out


def _measured_at_a_named_town(places: list[PlaceMention]) -> list[PlaceMention]:
    """A measured point within the measure's error of a town the story names ("the church massacre in X ... in the
    town about 150 miles northwest of Y", "in X, 50 km north of Y") is that town: the story measured the distance to
    say where the town lies, and the town's own point is exact where a bearing and a round figure are not. The error
    allowed grows with the distance (MEASURE_ERROR of it, at least MEASURE_ERROR_MIN_KM, at most SAME_PLACE_KM)."""
    points = [k for k, p in enumerate(places) if is_measured_point(p.place)]
    if not points:
        return places
    towns = {p.place.geonameid: p for p in places if p.via == "name" and not is_measured_point(p.place)
             and PLACE_RANK.get(p.place.kind, 0) >= 5}
    if not towns:
        return places
    out = list(places)
    for k in points:
        p = places[k]
        reference = p.place.geonameid.split(MEASURED_MARK)[0]
        measured = _MEASURED_KM.search(p.place.geonameid)
        allowed = min(SAME_PLACE_KM, max(MEASURE_ERROR_MIN_KM, MEASURE_ERROR * float(measured.group(1)))) \
            if measured else MEASURE_ERROR_MIN_KM
        near = sorted((distance_km(p.place, t.place), t.place.geonameid) for t in towns.values()
                      if t.place.geonameid != reference and t.place.country == p.place.country)
        if near and near[0][0] <= allowed:
            town = towns[near[0][1]]
            out[k] = replace(p, place=town.place, text=town.text)
    return out


MEASURE_ERROR = 0.2  # a measured distance and bearing place a point within this share of the distance
MEASURE_ERROR_MIN_KM = 10.0
_MEASURED_KM = re.compile(re.escape(MEASURED_MARK) + r"(\d+)km-")


def _point_from(reference: Place, distance: float, north: float, east: float) -> tuple[float, float]:
    """(lat, lon) `distance` km from the reference on the bearing of the unit vector (north, east), on the WGS-84
    ellipsoid (geopy's geodesic), so a long measure far from the equator lands where the story says."""
    # geopy's geodesic(kilometers=distance).destination(...) itself: geographiclib's Direct on WGS-84 in km
    # (importing geopy.distance imports all of geopy's geocoders and requests: 0.3 s a process); Direct returns
    # longitudes within [-180, 180]
    r = _wgs84().Direct(reference.lat, reference.lon, degrees(atan2(east, north)), distance)
    return r["lat2"], r["lon2"]


@lru_cache(maxsize=1)
def _wgs84():
    from geographiclib.geodesic import Geodesic

    return Geodesic(6378.137, 1 / 298.257223563)  # geopy's ELLIPSOIDS["WGS-84"]: major axis (km), flattening


def _far_point_in_part(reference: Place, distance: float, north: float, east: float, part: Place,
                       country: Place) -> bool:
    """Whether the point `distance` km from the reference on a bearing lies nearer the country's compass part of
    that bearing than the country's centre ("600 km west of the capital" in the west; "500 km west of an eastern
    town" may still be in the east)."""
    lat, lon = _point_from(reference, distance, north, east)
    point = replace(reference, lat=lat, lon=lon)
    return distance_km(point, part) < distance_km(point, country)


# "AYYAT, Egypt (AP) - ... at this village 30 miles south of the capital": the dateline's town, by its measure
_THIS_TOWN_BEFORE = re.compile(r"\bthis\s+(?:[a-z-]+\s+)?(?:village|town|city|hamlet|port|township|community)\s*,?\s+"
                               r"(?:(?:about|some|around|roughly|nearly|just)\s+)?$")


def _dateline_town_measured(text: str, places: Sequence[PlaceMention]) -> PlaceMention | None:
    """The point a wire story measures "this village" from, when its dateline names a town the gazetteer lacks."""
    if not find_datelines(text):
        return None
    for p in places:
        if is_measured_point(p.place):
            m = _MEASURED_FROM.search(text, max(0, p.start - 90), p.start)
            if m is not None and _THIS_TOWN_BEFORE.search(text, max(0, m.start() - 60), m.start()):
                return p
    return None


_BEARING_BEFORE = re.compile(r"\b(north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+of\s+"
                             r"(?:the\s+)?$", re.I)
BEARING_TOWN_KM = 300.0  # how far from its reference a dateline's town may lie and still be the place a bearing names


def _bearings_to_the_dateline_town(text: str, places: Sequence[PlaceMention], filed_at: PlaceMention
                                   ) -> list[PlaceMention]:
    """"HILLAH, Iraq - A car bomb exploded in a livestock market south of Baghdad": a bearing from a town, in a
    story filed from a town that lies that way from it, names the dateline's town, not the reference."""
    out = []
    for p in places:
        m = _BEARING_BEFORE.search(text, max(0, p.start - 30), p.start) if p.via == "name" \
            and PLACE_RANK.get(p.place.kind, 0) >= 5 and not is_measured_point(p.place) else None
        if m is not None:
            town = filed_at.place
            north, east = DIRECTIONS[m.group(1).lower().replace("-", "")]
            along = (town.lat - p.place.lat) * north + (town.lon - p.place.lon) * cos(radians(p.place.lat)) * east
            if town.geonameid != p.place.geonameid and along > 0 and distance_km(town, p.place) <= BEARING_TOWN_KM:
                p = PlaceMention(m.start(), p.end, text[m.start():p.end], town, "name")
        out.append(p)
    return out


STORY_COUNTRY_SPELLINGS = 3  # a story names its country in this many ways (its name, demonym, towns) or more
FOREIGN_FAMOUS_CITY = 1_000_000  # a city this big may be named in any story without its country


def _without_foreign_namesakes(places: Sequence[PlaceMention], all_places: Sequence[PlaceMention]
                               ) -> list[PlaceMention]:
    """Drop the places of a country the story names in no other way, when it is plainly about another one.

    A story about one country that names it, its people and its towns, and reads one lone word as a town or a
    province of a country it never names otherwise ("the hamlet of Beni Ali" read as Beni in Congo in a story about
    Algeria, "deputy mayor ... al-Assam" as Assam, "the attack in Abia camp" as Nigeria's Abia State in a story
    about Uganda), has met a namesake: the story's own place was too small for the gazetteer, or the word is a
    person's or a camp's name. Such a reading never places an incident. `all_places`: every place of the text, its
    dateline's too (support for a country).
    """
    spellings: dict[str, set[str]] = {}
    for p in all_places:
        if p.place.country and p.place.kind != "continent":
            spellings.setdefault(p.place.country, set()).add(p.text.lower())
    if len(spellings) < 2:
        return list(places)
    story = max(spellings, key=lambda c: len(spellings[c]))
    if len(spellings[story]) < STORY_COUNTRY_SPELLINGS:
        return list(places)
    return [p for p in places if not (
        p.via == "name" and p.place.country != story and len(spellings.get(p.place.country, ())) == 1
        and p.place.kind not in ("country", "continent", "region")
        and not (p.place.kind == "city" and p.place.population >= FOREIGN_FAMOUS_CITY
                 and normalize(p.text) == normalize(p.place.name)))]  # by its own name: not "Ta" of a big city


_OPEN_OFFSET = re.compile(r"\b(?:after|before|since)\s*$", re.I)
_AFTER_OFFSET = re.compile(r"\bafter\s*$", re.I)


def _anchor_span(text: str, offset) -> tuple[int, int]:
    """Where the event an offset counts from is named: its anchor, or the rest of the clause when unnamed."""
    if offset.anchor_text:
        return offset.end - len(offset.anchor_text), offset.end
    if _OPEN_OFFSET.search(offset.text):
        stop = re.compile(r"[.;,!?\n]").search(text, offset.end)
        return offset.end, stop.start() if stop else len(text)
    return offset.end, offset.end


# "in Foo", "near the Foo Hills", "in the northern city of Foo": the name after the preposition (and a kind of place)
_NOT_DATE_WORD = (r"(?!(?:Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|January|February|March|April|May|"
                  r"June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|"
                  r"Dec)\b)")
_PLACE_HINT = re.compile(r"\b(?:in|near|at|outside)\s+(?:the\s+(?:[a-z-]+\s+){0,2}(?:city|town|village|district|"
                         r"province|region|port|suburb|camp|area)\s+of\s+)?"
                         rf"((?:the\s+)?{_NOT_DATE_WORD}(?-i:[A-Z])[\w'’-]+(?:\s+{_NOT_DATE_WORD}(?-i:[A-Z])[\w'’-]+){{0,3}})",
                         re.I)
_NAME_AFTER = re.compile(r"^\s+(?!(?:Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|January|February|March|"
                         r"April|May|June|July|August|September|October|November|December)\b)[A-Z][a-z]")


def _unresolved_place(clause: str) -> str:
    """A capitalised name after 'in'/'near' that the gazetteer did not know, kept as written for the title."""
    m = _PLACE_HINT.search(clause)
    return m.group(1) if m else ""


def _distance(a0: int, a1: int, t: Trigger) -> float:
    if a1 <= t.start:
        return (t.start - a1) * 1.3  # anchors before a trigger bind a little less than anchors after it
    if a0 >= t.end:
        return a0 - t.end
    return 0.0


PLACE_CANDIDATES = 32  # places of a clause weighed for one trigger, the nearest first


def _place_for(places: Sequence[PlaceMention], trig: Trigger, text: str) -> PlaceMention | None:
    """The place a trigger happened at: specific places win, far-away ones lose ("attacked X ... an office in Y")."""
    if not places:
        return None
    # "ministers meeting in Geneva agreed to investigate who shot down ...": where others met, not where it happened
    places = [p for p in places if not _VENUE_BEFORE.search(text, max(0, p.start - 40), p.start)]
    # "soldiers killed commander Juan Ortega, who was wanted in Peru for ...": a relative clause on the victim tells
    # where the person was or came from, not where the killing happened
    # (one search per trigger, near it: a search up to each place was quadratic in a long clause)
    who = _WHO_BETWEEN.search(text, trig.end, min(len(text), trig.end + WHO_WINDOW))
    # "came under attack by gunmen who had been lying in wait near X": a clause on the assailants the trigger names
    # tells what they did and where, not where a victim came from
    if who is not None and not _AGENT_WHO.fullmatch(text, trig.end, who.start()) and not (
            _AGENT_TRIGGER.search(text, trig.start, trig.end) and _AGENT_DRESS.fullmatch(text, trig.end, who.start())):
        places = [p for p in places if p.start < who.end()]
    if not places:
        return None
    named = [p for p in places if p.via != "demonym"] or list(places)
    if len(named) > PLACE_CANDIDATES:  # a far place loses to a near one anyway; a clause of 1,000 places stays linear
        named = sorted(named, key=lambda p: _distance(p.start, p.end, trig))[:PLACE_CANDIDATES]
    # "in Kandahar city, capital of the southern Kandahar province": an area holding another named place is where
    # that place lies, not a rival for the incident's place
    # (not a reference point: "in Y district, bordering Z" does not say Z lies in Y)
    holders = [q for q in named if not _REFERENCE_POINT.search(text, max(0, q.start - 40), q.start)]
    named = [p for p in named if not any(PLACE_RANK.get(q.place.kind, 0) > PLACE_RANK.get(p.place.kind, 0)
                                         and places_agree(p.place, q.place) for q in holders)] or named

    # "at the Toluca Agroindustrial prison in Tehuacan in the state of Puebla": a town of another state
    # of the country than the one the clause names is a namesake (a facility's name), not the place
    areas = [q.place for q in places if q.place.kind in ("admin1", "admin2")]

    def score(p: PlaceMention) -> tuple[float, int]:
        before = text[max(0, p.start - 40):p.start]
        value = PLACE_RANK.get(p.place.kind, 0) - _distance(p.start, p.end, trig) / 20.0
        if PLACE_RANK.get(p.place.kind, 0) >= 5 and any(a.country == p.place.country for a in areas) \
                and not any(places_agree(a, p.place) for a in areas):
            value -= 2.0
        value += 1.0 if _LOCATIVE.search(before[-30:]) else 0.0
        value -= 1.5 if _ORIGIN.search(before) or _REFERENCE_POINT.search(before) or _DESTINATION.search(before) else 0.0
        # "its invasion of Kuwait until ... Baghdad has ...": the trigger's own object is its place
        value += 3.0 if p.start >= trig.end and _OBJECT_OF_TRIGGER.fullmatch(text, trig.end, p.start) else 0.0
        return value, p.place.population

    return max(named, key=score)


_WHO_BETWEEN = re.compile(r"\b(?:who|whom|whose)\b")
_AGENT_WHO = re.compile(r",?\s*")  # nothing but a comma between the trigger and "who"
# "suicide bombers in army uniforms who penetrated the compound": the trigger names the assailants, a phrase on their
# looks between it and "who" ("in army uniforms", "wearing police uniforms", "on motorbikes") keeps the clause theirs
_AGENT_TRIGGER = re.compile(r"(?:bombers?|gunm[ae]n|attackers?|assailants?|militants?|insurgents?|raiders?|"
                            r"hijackers?)$", re.I)
_AGENT_DRESS = re.compile(r"\s+(?:in|wearing|dressed\s+(?:in|as)|disguised\s+as|on|armed\s+with)\s+[^,.;]{1,35}?,?\s*")
WHO_WINDOW = 400  # how far after a trigger a relative clause on its victim is looked for
# a participle or verb of gathering, not a noun ("a meeting in Kabul" may be what was attacked)
_VENUE_BEFORE = re.compile(r"(?<!\ba )(?<!\bthe )(?<!\bone )\b(?:meeting|met|gathered|gathering|convened|convening|"
                           r"assembled)\s+(?:here\s+)?in\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.I)
_OBJECT_OF_TRIGGER = re.compile(r"\s*(?:(?:of|on|against|into)\s+)?(?:the\s+)?", re.I)
# "a rocket fired from Gaza", "militants out of Syria": where something came from, not where it happened
_ORIGIN = re.compile(r"\b(?:from|out of)\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.I)
# "a train bound from X to Y", "a bus heading for Y": where it was going, not where it happened
_DESTINATION = re.compile(r"\b(?:bound|headed|heading|travel(?:l)?ing|en route|on (?:its|their|the) way)\s+"
                          r"(?:from\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+)?(?:to|for|towards?)\s+(?:the\s+)?"
                          r"(?:(?:[a-z-]+\s+)?(?:capital|city|town|port|village)\s+(?:of\s+)?)?$", re.I)
# "50 km east of Kathmandu", "north of the capital": a reference point, not the place itself
_REFERENCE_POINT = re.compile(r"\b(?:(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|"
                              r"south-east|south-west)(?:ern)?\s+(?:of|from)|"
                              # "near X in Y district, bordering Z": the neighbour is where it was not
                              r"bordering|adjoining|adjacent\s+to|neighbou?ring)\s+(?:the\s+)?$", re.I)
_BOUND_PLACE_AFTER = re.compile(r"\s+(?:(?!(?:are|were|is|was|be|been)\b)[\w-]+\s+){0,3}?"
                                r"(?:in|at|on|near|outside|inside|of|against)\s+(?:the\s+)?"
                                r"(?:[\w-]+\s+){0,2}$", re.I)


# "killed since the offensive", "since the 2019 bombing": the incident opens a period whose toll is counted after it
_SINCE_WORD = re.compile(r"\bsince\b", re.I)
_WHO_WORD = re.compile(r"\bwho\b", re.I)
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:[\w'’-]+\s+){0,4}$", re.I)
# "Israel's 17-day offensive": a country's possessive before a definite mention names who did it as often as where
_OWNER_COUNTRY = re.compile(r"['’]s(?:\s+[\w-]+){0,3}\s+")


@lru_cache(maxsize=8)
def _word_spans(pattern: re.Pattern[str], text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the pattern's matches over the whole text, found once per document: asked for every
    trigger and date of a clause, a search between the two would rescan a long clause each time."""
    spans = [m.span() for m in pattern.finditer(text)]
    return [a for a, _ in spans], [b for _, b in spans]


def _word_between(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Whether a match of the word pattern lies wholly within text[start:end]."""
    starts, ends = _word_spans(pattern, text)
    i = bisect_left(starts, start)
    return i < len(starts) and ends[i] <= end


def _bound_places(text: str, trig: Trigger, places: Sequence[PlaceMention], c_start: int) -> list[PlaceMention]:
    """The places inside a definite mention's own phrase: "the Kabul bombing", "the attack on a camp in Jaffna"."""
    bound = []
    for p in places:
        if p.end <= trig.start and p.start >= c_start:
            if re.fullmatch(r"(?:['’]s)?(?:\s+[\w-]+){0,3}\s+", text[p.end:trig.start]):
                bound.append(p)
        elif p.start >= trig.end and p.start - trig.end <= 60 and _BOUND_PLACE_AFTER.fullmatch(text[trig.end:p.start]):
            bound.append(p)
    return bound


def _narrowest(dates: Sequence[DateMention]) -> DateMention | None:
    if not dates:
        return None
    # the first of the most precise (enumerate, not dates.index: one trigger may own thousands of dates)
    return max(enumerate(dates), key=lambda item: (PRECISION_RANK.get(item[1].precision, 0), -item[0]))[1]


def _pair_places_with_dates(places: list[PlaceMention], dates: list[DateMention]) -> list[tuple[list[PlaceMention], list[DateMention]]]:
    """Split "X in August and Y in October" into (X, August) and (Y, October)."""
    named = [p for p in places if p.via != "demonym"]
    per_country = Counter(p.place.country for p in named)
    leaves = [p for p in named if not (p.place.kind in ("country", "continent", "region")
                                       and per_country[p.place.country] > 1)]
    if len(dates) < 2 or len(leaves) < 2 or len(per_country) < 2 and len({p.place.geonameid for p in leaves}) < 2:
        return [(places, dates)]
    groups = []
    by_start = _ByStart(dates)  # one clause may pair thousands of places with thousands of dates
    for i, place in enumerate(leaves):
        limit = leaves[i + 1].start if i + 1 < len(leaves) else 10**12
        mine = by_start.starting(place.end, limit)
        if mine:
            groups.append(([place], mine))
    return groups if len(groups) >= 2 else [(places, dates)]


class _ByStart:
    """Spans in text order, found between two offsets by bisection: a scan of all of them per sentence or clause
    is quadratic on long texts. Spans not in text order are scanned (same answer, only slower)."""

    def __init__(self, items: Sequence) -> None:
        self.items = list(items)
        self.starts = [x.start for x in self.items]
        self.ordered = all(a <= b for a, b in zip(self.starts, self.starts[1:]))

    def starting(self, a: int, b: int) -> list:
        """Those that start from a to before b."""
        if not self.ordered:
            return [x for x in self.items if a <= x.start < b]
        return self.items[bisect_left(self.starts, a):bisect_left(self.starts, b)]

    def within(self, a: int, b: int) -> list:
        if not self.ordered:
            return [x for x in self.items if a <= x.start and x.end <= b]
        lo, hi = bisect_left(self.starts, a), bisect_right(self.starts, b)
        return [x for x in self.items[lo:hi] if x.end <= b]


class _SentencePlaces(tuple):
    """The places of one sentence, with what each of its mentions asks of them computed once (and `seen` shared):
    a long sentence has many mentions and many places."""

    @cached_property
    def texts(self) -> frozenset[str]:
        return frozenset(p.text for p in self)

    @cached_property
    def seen(self) -> tuple[Place, ...]:
        return tuple(p.place for p in self)

    @cached_property
    def n_distinct(self) -> int:
        """Distinct places, an area that holds another of them not counted ("in the village of X, ... in Y state"
        names one place, X's district and its state)."""
        distinct = list({p.place.geonameid: p.place for p in self}.values())
        return sum(not any(PLACE_RANK.get(b.kind, 0) > PLACE_RANK.get(a.kind, 0) and places_agree(a, b)
                           for b in distinct) for a in distinct)


class _Except(abc.Sequence):
    """`items` without those from `lo` to `hi`, without copying (one per clause of a long sentence is quadratic)."""

    def __init__(self, items: Sequence, lo: int, hi: int) -> None:
        self.items, self.lo, self.hi = items, lo, hi

    def __len__(self) -> int:
        return len(self.items) - (self.hi - self.lo)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.items[i if i < self.lo else i + self.hi - self.lo]


def _covered(spans: Sequence[tuple[int, int]]):
    """Whether [start, end) lies inside one of `spans`, in log time (prefix maxima of the ends by start)."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    reach: list[int] = []
    for _, b in ordered:
        reach.append(max(b, reach[-1]) if reach else b)

    def inside(start: int, end: int) -> bool:
        i = bisect_right(starts, start)
        return i > 0 and reach[i - 1] >= end

    return inside


# Characters either side of a trigger where the dates bound to it are looked for ("Sunday's attack", "the attack on
# a camp near X on Sunday": a few words in news); every date of the clause was tried, once per trigger.
BOUND_WINDOW = 500


# Words a figure needs (CASUALTY_CUES) a mention of a clause longer than READ_WINDOW reads after its trigger: a news
# sentence gives a trigger its figure within a few of them; only a text without stops holds many more
CASUALTY_CUE_BUDGET = 3

# Every match of _SEPARATE holds one of these words (zero-width: every start is found)
_SEPARATE_CUES = re.compile(r"(?=separat|different|similar|related|new|second|another|earlier|elsewhere)", re.I)


class _TextCues:
    """Where the words that some pattern needs start in a text, found once when first asked for: a window of
    READ_WINDOW characters before or after each trigger of a long clause is then read only where such a word is."""

    def __init__(self, text: str, unplaced_names: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.unplaced_names = unplaced_names  # names read as places that place no incident: no actors either

    @cached_property
    def casualties(self) -> list[int]:
        return [m.start() for m in CASUALTY_CUES.finditer(self.text)]

    @cached_property
    def separate(self) -> list[int]:
        return [m.start() for m in _SEPARATE_CUES.finditer(self.text)]

    @staticmethod
    def any_within(starts: list[int], lo: int, hi: int) -> bool:
        i = bisect_left(starts, lo)
        return i < len(starts) and starts[i] < hi


class _ClauseReads:
    """What every mention of one clause reads from the whole clause, read once: a clause without stops may hold
    thousands of triggers, and each reading it whole was quadratic."""

    def __init__(self, text: str, start: int, end: int, cues: _TextCues | None = None,
                 figures_from: int | None = None) -> None:
        self.text, self.start, self.end = text, start, end
        self.cues = cues or _TextCues(text)
        # where the clause's own figures begin: before it when it ends a list of victims the clause before began
        self.figures_from = start if figures_from is None else figures_from

    @cached_property
    def actors(self) -> tuple[str, ...]:
        return find_actors(self.text[self.start:self.end])

    @cached_property
    def unresolved_place(self) -> str:
        return _unresolved_place(self.text[self.start:self.end])

    def may_hold_casualties(self, lo: int, hi: int) -> bool:
        """Whether text[lo:hi] (inside the clause) may report casualties: False only when no word any figure needs
        starts in it (a word that starts in the window and runs past it is a false alarm, never a miss)."""
        if self.end - self.start <= READ_WINDOW:
            return True  # a clause of ordinary news: find_casualties reads it as fast
        return self.cues.any_within(self.cues.casualties, lo, hi)

    def figures_end(self, trig_start: int, hi: int) -> int:
        """Where a mention of this clause stops reading figures (at most `hi`): in a clause longer than READ_WINDOW,
        at the CASUALTY_CUE_BUDGET-th word after the trigger that a figure needs. A text without stops that lists a
        toll every few words ("... killed 3 people, ... killed 4 people, ...") made every trigger read the
        READ_WINDOW characters after it, tolls and all; its own figure is among the first ones after it."""
        if self.end - self.start <= READ_WINDOW:
            return hi
        cues = self.cues.casualties
        i = bisect_left(cues, trig_start) + CASUALTY_CUE_BUDGET
        return min(hi, cues[i]) if i < len(cues) else hi

    @cached_property
    def figure_starts(self) -> list[int]:
        return figure_starts(self.text, self.start, self.end)

    def casualties(self, lo: int, hi: int, anchor: int | None = None) -> Casualties:
        """find_casualties(text[lo:hi]) (inside the clause). In a clause longer than READ_WINDOW the windows of its
        triggers overlap (a text without stops that lists a toll every few words): where a figure may start is found
        once for the clause, and each window tries the casualty patterns only there instead of at every character."""
        window = self.text[lo:hi]
        near = None if anchor is None else anchor - lo
        if self.end - self.start <= READ_WINDOW:
            return find_casualties(window, anchor=near)
        starts = self.figure_starts
        inside = starts[bisect_right(starts, lo):bisect_left(starts, hi)]
        return find_casualties(window, [0, *(p - lo for p in inside)], near)

    def separate_before(self, lo: int, trig_start: int) -> bool:
        """_SEPARATE.search(text[lo:trig_start]), read only where one of its words starts in a long window."""
        if trig_start - lo >= READ_WINDOW and not self.cues.any_within(self.cues.separate, lo, trig_start):
            return False
        return bool(_SEPARATE.search(self.text[lo:trig_start]))


_WHERE_AFTER = re.compile(r",?\s+where\b")


def _group_anchors(heads: Sequence[Trigger], bound: dict[int, list[DateMention]], places: Sequence[PlaceMention],
                   dates: Sequence[DateMention], text: str = "") -> dict[int, tuple[list[PlaceMention], list[DateMention]]]:
    """Each place and date of a clause goes to the trigger it is bound to, else to the nearest (`_distance`; the
    first in text order on a tie). Heads are in text order; the nearest is found by bisection, not by trying every
    head for every anchor (a clause without stops may hold thousands of each). A place a "where" clause follows
    ("a bomb exploded in the market of X where Friday's bombing occurred") is the place of a trigger before it: the
    "where" clause tells what else happened there."""
    groups: dict[int, tuple[list[PlaceMention], list[DateMention]]] = {id(t): ([], []) for t in heads}
    if not heads:
        return groups
    owners: dict[DateMention, list[Trigger]] = {}
    for t in heads:
        for d in bound.get(id(t), ()):
            owners.setdefault(d, [])
            if not owners[d] or owners[d][-1] is not t:
                owners[d].append(t)
    starts = [t.start for t in heads]
    longest = max(t.end - t.start for t in heads)
    for anchor in [*places, *dates]:
        mine = owners.get(anchor) if isinstance(anchor, DateMention) else None
        if mine is None and text and isinstance(anchor, PlaceMention) and _WHERE_AFTER.match(text, anchor.end):
            mine = [t for t in heads if t.end <= anchor.start] or None
        candidates = mine or _nearest_candidates(heads, starts, longest, anchor.start, anchor.end)
        nearest = min(candidates, key=lambda t: _distance(anchor.start, anchor.end, t))
        (groups[id(nearest)][0] if isinstance(anchor, PlaceMention) else groups[id(nearest)][1]).append(anchor)
    return groups


def _nearest_candidates(heads: Sequence[Trigger], starts: Sequence[int], longest: int, a0: int, a1: int) -> list:
    """The heads (in text order) among which `min(heads, key=distance to [a0, a1))` lies: the first head starting at or
    after a1 (later ones are farther), and those before it whose end may reach as far as the farthest-reaching one."""
    i = bisect_left(starts, a1)
    before: list[Trigger] = []
    reach = -1  # the largest end, capped at a0, of the heads before i seen so far: distance max(0, a0 - end)
    k = i - 1
    while k >= 0 and starts[k] + longest >= reach:
        reach = max(reach, min(heads[k].end, a0))
        before.append(heads[k])
        k -= 1
    return [*reversed(before), *heads[i:i + 1]]


def find_mentions(document: Document, dates: Sequence[DateMention], places: Sequence[PlaceMention],
                  offsets: Sequence = (), lexicon: Lexicon | None = None) -> list[IncidentMention]:
    """Every clause of the document that reports an incident, with what it says about it."""
    lexicon = lexicon or default_lexicon()
    text = document.text
    sentences = split_sentences(text)
    filed_at = _dateline_place(text, places)
    all_places = places
    dates, places = _without_datelines(text, dates, places)
    kept = _without_foreign_namesakes(_measured_from(text, places), all_places)
    measured_at = {p.start: p for p in kept if is_measured_point(p.place)}  # the measures as written
    kept = _measured_at_a_named_town(kept)
    kept_starts = {p.start for p in kept}
    unplaced = [p for p in places if p.start not in kept_starts]  # references of measures and namesakes
    places = kept
    if filed_at is None or PLACE_RANK.get(filed_at.place.kind, 0) < 5:  # "AYYAT, Egypt": the town unknown
        filed_at = _dateline_town_measured(text, places) or filed_at
    elif PLACE_RANK.get(filed_at.place.kind, 0) >= 5:
        places = _bearings_to_the_dateline_town(text, places, filed_at)
    triggers = lexicon.find_triggers(text)
    if reads_as_sport(text):  # a match report's "attack" and "battle for the title" are not incidents
        triggers = [t for t in triggers if t.type not in _GAME_TYPES]
    accidents = _accidental_blasts(text, triggers, sentences) | _weak_triggers_dropped(text, triggers, sentences)
    triggers = [t for t in triggers if t.start not in accidents]
    anchor_spans = [_anchor_span(text, o) for o in offsets]
    if dates:
        # "came two days after five soldiers were killed on Wednesday when a bomb hit their truck": an unnamed anchor
        # that names its own day is an incident told in full, not only the day the offset counts from
        day_starts = sorted(d.start for d in dates if d.precision == "day")
        anchor_spans = [(a, a) if not o.anchor_text and b > a and bisect_left(day_starts, a) < len(day_starts)
                        and day_starts[bisect_left(day_starts, a)] < b else (a, b)
                        for o, (a, b) in zip(offsets, anchor_spans)]
    in_anchor = _covered(anchor_spans)
    in_place = bytearray(len(text) + 1)  # characters inside a named place
    for p in places:
        if p.via == "name" and p.end > p.start:
            in_place[p.start:p.end] = b"\x01" * (p.end - p.start)
    triggers = [t for t in triggers if in_place.find(1, t.start, t.end) < 0]  # "Battle Creek"
    references = _anchor_references(document, sentences, offsets, triggers, _location_places(places, text))
    triggers = [t for t in triggers if not in_anchor(t.start, t.end)]
    places = [p for p in places if not in_anchor(p.start, p.end)]
    located = _location_places(places, text)
    starts = [s.start for s in sentences]

    def within(items, a, b):
        if isinstance(items, _ByStart):
            return items.within(a, b)
        return [x for x in items if a <= x.start and x.end <= b]

    located_by, dates_by, offsets_by, triggers_by = map(_ByStart, (located, dates, offsets, triggers))
    cues = _TextCues(text, frozenset(p.text for p in unplaced))
    mentions: list[IncidentMention] = []
    for sentence in sentences:
        s_places = _SentencePlaces(within(located_by, sentence.start, sentence.end))
        s_dates = [d for d in within(dates_by, sentence.start, sentence.end)
                   if d.precision != "century"  # "the 11th century temple" dates a thing, not an incident
                   and not (_REPORTING.search(text[max(sentence.start, d.start - 30):d.start])
                            and not _DAYS_OWN.match(text, d.end))  # "said Monday's attack": the attack's day
                   and not _QUOTE_SAID_BEFORE.search(text, max(sentence.start, d.start - 140), d.start)
                   and not _REPORTING_AFTER.match(text[d.end:min(sentence.end, d.end + 30)])
                   and not (_PERIOD_BOUND.search(text[max(sentence.start, d.start - 12):d.start])
                            and not _WHEN_AFTER.match(text, d.end))
                   and not _planned(text, d, document.published)]
        s_offsets = within(offsets_by, sentence.start, sentence.end)
        s_triggers = within(triggers_by, sentence.start, sentence.end)
        conditional_sentence = bool(_CONDITIONAL.search(sentence.text[:60]))
        s_places_by, s_dates_by, s_offsets_by, s_triggers_by = map(_ByStart, (s_places, s_dates, s_offsets, s_triggers))
        s_clauses = _clauses(sentence) if s_triggers else []
        # the days of a clause that is its own predicate ("and police found the body Friday") date nothing else
        own_days = [(a, b) for a, b in s_clauses if _OWN_PREDICATE.match(text, a)]
        for k, (c_start, c_end) in enumerate(s_clauses):
            c_triggers = within(s_triggers_by, c_start, c_end)
            if not c_triggers:
                continue
            c_text = text[c_start:c_end]
            # Triggers that only say who helped ("backed by airstrikes") yield to the main one.
            secondary = {id(t) for t in c_triggers if _SECONDARY.search(text[max(c_start, t.start - SECONDARY_WINDOW):t.start])}
            if len(secondary) < len(c_triggers):
                c_triggers = [t for t in c_triggers if id(t) not in secondary]
            passing = [t for t in c_triggers if not _is_verb(t.text)
                       and _IN_PASSING.search(text[max(c_start, t.start - 60):t.start])]
            if len(passing) == len(c_triggers):
                passing = []
            in_passing = {id(t) for t in passing}  # a set: a clause may hold thousands of such triggers
            ranked = sorted((t for t in c_triggers if id(t) not in in_passing), key=lambda t: (-t.priority, t.start))
            main_families: dict[str, Trigger] = {}
            for t in ranked:
                main_families.setdefault(lexicon.family(t.type), t)
            # "shells killed 19 civilians on Nov. 8, the deadliest attack in years": the clause's generic word names
            # the incident its specific one reports, not a second one
            if len(main_families) > 1 and any(f in VIOLENT_FAMILIES and t.type not in GENERIC_TYPES
                                              for f, t in main_families.items()):
                main_families = {f: t for f, t in main_families.items() if t.type not in GENERIC_TYPES}
            c_places = within(s_places_by, c_start, c_end)
            c_dates = within(s_dates_by, c_start, c_end)
            c_offsets = within(s_offsets_by, c_start, c_end)
            # "after the funeral of a man killed in Tuesday's unrest": a noun with its own date is its own mention
            c_dates_by = _ByStart(c_dates)
            bound = {id(t): _bound_dates(text, t, c_dates_by.within(t.start - BOUND_WINDOW, t.end + BOUND_WINDOW))
                     for t in c_triggers if not _is_verb(t.text)}
            heads = sorted({id(t): t for t in [*main_families.values(), *passing,
                                                *(t for t in c_triggers if bound.get(id(t)))]}
                           .values(), key=lambda t: t.start)
            groups = _group_anchors(heads, bound, c_places, c_dates, text)
            # "Eleven soldiers, including a captain, | and a civilian were killed": the list began a clause before
            figures_from = None
            if k > 0 and c_end - c_start <= READ_WINDOW and _AND_BREAK.fullmatch(text, s_clauses[k - 1][1], c_start) \
                    and ends_a_list_of_victims(text[s_clauses[k - 1][0]:s_clauses[k - 1][1]], text[c_start:c_end]):
                figures_from = s_clauses[k - 1][0]
            reads = _ClauseReads(text, c_start, c_end, cues, figures_from)
            question = c_text.rstrip().rstrip("”\"'’)").endswith("?")
            hypothetical = conditional_sentence or question or (bool(_HYPOTHETICAL.search(c_text)) and not c_dates)
            if own_days:
                other_clause_dates = [d for d in s_dates if not (c_start <= d.start < c_end)
                                      and not any(a <= d.start < b for a, b in own_days)]
            elif s_dates_by.ordered:
                other_clause_dates = _Except(s_dates, bisect_left(s_dates_by.starts, c_start),
                                             bisect_left(s_dates_by.starts, c_end))
            else:
                other_clause_dates = [d for d in s_dates if not (c_start <= d.start < c_end)]
            family_triggers: dict | None = None
            for trig in heads:
                g_places, g_dates = groups[id(trig)]
                own = bound.get(id(trig))
                if own and len(g_dates) > 1 and any(d.start >= trig.end for d in own):
                    # "went on trial on Monday for the killing of six people last summer": the day before the noun
                    # is its sentence's main verb's, the date bound after it the noun's own
                    g_dates = [d for d in g_dates if d.start >= trig.end or d in own]
                pairs = _pair_places_with_dates(g_places, g_dates)
                if len(pairs) > 1 and family_triggers is None:
                    family_triggers = {}  # family -> its triggers of the clause, in text order
                    for t in c_triggers:
                        family_triggers.setdefault(lexicon.family(t.type), []).append(t)
                    family_triggers = {f: _ByStart(ts) for f, ts in family_triggers.items()}
                for sub_places, sub_dates in pairs:
                    sub_trig = trig
                    if len(pairs) > 1:  # each pair takes the nearest trigger before its place
                        before = family_triggers[lexicon.family(trig.type)].starting(-1, sub_places[0].start)
                        sub_trig = before[-1] if before else trig
                    mentions.append(_build(document, sentence, sub_trig, c_start, c_end, sub_places, sub_dates,
                                           c_offsets, other_clause_dates, s_places, hypothetical, len(heads) == 1,
                                           reads, c_triggers))
    mentions = _joined_across_as(sorted([*mentions, *references], key=lambda m: (m.sentence_start, m.trigger_start)),
                                 text)
    mentions = _told_on_in_next_sentence(mentions, text, lexicon)
    mentions = _toll_in_next_sentence(mentions, text, sentences, dates)
    mentions = _dated_by_anniversary(mentions, text, dates)
    if filed_at is not None and not places:
        # "DAYTON, Ohio (AP) - A man was shot dead outside a bar early Sunday": a story that names no place but its
        # dateline's happened there (a local story); a story that names other places keeps its dateline apart
        mentions = [replace(m, place=filed_at.place, place_text=filed_at.place.name, place_from="dateline")
                    if m.place is None else m for m in mentions]
    town = _story_town(located)
    if town is not None:
        # "The other attack, which killed 18 ... Friday" in a story about one city: an incident of the story's days
        # that it places nowhere else happened in the one town it names (an older one it recalls may not have)
        mentions = [replace(m, place=town.place, place_text=town.text, place_from="story")
                    if m.place is None and m.date is not None and not m.generic and not m.hypothetical
                    and m.published is not None and 0 <= (m.published - m.date.last).days <= STORY_DAYS else m
                    for m in mentions]
    lead_end = _lead_end(sentences, text, document.title)
    date_starts = sorted(d.start for d in dates)
    # "... were killed when their vehicle hit a bomb, a week after 14 others died in similar attacks": the lead's
    # incident came that many days after another one the story tells
    after_offsets = sorted((o.start, o.days) for o in offsets if o.days > 0 and _AFTER_OFFSET.search(o.text))
    told = _corefer(_fill_from_context(mentions, sentences, located, starts, dates), lexicon, text[:lead_end],
                    date_starts, after_offsets)
    told = _round_up_items_dated_by_publication(told, text, date_starts)
    placed = _placed_by_story(_dated_by_story_day(_in_the_storys_town(_resolve_local_offsets(told), located), dates),
                              located)
    if filed_at is not None and (PLACE_RANK.get(filed_at.place.kind, 0) < 5 or default_gazetteer().is_capital(filed_at.place)):
        filed_at = None  # a capital's dateline tells where the reporters sit, not where the news happened
    # the story's one measured site, as the town it names there when the measure lands on one
    site = _one_measured_point([measured_at.get(p.start, p) for p in located])
    site = next((p for p in located if p.start == site.start), site) if site is not None else None
    placed = _with_story_town(placed, filed_at, town, site)
    return _with_the_town_told_next(text, placed, located, sentences, [t.start for t in triggers], dates)


# "14 people were killed in a gunfight in early March as bandits attacked herders near Y": one incident told in a main clause
# and an "as/when/while" clause whose triggers split the clause's date and place between them
_JOINED_BY = re.compile(r"[^;:()\"“”]{0,80}?\b(?:as|when|while)\s+(?:[\w'’-]+\s+){0,6}?$", re.I)


def _joined_across_as(mentions: list[IncidentMention], text: str) -> list[IncidentMention]:
    """One mention for a dated unplaced one and a placed undated one of one sentence that an "as"/"when"/"while"
    clause joins (mentions of one sentence never merge later): the stronger trigger, with the date of one, the place of
    the other and the figure read across both clauses ("30 people were killed" before the first trigger)."""
    out: list[IncidentMention] = []
    i = 0
    while i < len(mentions):
        a = mentions[i]
        b = mentions[i + 1] if i + 1 < len(mentions) else None
        if (b is not None and a.sentence_start == b.sentence_start and a.trigger_start < b.trigger_start
                and not (a.hypothetical or b.hypothetical or a.generic or b.generic or a.separate or b.separate
                         or a.in_passing or b.in_passing or a.definite or b.definite)
                and a.offset_days is None and b.offset_days is None
                and ((a.date is not None and a.place is None and b.date is None and b.place is not None)
                     or (a.date is None and a.place is not None and b.date is not None and b.place is None))
                and _JOINED_BY.match(text, a.trigger_start + len(a.trigger), b.trigger_start)):
            dated, placed = (a, b) if a.date is not None else (b, a)
            head = a if a.priority >= b.priority else b
            figures = find_casualties(text[a.sentence_start:a.sentence_end])
            killed = next((m.killed for m in (head, a, b) if m.killed is not None), figures.killed)
            q = next((m.killed_qualifier for m in (head, a, b) if m.killed is not None), figures.killed_qualifier)
            out.append(replace(head, date=dated.date, date_from=dated.date_from, place=placed.place,
                               place_text=placed.place_text, place_from=placed.place_from, killed=killed,
                               killed_qualifier=q, injured=head.injured if head.injured is not None else
                               (a.injured if a.injured is not None else b.injured)))
            i += 2
            continue
        out.append(a)
        i += 1
    return out


# "Meanwhile, ...", "Last year 40 people died": a sentence that turns to another incident or another time
_TURNS_AWAY = re.compile(r"^\W*(?:meanwhile|separately|elsewhere|earlier|later|last|previously|in (?:a|an|another) |"
                         r"in (?:19|20)\d\d|since|before|after|also|another)\b", re.I)


def _toll_in_next_sentence(mentions: list[IncidentMention], text: str, sentences: Sequence[Sentence],
                           dates: Sequence[DateMention]) -> list[IncidentMention]:
    """"A blazing train sped through the darkness with flames engulfing car after car. More than 370 passengers were
    killed.": a sentence that tells only a toll (no incident word of its own but a bare casualty report, no date, no
    turn to another incident) right after a sentence whose incident has none, in the same paragraph, is that
    incident's toll (a bare report joins a violent incident when merged, never a crash or a fire)."""
    told_in = {m.sentence_start for m in mentions if m.priority > WEAK_PRIORITY}  # a bare casualty report is no word
    date_starts = sorted(d.start for d in dates)
    by_sentence: dict[int, list[int]] = {}
    for i, m in enumerate(mentions):
        by_sentence.setdefault(m.sentence_start, []).append(i)
    out = list(mentions)
    for k in range(len(sentences) - 1):
        here, after = sentences[k], sentences[k + 1]
        own = by_sentence.get(here.start)
        if not own or after.start in told_in or after.paragraph not in (here.paragraph, here.paragraph + 1) \
                or text[here.end:after.start].strip() or _TURNS_AWAY.match(after.text) \
                or bisect_left(date_starts, after.start) < bisect_left(date_starts, after.end):
            continue
        toll = find_casualties(after.text)
        nobody = toll.killed is None and toll.injured is None and NO_ONE_KILLED.search(after.text) is not None
        if nobody:  # "No casualties were reported on either side.": a toll of none, for a placed and dated incident
            toll = Casualties(killed=0)
        elif toll.killed is None and toll.injured is None or after.paragraph != here.paragraph:
            continue  # a figure in the next paragraph may be another incident's; "none" answers the one just told
        for i in own:
            m = out[i]
            if nobody and (m.place is None or m.date is None):
                continue
            if m.killed is None and m.injured is None and not (m.hypothetical or m.generic or m.in_passing):
                out[i] = replace(m, killed=toll.killed, injured=toll.injured, killed_qualifier=toll.killed_qualifier,
                                 injured_qualifier=toll.injured_qualifier)
    return out


def _told_on_in_next_sentence(mentions: list[IncidentMention], text: str, lexicon: Lexicon) -> list[IncidentMention]:
    """"On Sunday, troops killed rebel commander Juan Ortega. He had fled to the hills of Cauca, where he was killed
    with four bodyguards.": a dated unplaced mention and, in the very next sentence, a placed undated one of the same
    family with nothing told between them are one incident told on; each takes what the other knows."""
    out = list(mentions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (a.doc == b.doc and a.paragraph == b.paragraph and b.sentence_start >= a.sentence_end
                and not text[a.sentence_end:b.sentence_start].strip()
                and a.date is not None and a.place is None and b.date is None and b.place is not None
                and b.offset_days is None and not b.definite
                and not (a.hypothetical or b.hypothetical or a.generic or b.generic or b.separate or b.told_apart
                         or a.in_passing or b.in_passing)
                and lexicon.family(a.type) == lexicon.family(b.type)):
            out[i] = replace(a, place=b.place, place_text=b.place_text, place_from="coreference")
            out[i + 1] = replace(b, date=a.date, date_from="coreference")
    return out


# "in the district", "across the province": an area of the kind the story named before (not "the district of X")
_AREA_ANAPHORA = re.compile(r"\b(?:in|across|throughout|of) the (district|province)\b(?!\s+of\b|['’])", re.I)
_AREA_KINDS = {"district": ("admin2",), "province": ("admin1", "admin2")}
_CITY_ANAPHORA = re.compile(r"\b(?:in|across|around|near|outside|inside|within) the (?:city|town)\b(?!\s+of\b)", re.I)
_ANNIVERSARY_OF = re.compile(r"\banniversary\s+of\s+(?:(?:the|a|an|its|their)\s+)?(?:[\w-]+\s+){0,5}?$", re.I)


def _dated_by_anniversary(mentions: list[IncidentMention], text: str, dates: Sequence[DateMention]
                          ) -> list[IncidentMention]:
    """"Monday's blast came on the tenth anniversary of a wave of bombings": an undated incident named after "Nth
    anniversary of" happened N years before the day its sentence tells (not on that day, where coreference would put
    it); an anniversary without its count dates nothing."""
    out = []
    by_start = _ByStart(dates)
    for m in mentions:
        if m.date is None and not m.definite and (m.offset_days is None or abs(m.offset_days) <= 31):
            before = text[max(m.sentence_start, m.trigger_start - 80):m.trigger_start]
            if _ANNIVERSARY_OF.search(before) is not None:
                told = [d for d in by_start.within(m.sentence_start, m.trigger_start) if d.precision == "day"]
                if told:
                    day = told[-1]
                    if m.offset_days:  # "came a day after the tenth anniversary of ...": the anniversary's own day
                        first = day.first - timedelta(days=m.offset_days)
                        day = replace(day, value=first.isoformat(), first=first, last=first)
                    trig = Trigger(m.trigger_start, m.trigger_start + len(m.trigger), m.trigger, m.type, m.priority)
                    shifted = _since_anniversary(text, trig, day)
                    if shifted is not None and shifted is not day:
                        # the anniversary of "a wave of bombings" is one event's, whatever plural names it
                        m = replace(m, date=shifted, date_from="clause", offset_days=None, anchor_text="",
                                    generic=False)
        out.append(m)
    return out


def _one_measured_point(places: Sequence[PlaceMention]) -> PlaceMention | None:
    """The story's one measured point ("the wreckage was found 20 km south-east of X"), when it gives exactly one: a
    story measures a distance for the site of its news, too small for a gazetteer."""
    points = {p.place.geonameid: p for p in places if is_measured_point(p.place)}
    return next(iter(points.values())) if len(points) == 1 else None


def _with_story_town(mentions: list[IncidentMention], filed_at: PlaceMention | None, sole: PlaceMention | None,
                     measured: PlaceMention | None = None) -> list[IncidentMention]:
    """Each mention of the story's days keeps the towns its story is about beside it (`story_towns`): the town of
    its dateline, the one point the story measures, and the one town the story names for a mention that its own
    clause does not place."""
    if filed_at is None and sole is None and measured is None:
        return mentions
    dateline = filed_at and StoryTown(filed_at.place, filed_at.text.title() if filed_at.text.isupper() else filed_at.text,
                                      "dateline")
    story = sole and StoryTown(sole.place, sole.text, STORY_PLACE)
    point = measured and StoryTown(measured.place, measured.place.name, STORY_PLACE)
    out = []
    for m in mentions:
        towns = tuple(t for t in (dateline, point, story if m.place is None or m.place_from != "clause" else None)
                      if t)
        if towns and not m.hypothetical and not m.generic and m.published is not None \
                and (m.date is None or 0 <= (m.published - m.date.last).days <= STORY_DAYS):
            m = replace(m, story_towns=towns)
        out.append(m)
    return out


# "near the port of X", "in the X district of Y", "chairman of X council": a town in a place slot, not the subject
# of a sentence that says how it is now ("X is calm now")
_TOWN_SLOT_BEFORE = re.compile(r"\b(?:in|at|near|outside|of)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}$")
NEXT_TOWN_SENTENCES = 4  # how far after a mention's sentence the town that says where it happened is read
TOLD_NEXT = "told next"  # StoryTown.source of the town a story names next (see _with_the_town_told_next)


def _with_the_town_told_next(text: str, mentions: list[IncidentMention], places: Sequence[PlaceMention],
                             sentences: Sequence[Sentence], trigger_starts: Sequence[int],
                             dates: Sequence[DateMention] = ()) -> list[IncidentMention]:
    """A mention its story places only at an area ("a ferry capsized in X country", "the attack in Y state") keeps
    beside it (`story_towns`) the first town inside that area that the story names in the next few sentences, in a
    sentence that tells no incident of its own, in a place slot ("the boat now lies in the river near the port of Z", "the chairman of
    Z council said"): the story saying more precisely where the incident it just told happened. The area's centroid
    can lie hundreds of kilometres from it. A town in a sentence with an incident word of its own may be another
    incident's, and one that names another day than the mention's tells another time (a photo caption's "soldiers in
    Z, 22 March"); a national capital is where officials speak. Merging takes the town only for an incident that no
    mention places more precisely (merge._story_town)."""
    towns = [p for p in places if p.via == "name" and PLACE_RANK.get(p.place.kind, 0) >= 4.5]
    if not towns or not sentences:
        return mentions
    gaz = default_gazetteer()
    sentence_starts = [s.start for s in sentences]
    triggers = sorted(trigger_starts)
    quiet: dict[int, bool] = {}  # sentence index -> it holds no incident word
    dated = sorted((d.start, d) for d in dates)
    date_starts = [start for start, _ in dated]

    def is_quiet(i: int) -> bool:
        if i not in quiet:
            s = sentences[i]
            k = bisect_left(triggers, s.start)
            quiet[i] = k == len(triggers) or triggers[k] >= s.end
        return quiet[i]

    def other_day(i: int, m: IncidentMention) -> bool:
        s = sentences[i]
        return any(m.date is None or d.first > m.date.last or d.last < m.date.first
                   for _, d in dated[bisect_left(date_starts, s.start):bisect_left(date_starts, s.end)])

    town_starts = [p.start for p in towns]

    def p_text_before(p: PlaceMention) -> str:
        return text[max(0, p.start - 40):p.start]

    out = []
    for m in mentions:
        area = m.place
        if area is None or PLACE_RANK.get(area.kind, 0) >= 4.5 or area.kind == "continent" or m.hypothetical \
                or m.generic or m.published is None \
                or m.date is not None and not 0 <= (m.published - m.date.last).days <= STORY_DAYS:
            out.append(m)
            continue
        own = bisect_right(sentence_starts, m.sentence_start) - 1
        found = None
        for p in towns[bisect_left(town_starts, m.sentence_end):]:
            i = bisect_right(sentence_starts, p.start) - 1
            if i > own + NEXT_TOWN_SENTENCES:
                break
            if not is_quiet(i) or not places_agree(area, p.place) or gaz.is_capital(p.place) or other_day(i, m) \
                    or not _TOWN_SLOT_BEFORE.search(p_text_before(p)):
                continue
            found = p
            break
        if found is not None and all(t.place.geonameid != found.place.geonameid for t in m.story_towns):
            m = replace(m, story_towns=(*m.story_towns, StoryTown(found.place, found.text, TOLD_NEXT)))
        out.append(m)
    return out


ANCHOR_PLACE_REACH = 80  # characters after an anchor where the place of the incident it names is read
_ANCHOR_PLACE_AFTER = re.compile(r"\s+(?:in|at|near|outside)\s+[^;:.()\"“”]*?(?=,?\s+(?:killed|killing|which|that|left|"
                                 r"claimed|wounded)\b)")


_SAME_PLACE = re.compile(r"\b(?:in|at|near|from)\s+the\s+same\s+(?:area|region|town|city|village|district|state|"
                         r"province|county|neighbou?rhood|locality)\b", re.I)
SAME_PLACE = "same place"  # place_from of an anchor told "in the same area": the place of the incident it precedes

# "one day after a suicide bomber struck a convoy carrying a former minister in X.": the anchor's object goes on to the
# place that ends the clause, the place of the incident the anchor names
_ANCHOR_OBJECT_PLACE = re.compile(r"(?:\s+[\w'’-]+){1,8}?\s+(?:in|at|near|outside)\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,2}"
                                  r"[A-Z][^;:.()\"“”,]*?(?=\s*[.;])")


def _anchor_references(document: Document, sentences: list[Sentence], offsets: Sequence, triggers: list[Trigger],
                       places: list[PlaceMention]) -> list[IncidentMention]:
    """'A week after the Orlando shooting': the anchor names an incident, so the document is one of its sources.

    Such a reference never starts an incident; it joins one that a dated report establishes.
    """
    found = []
    triggers_by, places_by = _ByStart(triggers), _ByStart(places)
    sentence_starts = [s.start for s in sentences]
    for o in offsets:
        same_place = False
        if not o.anchor_text:
            # "comes just four days after 39 students were kidnapped from a college in the same area": an unnamed
            # anchor told as a clause at the place of the incident just told is an incident of its own, that many
            # days before
            a0, a1 = _anchor_span(document.text, o)
            same_place = a1 > a0 and o.days and bool(_SAME_PLACE.search(document.text, a0, a1))
            if not same_place:
                continue
        else:
            a0, a1 = o.end - len(o.anchor_text), o.end
        inside = triggers_by.within(a0, a1)
        if not inside:
            continue
        trig = max(inside, key=lambda t: t.priority)
        # its place: in the anchor, or told right after it ("a series of bombings in the capital, Amman, killed 20")
        after = (_ANCHOR_PLACE_AFTER.match(document.text, a1, a1 + ANCHOR_PLACE_REACH)
                 or _ANCHOR_OBJECT_PLACE.match(document.text, a1, a1 + ANCHOR_PLACE_REACH))
        where = [p for p in places_by.within(a0, after.end() if after else a1) if p.via == "name"]
        # the first sentence with s.start <= o.start < s.end + 1 (sentences are in text order and do not overlap)
        k = bisect_right(sentence_starts, o.start) - 1
        while k > 0 and sentences[k - 1].end + 1 > o.start:
            k -= 1
        sentence = sentences[k] if k >= 0 and o.start < sentences[k].end + 1 else None
        if sentence is None:
            continue
        place = _place_for(where, trig, document.text)
        sentence = _evidence(sentence, trig)
        if same_place and place is None:
            found.append(IncidentMention(
                doc=document.doc_id, sentence_start=sentence.start, sentence_end=sentence.end, sentence=sentence.text,
                paragraph=sentence.paragraph, type=trig.type, trigger=trig.text, trigger_start=trig.start,
                place_from=SAME_PLACE, published=document.published, offset_days=-o.days))
            continue
        found.append(IncidentMention(
            doc=document.doc_id, sentence_start=sentence.start, sentence_end=sentence.end, sentence=sentence.text,
            paragraph=sentence.paragraph, type=trig.type, trigger=trig.text, trigger_start=trig.start,
            place=place.place if place else None, place_text=place.text if place else "",
            place_from="reference" if place else "", published=document.published,
            # "three days after a series of bombings in Amman killed 20": an anchor that names its place is an
            # incident of its own, that many days before the one just told (_resolve_local_offsets dates it); one
            # that names no place only tells its story is a source of that incident
            hypothetical=place is None, offset_days=-o.days if place is not None and o.days else None,
        ))
    return found


def _resolve_local_offsets(mentions: list[IncidentMention]) -> list[IncidentMention]:
    """'... the next day': an offset with no named anchor counts from the incident just reported; 'earlier in the
    day' is that incident's day too, not the day of whatever date was written last (a truce 'until Friday')."""
    out: list[IncidentMention] = []
    last_day: dict[str, IncidentMention] = {}  # the latest mention dated to the day, per document
    for m in mentions:
        if m.date is not None and m.date_from in ("clause", "sentence") and tells_the_day_just_told(m.date):
            prev = last_day.get(m.doc)
            if prev is not None and prev.date.value != m.date.value:
                m = replace(m, date=replace(prev.date, start=m.date.start, end=m.date.end, text=m.date.text),
                            date_from="offset")
        if m.date is None and m.offset_days is not None and not m.anchor_text and abs(m.offset_days) <= 31:
            prev = last_day.get(m.doc)
            if prev is not None:
                day = prev.date.first + timedelta(days=m.offset_days)
                shifted = DateMention(start=-1, end=-1, text=f"{m.offset_days:+d} day(s) after {prev.date.text}",
                                      value=day.isoformat(), first=day, last=day, precision="day")
                m = replace(m, date=shifted, date_from="offset", offset_days=None)
                if m.place is None and m.place_from == SAME_PLACE and prev.place is not None:
                    m = replace(m, place=prev.place, place_text=prev.place_text, place_from=SAME_PLACE)
        out.append(m)
        if m.date is not None and m.date.precision == "day":
            last_day[m.doc] = m
    return out


MAX_EVIDENCE_CHARS = 8000  # a longer "sentence" (a text without stops) is cut to a window around the trigger


def _evidence(sentence: Sentence, trig: Trigger) -> Sentence:
    """The sentence a mention carries as evidence: whole, or a window of it around the trigger when it is longer than
    :data:`MAX_EVIDENCE_CHARS` (a 1M-character text without a full stop would otherwise be copied into every one of
    its mentions: quadratic memory)."""
    if sentence.end - sentence.start <= MAX_EVIDENCE_CHARS:
        return sentence
    # windows aligned on blocks of a half, so the mentions of one block share one window (the per-document cache
    # writes a shared sentence once) and every trigger has a quarter of the window on each side at least
    step = MAX_EVIDENCE_CHARS // 2
    block = (trig.start - sentence.start) // step
    start = max(sentence.start, min(sentence.start + block * step - step // 2, sentence.end - MAX_EVIDENCE_CHARS))
    return _window(sentence, start)


@lru_cache(maxsize=8)  # few: each entry keeps its whole long sentence alive
def _window(sentence: Sentence, start: int) -> Sentence:
    """One object per window, so mentions sharing it share its text (the cache writes a text object once)."""
    end = min(sentence.end, start + MAX_EVIDENCE_CHARS)
    return replace(sentence, start=start, end=end, text=sentence.text[start - sentence.start:end - sentence.start])


_ORDINAL_YEARS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
_ANNIVERSARY = re.compile(r"\b(?:(?P<n>[a-z]+|\d{1,3})(?:st|nd|rd|th)?(?:[\s-]+year)?\s+)?anniversary\b", re.I)


def _since_anniversary(text: str, trig: Trigger, d: DateMention | None) -> DateMention | None:
    """'Families marked the first anniversary on Wednesday of the bombing': the day is the anniversary's, the bombing
    that many years before it; an anniversary without its count dates nothing."""
    if d is None:
        return None
    lo, hi = (d.end, trig.start) if d.end <= trig.start else (trig.end, d.start)
    if hi - lo > 200:
        return d
    found = None
    for found in _ANNIVERSARY.finditer(text, max(d.start - 40, 0) if d.end <= trig.start else lo, hi):
        pass
    if found is None:
        return d
    word = (found.group("n") or "").lower()
    years = int(word) if word.isdigit() else _ORDINAL_YEARS.get(word) or parse_number(word)
    if not years:
        return None
    return _years_before(d, years)


def _years_before(d: DateMention, years: int) -> DateMention:
    """The same date mention `years` years earlier (a 29 February becomes the 28th)."""
    try:
        first, last = d.first.replace(year=d.first.year - years), d.last.replace(year=d.last.year - years)
    except ValueError:  # a 29 February
        first, last = d.first.replace(year=d.first.year - years, day=28), d.last.replace(year=d.last.year - years, day=28)
    value = str(first.year) + d.value[4:] if d.value[:4].isdigit() else first.isoformat()
    return DateMention(start=d.start, end=d.end, text=d.text, value=value, first=first, last=last,
                       precision=d.precision)


AFTER_PUBLICATION_DAYS = 14  # a year-less day this far after its story's publication is last year's


def _planned(text: str, d: DateMention, published: date | None) -> bool:
    """A day well after the story's publication that its words put in the future ("the pageant, which is due to be
    held on December 7", "elections will take place on March 3"): the day of something planned, which dates no
    incident the story tells (nor, moved a year back, one a year before)."""
    return published is not None and d.precision == "day" and (d.first - published).days > AFTER_PUBLICATION_DAYS \
        and _tense(text, d.start, d.end) == "future"


_WRITTEN_YEAR = re.compile(r"\d{4}|'\d\d\b|’\d\d\b")


def _not_after_publication(d: DateMention | None, published: date | None) -> DateMention | None:
    """'rebels killed 55 policemen at an outpost March 15' in a story of late November: a day written without its
    year, which the dates stage reads as the nearest such day (next March), is last year's when it falls weeks after
    the story that reports it as having happened (a story cannot report what has not happened yet)."""
    if d is None or published is None or d.precision != "day" or _WRITTEN_YEAR.search(d.text) \
            or (d.first - published).days <= AFTER_PUBLICATION_DAYS or (d.first.month, d.first.day) == (2, 29):
        return d  # (last year had no 29 February)
    return _years_before(d, 1)


def _retold(d: DateMention | None, document: Document) -> bool:
    """Whether the date is an old incident's: well before the story was published."""
    return d is not None and document.published is not None and \
        (document.published - d.last).days > RETOLD_DAYS


# "More than 200 people were feared dead Saturday after a ferry capsized": the day dates the state of the
# count (dead, missing), not the incident told after "after", which may be the night before
_STATE_BEFORE_DAY = re.compile(r"\b(?:(?:believed|feared|presumed|reported|confirmed|declared)\s+dead|missing|"
                               r"unaccounted\s+for)\s+(?:on\s+)?$", re.I)
_AFTER_BETWEEN = re.compile(r"\s*,?\s*(?:after|following)\s+(?:[\w'’-]+\s+){0,6}", re.I)
COUNTED_BACK_DAYS = 31  # "a day earlier", "four days earlier": farther back, the count is a period's, not a day's


def _counted_back(day: DateMention | None, trig: Trigger, offsets: Sequence) -> DateMention | None:
    """The day of an incident told in a relative clause that counts back from its main clause's day ("fled the camp
    Sunday where 300 people were killed a day earlier"): the main clause's day shifted by the count, or None.
    The caller asks only where no other incident word comes before the day (the day of "clashed here Wednesday after
    the funeral of a man killed in rioting the previous day" is the clashes', which the rioting outranks)."""
    if day is None or day.precision != "day" or day.end > trig.start:
        return None
    for o in offsets:
        if (o.start >= trig.end and not o.anchor_text and o.days < 0 and -o.days <= COUNTED_BACK_DAYS
                and not _OPEN_OFFSET.search(o.text)):
            first = day.first + timedelta(days=o.days)
            return DateMention(start=o.start, end=o.end, text=f"{o.text} (from {day.text})", value=first.isoformat(),
                               first=first, last=first, precision="day")
    return None


_DATE_OF_PLACE = re.compile(r",?\s+(?:on|in|at|from|by|until|next|this|last)?\s*")


def _build(document: Document, sentence: Sentence, trig: Trigger, c_start: int, c_end: int,
           places: list[PlaceMention], dates: list[DateMention], offsets: Sequence, s_dates: list[DateMention],
           s_places: "_SentencePlaces", hypothetical: bool, sole_trigger: bool,
           reads: "_ClauseReads | None" = None, clause_triggers: Sequence[Trigger] = ()) -> IncidentMention:
    text = document.text
    reads = reads or _ClauseReads(text, c_start, c_end)
    place = _place_for(places, trig, text)
    place_from = "clause" if place else ""
    if place is None and sole_trigger and s_places and s_places.n_distinct == 1 \
            and not _VENUE_BEFORE.search(text, max(0, s_places[0].start - 40), s_places[0].start) \
            and not (s_places[0].start >= trig.end and _WHO_BETWEEN.search(text, trig.end, s_places[0].start)):
        place, place_from = s_places[0], "sentence"
    if place is None:
        # "gunned down at his home in X, where another man was killed in a drive-by shooting late Friday": what the
        # "where" clause tells happened at the place it follows
        w = text.rfind(", where ", max(sentence.start, trig.start - READ_WINDOW), trig.start)
        if w >= 0:
            place = next((p for p in s_places if p.end == w and p.via == "name"), None)
            place_from = "clause" if place else place_from
    definite = _is_definite(text, trig, c_start)
    unbound = None
    clause_dates = dates
    if definite:
        # "the firefight broke out near X, where a similar incident took place on June 3": that day is the other one's
        own = [d for d in dates if d.start < trig.end or not _OTHER_INCIDENT_BETWEEN.search(text, trig.end, d.start)]
        unbound = _since_anniversary(text, trig, _narrowest(own))
        dates = _bound_dates(text, trig, dates)
        if place is not None and (place not in _bound_places(text, trig, places, c_start)
                                  or _OWNER_COUNTRY.fullmatch(text[place.end:trig.start]) and place.place.kind == "country"):
            # maybe the place of what is said about it, or of who did it ("Israel's 17-day offensive"): the incident
            # referred to may know better
            place_from = "context"
            # "the shooting comes before the opening of a conference in X on 5 September": a place followed by a
            # date the trigger does not own is the place of what happens on that date, not of the incident
            if any(_DATE_OF_PLACE.fullmatch(text, place.end, d.start) and d not in dates for d in clause_dates):
                place, place_from = None, ""
    elif len(dates) > 1 and not _is_verb(trig.text):
        # "jailed 12 people on Wednesday over a bomb attack on a police station that killed four officers in 2015":
        # the noun's own date, not the more precise day of the sentence's main verb
        dates = _bound_dates(text, trig, dates) or dates
    # "the first attack on a church since violence erupted in 2015": a date told after "since" is the other event's
    # "fighting between rival factions who took power from the communists in 1992": a year told in a "who" clause after
    # the trigger is what those people did then
    dates = [d for d in dates if not (d.start >= trig.end and (
        _word_between(_SINCE_WORD, text, trig.end, d.start)
        or PRECISION_RANK.get(d.precision, 0) <= PRECISION_RANK["year"]
        and _word_between(_WHO_WORD, text, trig.end, d.start)))]
    date_ = _since_anniversary(text, trig, _narrowest(dates))
    date_from = "clause" if date_ else ""
    if date_ is None and len(s_dates) == 1 and not offsets and not definite \
            and not (s_dates[0].start >= trig.end and _word_between(_SINCE_WORD, text, trig.end, s_dates[0].start)):
        date_, date_from = s_dates[0], "sentence"
    if not hypothetical:
        date_ = _not_after_publication(date_, document.published)
        unbound = _not_after_publication(unbound, document.published)
    # "two days after talks collapsed": an anchor the dates stage could not name dates nothing here
    offset = next((o for o in offsets if o.anchor_text or not _OPEN_OFFSET.search(o.text)), None)
    if date_ is not None and date_from == "clause" and date_.end <= trig.start \
            and _STATE_BEFORE_DAY.search(text, max(c_start, date_.start - 40), date_.start) \
            and _AFTER_BETWEEN.fullmatch(text, date_.end, trig.start):
        date_, date_from = None, ""  # "200 were feared dead Saturday after a ferry capsized": Saturday is the count's
    shifted = (_counted_back(date_, trig, offsets)
               if date_from == "clause" and not definite and date_ is not None
               and not any(t.start < date_.start for t in clause_triggers if t is not trig) else None)
    if shifted is not None:
        date_ = shifted
    lo = max(reads.figures_from if sole_trigger else trig.start, trig.start - READ_WINDOW)
    hi = min(c_end, trig.end + READ_WINDOW)
    if _SINCE_BEFORE.search(text[max(sentence.start, trig.start - 60):trig.start]):
        figures = Casualties()  # "26 soldiers have been killed since the offensive": a period's toll, not its own
    elif not reads.may_hold_casualties(lo, hi):
        figures = Casualties()
    else:
        figures = reads.casualties(lo, reads.figures_end(trig.start, hi), trig.start)
    separate = reads.separate_before(max(sentence.start, trig.start - READ_WINDOW), trig.start)
    before = text[max(c_start, trig.start - 40):trig.start]  # the words just before the trigger, in its clause
    noun = not _is_verb(trig.text)
    sentence = _evidence(sentence, trig)
    return IncidentMention(
        doc=document.doc_id, sentence_start=sentence.start, sentence_end=sentence.end, sentence=sentence.text,
        paragraph=sentence.paragraph, type=trig.type, trigger=trig.text, trigger_start=trig.start,
        priority=trig.priority, date=date_, date_from=date_from,
        offset_days=offset.days if offset and date_ is None else None,
        anchor_text=offset.anchor_text if offset and date_ is None else "",
        place=place.place if place else None,
        place_text=place.text if place else reads.unresolved_place,
        place_from="demonym" if place is not None and place.via == "demonym" and place_from != "context" else place_from,
        killed=figures.killed, injured=figures.injured,
        killed_qualifier=figures.killed_qualifier, injured_qualifier=figures.injured_qualifier,
        actors=tuple(a for a in reads.actors if a not in s_places.texts and a not in reads.cues.unplaced_names),
        facility=facility_of(text[max(c_start, trig.start - 40):min(c_end, trig.end + 50)]),
        hypothetical=hypothetical or bool(_NOT_HAPPENED.search(text[max(c_start, trig.start - 80):trig.start]))
        or bool(_ALLEGED.search(text[max(c_start, trig.start - 80):trig.start])) and not _retold(date_, document)
        or bool(_MODAL_BEFORE.search(before)),
        places_seen=s_places.seen,
        published=document.published,
        definite=definite,
        generic=sentence.paragraph > 0 and _undated_or_period(text, date_) and (
            _is_generic(text, trig, c_start) or _began_doing(text, trig, c_start)) or _is_campaign(text, trig, c_start)
        or _counted_over_period(text, trig, c_start, c_end)
        # "has killed thousands of people since its inception": a toll over a period, not one incident
        or trig.priority <= WEAK_PRIORITY and bool(PERIOD_TOTAL.match(text, trig.start, c_end))
        or _is_statistic(text, trig, c_start),
        separate=separate or bool(noun and _ANOTHER.search(before) and not _COUNTED_SEPARATE.search(before)),
        told_apart=separate or bool(noun and _APART.search(before))
        or not definite and bool(_SAME_DAY_APART.match(text, sentence.start, trig.start))
        or bool(_NEW_ACTORS_ALSO.match(text, sentence.start, trig.start)),
        target=_target(text, trig),
        in_passing=noun and bool(_IN_PASSING.search(text[max(c_start, trig.start - 60):trig.start])),
        unbound_date=unbound if date_ is None else None,
    )


# "(One was killed by police.)": a bare number killed by the security forces counts some of a group the story told
# before (most often the assailants), not the incident's victims
_BARE_NUMBER_KILLED_BY_FORCES = re.compile(
    r"^\W*(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|another|a third|the other)\s+(?:was|were)\s+"
    r"(?:\w+\s+)?(?:killed|shot dead|shot)\s+by\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:police|security forces|troops|soldiers|officers|army|commandos)\b", re.I)


def _without_assailants_figure(m: IncidentMention) -> IncidentMention:
    if m.killed is not None and m.priority <= WEAK_PRIORITY and _BARE_NUMBER_KILLED_BY_FORCES.match(m.sentence):
        return replace(m, killed=None, killed_qualifier="")
    return m


# What a sentence that only names a place may hold besides the place: "Location, Birmingham, Alabama." "Tulsa again."
_PLACE_FRAGMENT_REST = re.compile(r"^\s*(?:location\s*[,:])?[\s,]*(?:again)?\s*[.!]?\s*$", re.I)


def _placed_by_next_fragment(m: IncidentMention, sentences: list[Sentence], places_by, starts: list[int]
                             ) -> IncidentMention:
    """Broadcast transcripts caption an incident with a sentence that is only its place ("... a bomb explodes at a
    clinic. Location, Birmingham, Alabama."): an unplaced mention takes the place of such a next sentence."""
    k = bisect_right(starts, m.sentence_start)
    if k >= len(sentences) or sentences[k].paragraph != m.paragraph:
        return m
    nxt = sentences[k]
    if len(nxt.text) > 80:
        return m
    named = [p for p in places_by.within(nxt.start, nxt.end) if p.via == "name"]
    if not named:
        return m
    rest, pos = [], nxt.start
    for p in named:
        rest.append(nxt.text[pos - nxt.start:p.start - nxt.start])
        pos = max(pos, p.end)
    rest.append(nxt.text[pos - nxt.start:])
    if not _PLACE_FRAGMENT_REST.match("".join(rest)):
        return m
    best = max(named, key=lambda p: PLACE_RANK.get(p.place.kind, 0))
    return replace(m, place=best.place, place_text=best.text, place_from="sentence")


def _fragment_anchors(prev: Sentence, places_by: "_ByStart", dates_by: "_ByStart"
                      ) -> tuple[list[PlaceMention], list[DateMention]] | None:
    """The named places and the dates of a sentence that holds nothing but them ("Atlanta again."), else None."""
    named = [p for p in places_by.within(prev.start, prev.end) if p.via == "name"]
    dated = dates_by.within(prev.start, prev.end)
    if not named and not dated:
        return None
    rest, pos = [], prev.start
    for span in sorted([*named, *dated], key=lambda x: x.start):
        rest.append(prev.text[pos - prev.start:max(pos, span.start) - prev.start])
        pos = max(pos, span.end)
    rest.append(prev.text[pos - prev.start:])
    if not _PLACE_FRAGMENT_REST.match("".join(rest)):
        return None
    return named, dated


def _told_by_fragments_before(m: IncidentMention, sentences: list[Sentence], places_by: "_ByStart",
                              dates_by: "_ByStart", starts: list[int],
                              fragments: dict[int, tuple | None] | None = None) -> IncidentMention:
    """Broadcast transcripts tell an incident in fragments: "January nineteen ninety-seven. Atlanta again. This time a
    bomb at an abortion clinic." An undated or unplaced mention takes the date and the place of the sentences just
    before it in its paragraph that hold nothing but a date, a place, or both ("again", "Location," aside).

    `fragments` keeps each sentence's answer (by its start) for the other mentions of the document: a sentence
    without stops holds thousands of mentions, and each read all its places and dates again (quadratic)."""
    fragments = {} if fragments is None else fragments
    idx = bisect_left(starts, m.sentence_start)
    place, date_ = m.place, m.date
    text_place, text_from = m.place_text, m.place_from
    for prev in reversed(sentences[max(0, idx - 2):idx]):
        if prev.paragraph != m.paragraph:
            break
        if prev.start not in fragments:
            fragments[prev.start] = _fragment_anchors(prev, places_by, dates_by)
        found = fragments[prev.start]
        if found is None:
            break
        named, dated = found
        if place is None and named:
            best = max(named, key=lambda p: PLACE_RANK.get(p.place.kind, 0))
            place, text_place, text_from = best.place, best.text, "sentence"
        if date_ is None and dated:
            date_ = dated[-1]
    if place is m.place and date_ is m.date:
        return m
    return replace(m, place=place, place_text=text_place, place_from=text_from, date=date_,
                   date_from=m.date_from if date_ is m.date else "sentence")


# "The raids killed 13 people": a sentence whose subject is a definite noun
_DEFINITE_SUBJECT = re.compile(r"\s*(?:The|These|Those|Both)\s+(raid|strike|airstrike|air strike|attack|assault|"
                               r"ambush|blast|explosion|bomb|bombing|shelling|clash|shooting|crash|collision|fire|"
                               r"fighting|offensive)(?:e?s)?\s")


def _placed_by_the_sentence_its_subject_names(m: IncidentMention, sentences: list[Sentence], places_by,
                                             starts: list[int]) -> IncidentMention:
    """"Jets conducted two raids on the village of X in Y province. The raids killed 13 people": an unplaced, undated
    mention whose sentence opens with a definite noun the sentence before (same paragraph) told without a trigger of
    its own takes the place that sentence names after the noun (not a reference point: "near the border with Z")."""
    subject = _DEFINITE_SUBJECT.match(m.sentence)
    if subject is None:
        return m
    idx = bisect_left(starts, m.sentence_start)
    if idx == 0 or sentences[idx - 1].paragraph != m.paragraph:
        return m
    prev = sentences[idx - 1]
    told = re.search(rf"\b{re.escape(subject.group(1))}(?:e?s)?\b", prev.text, re.I)
    if told is None:
        return m
    after = prev.start + told.end()
    named = [p for p in places_by.within(after, prev.end) if p.via == "name"
             and not _REFERENCE_POINT.search(prev.text, 0, p.start - prev.start)
             and not _BORDER_WITH_BEFORE.search(prev.text, 0, p.start - prev.start)]
    if not named:
        return m
    best = max(named, key=lambda p: (PLACE_RANK.get(p.place.kind, 0), -p.start))
    return replace(m, place=best.place, place_text=best.text, place_from="sentence")


_BORDER_WITH_BEFORE = re.compile(r"\b(?:border|frontier)\s+(?:with|of)\s+(?:the\s+)?$", re.I)


# "Both bombs went off on Saturday", "the two attacks happened on Sunday", "all three blasts": a plural that counts
# the incidents its story just told, each without a day
_COUNTED_BACK = re.compile(r"\b(?:(both)|(?:the|these|those|all)\s+(two|three|four))\s+(?:[\w-]+\s+)?$", re.I)
_COUNT_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4}


def _dates_the_incidents_counted(m: IncidentMention, filled: list[IncidentMention]) -> IncidentMention:
    """'In X province a roadside bomb killed a shepherd. In Y province a roadside bomb killed two children. Both bombs
    went off on Saturday': the counted plural dates each incident told just before it without a day (in `filled`, in
    place), and is the latest of them, at its place."""
    before = _COUNTED_BACK.search(m.sentence, 0, max(0, m.trigger_start - m.sentence_start))
    if before is None:
        return m
    n = _COUNT_WORDS[(before.group(1) or before.group(2)).lower()]
    lexicon = default_lexicon()
    family = lexicon.family(m.type)
    told: list[int] = []
    for i in range(len(filled) - 1, -1, -1):
        p = filled[i]
        if p.doc != m.doc or p.paragraph < m.paragraph - 2:
            break
        if p.place is None or p.generic or p.hypothetical or p.definite or lexicon.family(p.type) != family:
            continue  # "the bomb": the incident told before it, not another one
        if p.date is not None:
            break  # an incident with its day: the count is not of undated ones
        if told and filled[told[-1]].sentence_start == p.sentence_start:
            continue  # one sentence, one incident
        told.append(i)
        if len(told) == n:
            break
    if len(told) != n:
        return m
    for i in told:
        filled[i] = replace(filled[i], date=m.date, date_from="coreference")
    latest = filled[told[0]]
    return replace(m, place=latest.place, place_text=latest.place_text, place_from="coreference")


def _fill_from_context(mentions: list[IncidentMention], sentences: list[Sentence],
                       places: list[PlaceMention], starts: list[int],
                       dates: Sequence[DateMention] = ()) -> list[IncidentMention]:
    """Borrow a missing place or date from the paragraph ("the town") or an earlier mention of the same facility."""
    filled: list[IncidentMention] = []
    places_by = _ByStart(places)
    dates_by = _ByStart(dates)
    latest: dict[tuple[str, str, str], IncidentMention] = {}  # the last mention of a facility, per document and family
    placed_on_day: dict[tuple[str, str], IncidentMention] = {}  # the last placed mention of a day, per document
    anaphora: dict[int, bool] = {}  # per evidence text object: the mentions of a long sentence share windows of it
    fragments: dict[int, tuple | None] = {}  # per sentence start: _fragment_anchors, read once

    def anaphoric(evidence: str) -> bool:  # the texts stay alive in `mentions`, so their ids are not reused
        if id(evidence) not in anaphora:
            anaphora[id(evidence)] = bool(_ANAPHORA.search(evidence))
        return anaphora[id(evidence)]

    for m in mentions:
        m = _without_assailants_figure(m)
        if m.place is None:
            m = _placed_by_next_fragment(m, sentences, places_by, starts)
        if (m.place is None or m.date is None) and not m.generic and not m.hypothetical:
            m = _told_by_fragments_before(m, sentences, places_by, dates_by, starts, fragments)
        if m.place is None and anaphoric(m.sentence):
            idx = bisect_left(starts, m.sentence_start)
            for prev in reversed(sentences[max(0, idx - 3):idx]):
                if prev.paragraph != m.paragraph and not (
                        prev is sentences[idx - 1] and prev.paragraph == m.paragraph - 1
                        and (idx < 2 or sentences[idx - 2].paragraph != prev.paragraph)):
                    break  # a wire story's paragraph is often one sentence: "the town" names the one before's town
                earlier = [p for p in places_by.within(prev.start, prev.end)
                           if PLACE_RANK.get(p.place.kind, 0) >= 5]  # "the town" names a town, not a country
                best = earlier[-1] if earlier else None
                if best is not None:
                    m = replace(m, place=best.place, place_text=best.text, place_from="paragraph")
                    break
            if m.place is None:
                # "12 policemen were killed in an ambush in the district on August 30", paragraphs after "Maoists
                # attacked a convoy in X district": the district the story named last before it
                area = _AREA_ANAPHORA.search(m.sentence)
                if area is not None:
                    kinds = _AREA_KINDS[area.group(1).lower()]
                    named = places_by.within(0, m.sentence_start)
                    best = next((p for p in reversed(named) if p.via == "name" and p.place.kind in kinds), None)
                    if best is not None:
                        m = replace(m, place=best.place, place_text=best.text, place_from="paragraph")
            if (m.place is None and m.date is not None and m.published is not None
                    and (m.published - m.date.last).days > STORY_DAYS and _CITY_ANAPHORA.search(m.sentence)):
                # "... the anniversary of bombings that killed 250 people in the city", opening its paragraph: an
                # incident of years before in the city the story opened with
                first = next((p for p in places if PLACE_RANK.get(p.place.kind, 0) >= 5), None)
                if first is not None and first.start < m.sentence_start:
                    m = replace(m, place=first.place, place_text=first.text, place_from="paragraph")
        if m.facility and (m.place is None or m.date is None or PLACE_RANK.get(m.place.kind, 0) < 5):
            prev = latest.get((m.facility, m.doc, default_lexicon().family(m.type)))
            if prev is not None:
                if m.date is None and prev.date is not None and m.offset_days is None:
                    m = replace(m, date=prev.date, date_from="coreference")
                if prev.place is not None and (m.place is None or _refines(prev.place, m.place)):
                    m = replace(m, place=prev.place, place_text=prev.place_text, place_from="coreference")
        if m.place is None and m.date is None:
            m = _placed_by_the_sentence_its_subject_names(m, sentences, places_by, starts)
        if m.place is None and m.date is None and filled and m.offset_days is None:
            prev = filled[-1]
            if prev.definite:
                # "On Monday, a booby-trapped bicycle exploded ... where Friday's bombing occurred. Five were killed
                # in that attack": the sentence's news is what it tells anew, not what it refers back to in passing
                prev = next((p for p in reversed(filled) if p.sentence_start == prev.sentence_start
                             and p.doc == prev.doc and not p.definite and not p.generic and not p.hypothetical), prev)
            if prev.paragraph == m.paragraph and default_lexicon().family(prev.type) == default_lexicon().family(m.type):
                m = replace(m, place=prev.place, place_text=prev.place_text, place_from="coreference",
                            date=prev.date, date_from="coreference" if prev.date else "")
            elif m.definite and prev.paragraph == m.paragraph - 1 and (m.killed is not None or m.injured is not None):
                # "Friday's massacre, which left 40 dead" opening a paragraph, with no date or place of its own: the
                # toll of the incident the previous paragraph told (its last specific mention of the same family).
                # Only tolls: other definite mentions given the place became incidents of their own (measured)
                told = next((p for p in reversed(filled) if p.paragraph == prev.paragraph and not p.generic
                             and p.place is not None
                             and default_lexicon().family(p.type) == default_lexicon().family(m.type)), None)
                if told is not None:  # its place only: a date borrowed across paragraphs started false incidents
                    m = replace(m, place=told.place, place_text=told.place_text, place_from="coreference")
        if m.place is None and m.date is not None and m.date_from == "clause" and not m.hypothetical:
            m = _dates_the_incidents_counted(m, filled)
        if m.place is None and m.date is not None and m.date.precision == "day" and m.date_from == "clause":
            prev = placed_on_day.get((m.doc, m.date.value))
            if prev is not None:  # "In Tuesday's unrest, hundreds threw stones": where the story's Tuesday happened
                m = replace(m, place=prev.place, place_text=prev.place_text, place_from="coreference")
        filled.append(m)
        if m.place is not None and m.date is not None and m.date.precision == "day" and m.date_from == "clause":
            placed_on_day[(m.doc, m.date.value)] = m
        if m.facility:
            latest[(m.facility, m.doc, default_lexicon().family(m.type))] = m
    filled = _in_the_story_country(filled, places)
    filled = _in_the_group_country(filled)
    filled = _in_the_leader_country(filled)
    # A later mention of the same facility that names a more specific place refines earlier ones.
    placed_by_facility: dict[str, list[int]] = {}
    for i, m in enumerate(filled):
        if m.facility and m.place is not None:
            placed_by_facility.setdefault(m.facility, []).append(i)
    refining: dict[tuple[str, Place], list[int]] = {}  # mentions that refine a place, found once per facility and place
    out = []
    for i, m in enumerate(filled):
        if m.facility and m.place is not None:
            found = refining.get((m.facility, m.place))
            if found is None:
                found = refining[(m.facility, m.place)] = [j for j in placed_by_facility[m.facility]
                                                           if _refines(filled[j].place, m.place)]
            k = bisect_right(found, i)
            if k < len(found):
                later = filled[found[k]]
                m = replace(m, place=later.place, place_text=later.place_text, place_from="coreference")
        out.append(m)
    return out


def _in_the_story_country(mentions: list[IncidentMention], places: Sequence[PlaceMention]) -> list[IncidentMention]:
    """The killing of a named person on a named day, with no place in the story's words, in a story whose places all
    lie in one country ("the most recent was the killing of journalist N.N. on May 3"): a political killing the story
    recalls happened in that country; listed at country precision rather than lost."""
    def unplaced_named_killing(m: IncidentMention) -> bool:
        return m.place is None and bool(m.target) and m.date is not None and m.date.precision == "day"

    if not any(unplaced_named_killing(m) for m in mentions):
        return mentions
    countries = {p.place.country for p in places if p.via == "name" and p.place.kind != "continent"}
    if len(countries) != 1 or "" in countries:
        return mentions
    country = default_gazetteer().country_place(next(iter(countries)))
    if country is None:
        return mentions
    return [replace(m, place=country, place_text=country.name, place_from=STORY_PLACE)
            if unplaced_named_killing(m) and not m.hypothetical else m
            for m in mentions]


# "shot down Rwandan President N.N.'s plane": a head of state or government named with the country's demonym
_LEADER_TITLE = re.compile(r"\s+(?:President|Prime\s+Minister|Premier|King|Queen|Emir|Chancellor|head\s+of\s+state)\b")
LEADER_WINDOW = 60  # characters from the trigger's start where its victim's title is read


def _in_the_leader_country(mentions: list[IncidentMention]) -> list[IncidentMention]:
    """A day-dated incident its story does not place, done to a head of state named with the country's demonym
    ("who shot down Rwandan President N.N.'s plane on April 6, 1994"): it happened in that leader's country, as a
    political killing its story recalls does (see :func:`_in_the_story_country`); listed at country precision."""
    if not any(m.place is None and m.date is not None for m in mentions):
        return mentions
    demonyms = _demonyms()
    out = []
    for m in mentions:
        if m.place is None and m.date is not None and m.date.precision == "day" and not m.hypothetical:
            at = m.trigger_start - m.sentence_start
            window = m.sentence[max(0, at):at + max(len(m.trigger), LEADER_WINDOW)]
            found = {demonyms[w.group(0)] for w in _WORD.finditer(window)
                     if w.group(0) in demonyms and _LEADER_TITLE.match(window, w.end())}
            code = next(iter(found)) if len(found) == 1 else ":"  # one country, not a sub-national demonym
            country = default_gazetteer().country_place(code) if ":" not in code else None
            if country is not None:
                m = replace(m, place=country, place_text=country.name, place_from="leader")
        out.append(m)
    return out


_WORD = re.compile(r"[A-Z][\w'’-]+")


@lru_cache(maxsize=1)
def _armed_groups() -> tuple[re.Pattern[str], dict[str, str]]:
    """Armed groups that fight in one country (data/armed_groups.csv), as one case-sensitive pattern and a map."""
    countries = {r["name"]: r["country"] for r in read_data_csv(DATA_DIR / "armed_groups.csv")}
    names = sorted(countries, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])"), countries


def _in_the_group_country(mentions: list[IncidentMention]) -> list[IncidentMention]:
    """A dated incident its story does not place, done by or to a group that fights in one country ("Last week,
    Tamil Tigers killed four soldiers"): it happened in that country; listed at country precision rather than lost."""
    if not any(m.place is None and m.date is not None for m in mentions):
        return mentions
    pattern, countries = _armed_groups()
    out = []
    for m in mentions:
        if m.place is None and m.date is not None and not m.hypothetical:
            found = {countries[g.group(0)] for g in pattern.finditer(m.sentence)}
            country = default_gazetteer().country_place(next(iter(found))) if len(found) == 1 else None
            if country is not None:
                m = replace(m, place=country, place_text=country.name, place_from="actor")
        out.append(m)
    return out


def _headline_is_the_lead(mentions: list[IncidentMention], lexicon: Lexicon) -> list[IncidentMention]:
    """A headline names the incident its lead paragraph dates ("Three killed in Nairobi slum riot" / "Three people
    were killed Sunday when police clashed with residents"): the headline takes the lead's date, the lead the
    headline's place when it names none."""
    out = list(mentions)
    for i, head in enumerate(out):
        if head.paragraph != 0 or head.date is not None or head.hypothetical or head.offset_days is not None:
            continue
        for j in range(i + 1, len(out)):
            lead = out[j]
            if lead.doc != head.doc or lead.paragraph > 2:
                break
            if lead.paragraph == 0 or lead.date is None or lead.date_from not in ("clause", "sentence") \
                    or lead.generic:  # "murders dropped to 339 in August": a count's month dates no headline
                continue
            if not (_may_corefer(head, lead, lexicon, VIOLENT_FAMILIES)
                    or _may_corefer(lead, head, lexicon, VIOLENT_FAMILIES)):
                continue
            if lead.place is not None and head.place is not None and not places_agree(lead.place, head.place):
                break
            out[i] = replace(head, date=lead.date, date_from="coreference")
            if lexicon.family(lead.type) != lexicon.family(head.type):  # "attack" names the headline's airstrike
                if lead.type in GENERIC_TYPES:
                    out[j] = lead = replace(lead, type=head.type)
                else:
                    out[i] = replace(out[i], type=lead.type)
            if lead.place is None and head.place is not None and not (
                    lead.definite and any(out[k].doc == lead.doc and out[k].place is not None for k in range(i + 1, j))):
                # not "Tuesday's attack" after a placed report: it refers back to that report, at that place
                out[j] = replace(lead, place=head.place, place_text=head.place_text, place_from="headline")
            break
    return out


GENERIC_TYPES = frozenset({"attack"})  # words any violent incident can be called by ("the attack")
# a bare casualty report ("Two women and a man were killed") tells the toll of whatever incident the story just told,
# a rocket strike as well as a shooting
TOLL_TYPES = frozenset({"killing"})
VIOLENT_FAMILIES = frozenset({"violence", "strike"})
# Within one story "the attack" may also name an offensive or a battle the story told ("the ground offensive began
# Saturday night ... The attack was lightning quick"); a headline's "siege" of a mall is not the lead's attack type.
STORY_FAMILIES = VIOLENT_FAMILIES | {"control"}


def _may_corefer(later: IncidentMention, earlier: IncidentMention, lexicon: Lexicon,
                 families: frozenset[str] = STORY_FAMILIES) -> bool:
    family, other = lexicon.family(later.type), lexicon.family(earlier.type)
    if family == other:
        return True
    generic = later.type in GENERIC_TYPES or later.type in TOLL_TYPES or (
        later.type == "bombing" and _BARE_BLAST.fullmatch(later.trigger))
    return bool(generic) and family in families and other in families


LEAD_SENTENCES = 3  # the headline and the opening sentences: what the story is news about
_PROSE_END = re.compile(r"[.!?][\"'”’)]*\s*$")
PROSE_WORDS = 8


def _lead_end(sentences: Sequence[Sentence], text: str = "", title: str = "") -> int:
    """Where the story's lead ends: the headline and the opening sentences, not counting the lines a web page puts
    between them (a byline, 'Posted May 5, 2019 1:50 am EDT', the headline repeated): short lines that end no
    sentence, and the headline's subtitle (a line right after it that ends no sentence either).

    A saved web page may open with its site's menus, video captions or comment form before the headline: when the
    story's title (from its manifest) stands in the text, the lead is also counted from the sentence that holds it,
    and ends where the later of the two counts ends."""
    end = _lead_end_from(sentences, 0)
    at = _title_at(text, title)
    if at >= 0:
        k = bisect_right([s.start for s in sentences], at) - 1
        if k > 0:
            end = max(end, _lead_end_from(sentences, k))
    return end


def _title_at(text: str, title: str) -> int:
    """Where the story's title first stands in its text, -1 when it does not (or is too short to tell a headline)."""
    words = title.split()
    if len(words) < 3:
        return -1
    # the title's words with whitespace between them (what re.search of r"\s+".join(map(re.escape, words)) finds,
    # without compiling a pattern per story: each title is a new one, and compiling it cost more than the search)
    first, rest, n = words[0], words[1:], len(text)
    at = text.find(first)
    while at >= 0:
        end = at + len(first)
        for word in rest:
            gap = end
            while gap < n and text[gap].isspace():
                gap += 1
            if gap == end or not text.startswith(word, gap):
                break
            end = gap + len(word)
        else:
            return at
        at = text.find(first, at + 1)
    return -1


def _lead_end_from(sentences: Sequence[Sentence], first: int) -> int:
    counted = 0
    for i in range(first, len(sentences)):
        sentence = sentences[i]
        j = i - first
        subtitle = j == 1 and sentence.paragraph == sentences[first].paragraph + 1 and (
            i + 1 == len(sentences) or sentences[i + 1].paragraph > sentence.paragraph)
        if j == 0 or _PROSE_END.search(sentence.text) or len(sentence.text.split()) >= PROSE_WORDS and not subtitle:
            counted += 1
        if counted == LEAD_SENTENCES:
            return sentence.end
    return sentences[-1].end if sentences else 0
RECENT_DAYS = 7  # a date this close to publication can be the day the lead's undated incident happened
# "charged ... after a woman was stabbed", "jailed for life after": the news is the proceedings, the incident older.
# Matched as a lookahead at each proceedings word (bounded), so the lead is read once whatever its length.
_PROCEEDINGS_AFTER = re.compile(r"\b(?=(?:charged?|charges|jailed|sentenced|convicted|guilty|trial|court|sued|fined|"
                                r"extradited|indicted|acquitted|freed|released)\b[^.;]{0,80}"
                                r"\b(after|following|over|for)\b)", re.I)
_CLAUSE_STOPS = re.compile(r"[.;]")
TOLD_CANDIDATES = 64  # dated mentions a lead mention is compared with: a long story's first ones tell its news
PUBLICATION = "publication"  # date_from of a lead mention dated by its story's publication day


def _after_proceedings(lead_text: str, lead: Sequence[IncidentMention]) -> bool:
    """Whether a lead mention follows "charged/jailed/... after|for" in its own sentence and clause."""
    pairs = sorted(((m.start(), m.end(1)) for m in _PROCEEDINGS_AFTER.finditer(lead_text)), key=lambda p: p[1])
    if not pairs:
        return False
    ends = [end for _, end in pairs]
    stops = [m.start() for m in _CLAUSE_STOPS.finditer(lead_text)]
    for m in lead:
        k = bisect_right(ends, m.trigger_start) - 1
        if k < 0 or pairs[k][0] < m.sentence_start:
            continue
        stop = bisect_right(stops, pairs[k][1] - 1)
        if stop >= len(stops) or stops[stop] >= m.trigger_start:
            return True
    return False


def _dated_by_publication(mentions: list[IncidentMention], lexicon: Lexicon, lead_text: str,
                          date_starts: Sequence[int] = (), after_offsets: Sequence[tuple[int, int]] = ()
                          ) -> list[IncidentMention]:
    """The news a story leads with happened on or just before its publication day, when the story never dates it.

    "Security forces clashed with demonstrators in Lagos" opens a story with no day at all; "A suicide car bomb in
    central Turkey has killed 13 soldiers" likewise. When no later mention of the story dates the same incident
    (within the two weeks a story tells as its own, STORY_DAYS), the lead mention takes the publication day; later
    mentions then corefer with it. When the story does date it further on ("... is dead after being stabbed on
    Friday"), the lead takes that day and lends its place. When the lead says its news came "a week after" another
    incident (`after_offsets`: (start, days) of such offsets), a later mention dated that long before publication
    tells that other incident, not the lead's.
    """
    out = list(mentions)
    lead_end = len(lead_text)
    lead = [m for m in out if m.sentence_start < lead_end]
    if not lead or _after_proceedings(lead_text, lead):
        return out  # the story's news is a trial or an arrest: its incident happened some unknown time before
    told_candidates = [j for j, other in enumerate(out)
                       if other.date is not None and other.date_from in ("clause", "sentence")
                       and not other.hypothetical and not other.generic and not other.separate
                       and other.published is not None
                       and abs((other.date.last - other.published).days) <= STORY_DAYS][:TOLD_CANDIDATES]
    # the lead's news came that many days after another incident: the headline's mention as well as the lead's
    after = after_offsets[0][1] if after_offsets and after_offsets[0][0] < lead_end else 0
    unplaced: list[int] = []  # lead mentions left undated for want of a place
    for i, m in enumerate(out):
        if m.sentence_start >= lead_end:
            break
        if m.date is not None or m.offset_days is not None or m.published is None or m.hypothetical or m.generic \
                or m.separate or m.unbound_date is not None:
            continue
        k = bisect_left(date_starts, m.sentence_start)
        if k < len(date_starts) and date_starts[k] < m.sentence_end and not _OWN_PREDICATE_BEFORE.search(
                m.sentence, max(0, date_starts[k] - m.sentence_start - 80), date_starts[k] - m.sentence_start):
            continue  # "Since 1985, 200 soldiers have been killed fighting": its dates were set aside on purpose
        told = next((j for j in told_candidates
                     if j != i and out[j].doc == m.doc and out[j].published == m.published
                     and not (after and (m.published - out[j].date.first).days >= after - 1)
                     and (_may_corefer(out[j], m, lexicon) or _may_corefer(m, out[j], lexicon))
                     and (m.place is None and out[j].place is not None and out[j].sentence_start > m.sentence_start
                          or m.place is not None and places_agree(out[j].place, m.place))), None)
        if told is not None:  # the story dates its news further on: the lead takes that day and lends its place
            other = out[told]
            kind = m.type if lexicon.family(m.type) == lexicon.family(other.type) else other.type
            out[i] = replace(m, date=other.date, date_from="coreference", type=kind)
            if m.place is None:  # "... a store owner they took hostage" then "He was kidnapped in X on Wednesday"
                out[i] = replace(out[i], place=other.place, place_text=other.place_text, place_from="coreference")
            elif other.place is None:
                out[told] = replace(other, place=m.place, place_text=m.place_text, place_from="headline")
            continue
        if m.place is None:
            unplaced.append(i)
            continue
        out[i] = replace(m, date=_publication_day(m.published), date_from=PUBLICATION)
    # "At least 50 people have died after a suicide bomber struck a mosque" then "The attack in X state was carried
    # out by a young man": the lead's unplaced news is the one its next sentences place and date by the publication day
    for i in unplaced:
        m = out[i]
        j = next((j for j in range(i + 1, len(out)) if out[j].sentence_start < lead_end
                  and out[j].sentence_start > m.sentence_start and out[j].doc == m.doc
                  and out[j].date_from == PUBLICATION and out[j].place is not None
                  and (_may_corefer(out[j], m, lexicon) or _may_corefer(m, out[j], lexicon))), None)
        if j is not None:
            out[i] = replace(m, date=out[j].date, date_from="coreference", place=out[j].place,
                             place_text=out[j].place_text, place_from="coreference")
    return out


def _publication_day(day: date) -> DateMention:
    """The day a story was published, as the date of a mention it dates (no span of the text)."""
    return DateMention(start=-1, end=-1, text="(publication date)", value=day.isoformat(), first=day, last=day,
                       precision="day")


# "KIRKUK - Police said three policemen were wounded in a firefight ...": a paragraph a round-up opens with its own
# upper-case dateline is an item of the day's news, told like a story's lead
_ITEM_DATELINE = re.compile(r"^(?-i:[A-Z][A-Z'’.]+(?:[ -][A-Z][A-Z'’.]+){0,3})[ \t]+[-–—]{1,2}[ \t]+(?=[A-Z0-9\"“])",
                            re.M)
ROUND_UP_ITEMS = 3  # paragraphs opening with a dateline that make a story a round-up of items


def _round_up_items_dated_by_publication(mentions: list[IncidentMention], text: str,
                                         date_starts: Sequence[int] = ()) -> list[IncidentMention]:
    """A round-up ("Security summary": paragraphs each opening 'TOWN - ...') tells each item as a lead: an item its
    paragraph's first sentence places but never dates happened on or just before the round-up's publication day,
    as an undated lead does (_dated_by_publication); an item that names a day keeps it.

    Each item is news of its own ("BAGHDAD - A roadside bomb killed six ..." then "BAGHDAD - A bomb in a bus killed
    two ..."): what an item's first sentence tells is told apart from what the items before told, as "Separately"
    would set it apart; the item's later sentences may still tell on its own incident."""
    items = [(m.start(), m.end()) for m in _ITEM_DATELINE.finditer(text)]
    if len(items) < ROUND_UP_ITEMS:
        return mentions
    item_starts = [a for a, _ in items]
    out = []
    for m in mentions:
        k = bisect_right(item_starts, m.sentence_start) - 1
        # the sentence opens the item: it starts at its dateline or right after it
        first_sentence = k >= 0 and (m.sentence_start <= items[k][1]
                                     or not text[items[k][1]:m.sentence_start].strip(" \t"))
        if first_sentence and k > 0 and not m.told_apart:
            m = replace(m, told_apart=True)
        if first_sentence and m.date is None and m.place is not None and m.published is not None \
                and m.offset_days is None and m.unbound_date is None \
                and not (m.hypothetical or m.generic or m.separate):
            j = bisect_left(date_starts, m.sentence_start)
            if not (j < len(date_starts) and date_starts[j] < m.sentence_end):  # its sentence names no time
                m = replace(m, date=_publication_day(m.published), date_from=PUBLICATION)
        out.append(m)
    return out


STORY_DAY = "story"  # date_from of a mention dated by the day its story tells nearest to it
STORY_PLACE = "story"  # place_from of a mention placed by its story's one town or country


def _story_place(places: Sequence[PlaceMention]) -> Place | None:
    """Where a story happens, when its names say so: its one town (see :func:`_story_town`), else the one country all
    its named places lie in; None when they spread wider."""
    town = _story_town(places)
    if town is not None:
        return town.place
    countries = {p.place.country for p in places if p.via == "name" and p.place.kind != "continent"}
    if len(countries) != 1 or "" in countries:
        return None
    return default_gazetteer().country_place(next(iter(countries)))


def _in_the_storys_town(mentions: list[IncidentMention], places: Sequence[PlaceMention]) -> list[IncidentMention]:
    """A mention of the story's days placed at a first-level area it borrowed from its context ("the killings of
    four policemen in his state", after "Sonora Gov. X said") happened in the one town the story names inside that
    area, when it names exactly one: the area's centroid can lie hundreds of kilometres from it. An area named in
    the mention's own clause ("killed in a gunbattle in Helmand") and older incidents the story recalls keep it."""
    towns: dict[tuple[str, str], set[str]] = {}
    by_id: dict[str, PlaceMention] = {}
    for p in places:
        if p.via == "name" and PLACE_RANK.get(p.place.kind, 0) >= 4.5 and p.place.admin1:
            towns.setdefault((p.place.country, p.place.admin1), set()).add(p.place.geonameid)
            by_id.setdefault(p.place.geonameid, p)
    if not towns:
        return mentions
    out = []
    for m in mentions:
        area = m.place
        if area is not None and area.kind == "admin1" and m.place_from != "clause" and not m.generic \
                and not m.hypothetical \
                and len(towns.get((area.country, area.admin1), ())) == 1 \
                and (m.date is None or m.published is not None and 0 <= (m.published - m.date.last).days <= STORY_DAYS):
            town = by_id[next(iter(towns[(area.country, area.admin1)]))]
            m = replace(m, place=town.place, place_text=town.text)
        out.append(m)
    return out


def _placed_by_story(mentions: list[IncidentMention], places: Sequence[PlaceMention]) -> list[IncidentMention]:
    """Unplaced mentions keep their story's place beside them (`story_place`), for an incident that has no other."""
    if all(m.place is not None for m in mentions):
        return mentions
    where = _story_place(places)
    if where is None:
        return mentions
    return [replace(m, story_place=where) if m.place is None else m for m in mentions]


def _dated_by_story_day(mentions: list[IncidentMention], dates: Sequence[DateMention] = ()
                        ) -> list[IncidentMention]:
    """A news story tells of its own few days: a mention it leaves undated ("Bombing raids killed 16 in the town of
    X", a paragraph after "... killed 31 on Wednesday") happened on the day the story tells nearest to it.

    Only days of the story's recent past (within RECENT_DAYS before its publication) count, and only for a mention
    whose sentence names no other time ("Since 1985, ..." sets its dates aside on purpose). The day is kept beside
    the mention (`story_day`), not as its date: merging uses it only when the mention joins no incident without it,
    and marks it STORY_DAY, a borrowed date that a mention's own date always outweighs.
    """
    def recent(d: DateMention, published: date) -> bool:
        return -RECENT_DAYS <= (d.last - published).days <= 1

    told = [(m.trigger_start, m.date) for m in mentions
            if m.date is not None and m.date.precision == "day"
            and not m.hypothetical and not m.generic and m.published is not None and recent(m.date, m.published)]
    if not told:
        return mentions
    told.sort(key=lambda t: t[0])
    told_starts = [t[0] for t in told]
    dates_by = _ByStart(sorted(dates, key=lambda d: d.start))
    only_recent: dict[tuple[int, date], bool] = {}  # per sentence: a long one holds thousands of mentions

    def names_only_recent_days(m: IncidentMention) -> bool:
        key = (m.sentence_start, m.published)
        if key not in only_recent:
            only_recent[key] = all(recent(d, m.published) for d in dates_by.within(m.sentence_start, m.sentence_end))
        return only_recent[key]

    out = []
    for m in mentions:
        if m.date is None and m.offset_days is None and m.published is not None and not m.hypothetical \
                and not m.generic and m.unbound_date is None and names_only_recent_days(m):
            # the same document's mentions only: callers pass one document at a time
            k = bisect_left(told_starts, m.trigger_start)
            near = [told[j] for j in (k - 1, k) if 0 <= j < len(told)]
            if near:
                _, day = min(near, key=lambda t: abs(t[0] - m.trigger_start))
                m = replace(m, story_day=day)
        out.append(m)
    return out


_AUXILIARY_FIRST = re.compile(r"(?:was|were|is|are|been|being|be|has|have|had)\b", re.I)  # "were killed": a verb
# "the attack occurred on a road in X": the place a definite mention's own predicate puts it at is its place
_OWN_SCENE_AFTER = re.compile(r"\s+(?:\w+ly\s+)?(?:occurred|took place|happened|was carried out|unfolded|struck)\b", re.I)


def _corefer(mentions: list[IncidentMention], lexicon: Lexicon, lead_text: str = "",
             date_starts: Sequence[int] = (), after_offsets: Sequence[tuple[int, int]] = ()) -> list[IncidentMention]:
    """Event coreference: an undated mention ("the bombing", "gunmen opened fire on the patrol") is the incident the
    story already told, and keeps that incident's date, whatever report, funeral or statement date stands beside it.

    A definite mention refers back to the latest compatible incident anywhere earlier in the story; an indefinite one
    elaborates only the incident of its own or the previous paragraph. Generic plurals ("near-daily attacks") and
    mentions introduced as separate ("In a separate incident") refer to nothing.
    """
    mentions = _dated_by_publication(_headline_is_the_lead(mentions, lexicon), lexicon, lead_text, date_starts,
                                     after_offsets)
    out: list[IncidentMention] = []
    for m in mentions:
        if m.definite and m.date is not None and m.date_from == "clause" and m.place is None and not m.hypothetical:
            # "... were killed when rebels shelled Aleppo, state media reported on Sunday" then "the shelling Sunday
            # took place in a neighbourhood": the definite mention dates the incident told undated before it, and
            # takes its place
            k = next((i for i in range(len(out) - 1, -1, -1)
                      if out[i].doc == m.doc and out[i].date is None and out[i].place is not None
                      and out[i].offset_days is None and not out[i].hypothetical and not out[i].generic
                      and out[i].paragraph >= m.paragraph - 2 and _may_corefer(m, out[i], lexicon)), None)
            if k is not None:
                told = out[k]
                out[k] = replace(told, date=m.date, date_from="coreference")
                m = replace(m, place=told.place, place_text=told.place_text, place_from="coreference")
            else:
                # "Gunmen raided a village in X region, killing six" then "Tuesday's attack lasted an hour": the
                # definite mention is the incident just told (dated already through the headline), at its place
                told = next((p for p in reversed(out) if p.doc == m.doc and p.place is not None
                             and p.date is not None and p.date_from == "coreference" and p.offset_days is None
                             and not p.hypothetical and not p.generic and p.paragraph >= m.paragraph - 2
                             and p.date.first <= m.date.last and m.date.first <= p.date.last
                             and _may_corefer(m, p, lexicon)), None)
                if told is not None:
                    m = replace(m, place=told.place, place_text=told.place_text, place_from="coreference")
        if m.definite and m.date is not None and m.place_from == "context":
            # "the Tuesday air strike" beside another country's name: the strike the story told, at its place
            # "last week's fighting ... in X" then "last week's clashes, which ... around a camp in Y": the story's
            # second definite reference to the same dated incident is the first one, at its place
            same = next((p for p in reversed(out) if p.doc == m.doc and p.date is not None and p.place is not None
                         and (p.place_from != "context" or p.definite and p.date.value == m.date.value
                              and p.date_from == "clause")
                         and _may_corefer(m, p, lexicon)
                         and PLACE_RANK.get(p.place.kind, 0) >= PLACE_RANK.get(m.place.kind, 0)
                         and p.date.first <= m.date.last and m.date.first <= p.date.last), None)
            if same is not None:
                m = replace(m, place=same.place, place_text=same.place_text, place_from="coreference")
        if m.date is None and m.offset_days is None and not m.generic and not m.separate and not m.hypothetical:
            antecedent = None
            candidates = [p for p in reversed(out) if p.doc == m.doc and p.date is not None and not p.hypothetical
                          and not p.generic and _may_corefer(m, p, lexicon)
                          and (m.place is None or m.place_from == "context"
                               or (p.place is not None and places_agree(m.place, p.place))
                               # "Bombardment of two towns killed 31 on Wednesday" leads the story, then "Raids
                               # killed 16 in the town of X": the lead's unplaced news, told at one of its places
                               or p.place is None and m.killed is not None and not m.definite
                               and p.sentence_start < len(lead_text) and p.published is not None
                               and 0 <= (p.published - p.date.last).days <= STORY_DAYS
                               # "the group had attacked a police station and a military base over the weekend" then
                               # "Those attacks took place in provinces along the border": the unplaced incident just
                               # told, which the definite mention places
                               or p.place is None and m.definite and _is_plural_noun_text(m.trigger)
                               and p.paragraph >= m.paragraph - 1)
                          and not (m.target and p.target and m.target != p.target)]
            # the same named victim links mentions anywhere in the story
            named = [p for p in candidates if (p.target and (p.target == m.target or p.target in m.sentence))
                     or (m.target and re.search(rf"\b{re.escape(m.target)}\b", p.sentence))]
            if named:
                antecedent = named[0]
            else:
                for p in candidates:
                    if m.definite or p.paragraph >= m.paragraph - 1:
                        antecedent = p
                    break
            if antecedent is not None:
                kind = m.type if lexicon.family(m.type) == lexicon.family(antecedent.type) else antecedent.type
                m = replace(m, date=antecedent.date, date_from="coreference", type=kind)
                # "the attack coincided with a visit to X": a definite noun's place of what is said about it gives
                # way to the place of the incident it refers to, when that place is more than a country and lies elsewhere
                weak = m.place_from == "context" and antecedent.place is not None and (
                    PLACE_RANK.get(antecedent.place.kind, 0) >= PLACE_RANK.get(m.place.kind, 0)
                    or m.definite and not _is_verb(m.trigger) and not _AUXILIARY_FIRST.match(m.trigger)
                    and PLACE_RANK.get(antecedent.place.kind, 0) >= PLACE_RANK["admin1"]
                    and not places_agree(antecedent.place, m.place) and not _OWN_SCENE_AFTER.match(
                        m.sentence, max(0, m.trigger_start - m.sentence_start + len(m.trigger))))
                if m.place is None or weak or (antecedent.place is not None and _refines(antecedent.place, m.place)):
                    written = antecedent.place.name if antecedent.place_from == "demonym" else antecedent.place_text
                    m = replace(m, place=antecedent.place, place_text=written, place_from="coreference")
            elif m.unbound_date is not None:
                # "the killing of X in March 2009": a definite mention the story never told before dates itself
                m = replace(m, date=m.unbound_date, date_from="clause")
        out.append(m)
    return out


SAME_PLACE_KM = 40.0
BORDER_SAME_PLACE_KM = 5.0  # two towns of different countries: one place only within one town's span
ADMIN2_KM = 120  # how far from its centre a district's towns may lie


def places_agree(a: Place | None, b: Place | None) -> bool:
    """Two places can be one incident's: the same, a few kilometres apart, or a country and a town inside it."""
    if a is None or b is None:
        return True
    if a.geonameid == b.geonameid:
        return True
    ra, rb = PLACE_RANK.get(a.kind, 0), PLACE_RANK.get(b.kind, 0)
    if ra >= 5 and rb >= 5:
        # towns either side of a border are two places ("a rocket from Gaza hit Kiryat Malachi"), unless one town
        # has two names on either side of the line (Jerusalem and East Jerusalem)
        km = distance_km(a, b)
        return km <= (BORDER_SAME_PLACE_KM if a.country and b.country and a.country != b.country else SAME_PLACE_KM)
    broad, narrow = (a, b) if ra <= rb else (b, a)
    if broad.kind == "continent":
        return False
    if broad.kind == "admin2" and narrow.kind == "admin2":
        return distance_km(a, b) <= SAME_PLACE_KM  # two districts are two places, unless one under two names
    if broad.kind == "admin2":  # a district holds the towns of its admin1 near it (no admin2 code on places)
        return narrow.country == broad.country and (not narrow.admin1 or narrow.admin1 == broad.admin1) \
            and distance_km(a, b) <= ADMIN2_KM
    if broad.kind in ("country", "region", "admin1") and broad.country:
        if broad.kind == "admin1" and narrow.admin1 and broad.admin1:
            return narrow.admin1 == broad.admin1 and narrow.country == broad.country
        return narrow.country == broad.country
    if broad.kind == "region":  # regions spanning countries have no country code: use distance
        return distance_km(a, b) <= 800
    return False


def _refines(specific: Place, broad: Place) -> bool:
    """True when `specific` lies inside `broad` and says more (a town inside a country)."""
    if PLACE_RANK.get(specific.kind, 0) <= PLACE_RANK.get(broad.kind, 0):
        return False
    if broad.kind in ("country", "region", "admin1", "admin2"):
        return bool(specific.country) and specific.country == broad.country
    return False
