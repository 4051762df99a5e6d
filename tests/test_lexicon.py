"""The trigger lexicon: the lower-cased fast path finds exactly what the case-insensitive patterns find."""
from hypothesis import given, settings
from hypothesis import strategies as st

from events.lexicon import Lexicon, default_lexicon

_WORDS = ["Gunmen", "ATTACKED", "attacked", "a", "Molotov", "cocktail", "lynched", "LYNCHED", "İstanbul", "bombing",
          "car", "Bomb", "exploded", "killing", "Ambush", "ferry", "Capsized", "heart", "attack", "ß", "Σ", "-", ",",
          "kidnapped", "Shelling", "suicide", "bomber", "the", "in", "Mosul", "open", "fires", "fired", "at"]


def _case_insensitive_reading(lexicon: Lexicon, text: str):
    plain = Lexicon(types=lexicon.types, patterns=lexicon.patterns)
    object.__setattr__(plain, "_folded", tuple((p, False) for p, _, _ in lexicon.patterns))
    return plain.find_triggers(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30))
def test_the_lower_cased_reading_equals_the_case_insensitive_one(words):
    lexicon = default_lexicon()
    text = " ".join(words)
    assert lexicon.find_triggers(text) == _case_insensitive_reading(lexicon, text)


def test_a_trigger_keeps_the_text_as_written():
    found = default_lexicon().find_triggers("Gunmen ATTACKED a convoy near Kirkuk.")
    assert [t.text for t in found] == ["Gunmen", "ATTACKED"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + ["x", "_", "-bombing", "car-bomb", "2", "é"]), max_size=30),
       st.sampled_from(["", " ", "-"]))
def test_the_spans_without_the_look_behind_are_finditers(words, sep):
    from events.lexicon import _bare, _spans

    text = sep.join(words)
    lexicon = default_lexicon()
    assert all(_bare(p.pattern, p.flags) is not None for p, _, _ in lexicon.patterns)
    for (folded, _), (pattern, _, _) in zip(lexicon._folded_patterns(), lexicon.patterns):
        for p, t in ((folded, text.lower()), (pattern, text)):
            assert list(_spans(p, t)) == [m.span() for m in p.finditer(t)]
