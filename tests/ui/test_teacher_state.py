"""The teacher's guidance page's state in-process (no widgets, no browser): what the
materials filter and the search publish for the shipped guidance. Expectations are written by
hand from the handreiking, not read from the YAML. The last tests check that the widgets show
what the state publishes; tests/ui/test_teacher_browser.py checks the page served."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from pestdata.core.guidance import load_guidance
from pestdata.ui.guidance_state import NO_MATERIAL, MaterialFilter, SearchState
from pestdata.ui.materials import GuidanceSearch, MaterialsBrowser

# The materials without an age in the handreiking: for every age.
ALL_AGES = {"digitaal_pesten", "sociale_media", "online_privacy", "e_safety_kit", "denk_na"}
EVERY_MATERIAL = ALL_AGES | {"spelend_leren", "wijs", "web_we_want", "slim_online"}
EVERY_MATERIAL |= {"safe_and_social"}


@pytest.fixture
def guidance(monkeypatch):
    monkeypatch.delenv("PESTDATA_DATA", raising=False)  # the shipped guidance
    return load_guidance()


def ids(materials) -> set[str]:
    return {m.id for m in materials}


def shown(html: str) -> set[str]:
    """The ids of the material cards in published html."""
    return set(re.findall(r"class='pd-card pd-material' data-id='([^']+)'", html))


def headings(html: str) -> list[str]:
    return re.findall(r"<h4>(.*?)</h4>", html)


# --- the materials filter ---------------------------------------------------------------------


def test_no_choice_finds_every_material(guidance):
    state = MaterialFilter(guidance)
    assert state.ages() is None
    assert ids(state.found) == EVERY_MATERIAL
    assert state.count_html == "<b>10 van 10</b> materialen"
    assert shown(state.cards_html) == EVERY_MATERIAL


def test_a_group_gives_the_materials_for_its_ages(guidance):
    groep_1 = MaterialFilter(guidance).choose(who="group:groep 1")
    assert groep_1.ages() == (4, 5)
    assert ids(groep_1.found) == ALL_AGES | {"spelend_leren", "wijs"}
    groep_7 = groep_1.choose(who="group:groep 7")
    assert groep_7.ages() == (10, 11)
    assert ids(groep_7.found) == ALL_AGES | {"slim_online", "wijs"}
    assert groep_7.count_html == "<b>7 van 10</b> materialen"
    klas_4 = groep_7.choose(who="group:klas 4")
    assert klas_4.ages() == (15, 16)
    assert ids(klas_4.found) == ALL_AGES | {"wijs", "web_we_want", "safe_and_social"}
    assert groep_1.who == "group:groep 1"  # a choice gives a new state; the old one stays


def test_an_age_gives_the_materials_for_that_age(guidance):
    state = MaterialFilter(guidance, who="age:13")
    assert state.ages() == (13, 13)
    assert ids(state.found) == ALL_AGES | {"wijs", "web_we_want", "safe_and_social"}
    assert state.count_html == "<b>8 van 10</b> materialen"
    eighteen = state.choose(who="age:18")
    assert ids(eighteen.found) == ALL_AGES | {"safe_and_social"}
    four = state.choose(who="age:4")
    assert ids(four.found) == ALL_AGES | {"spelend_leren"}


def test_audience_topic_and_text_combine(guidance):
    privacy = MaterialFilter(guidance, text="privacy")
    assert ids(privacy.found) == {"online_privacy", "web_we_want", "denk_na"}
    assert privacy.count_html == "<b>3 van 10</b> materialen"
    for_parents = privacy.choose(audience="ouders")
    assert ids(for_parents.found) == {"online_privacy", "denk_na"}
    for_pupils_aged_13 = for_parents.choose(audience="leerlingen", who="age:13")
    assert ids(for_pupils_aged_13.found) == {"online_privacy", "web_we_want", "denk_na"}
    for_pupils_aged_10 = for_pupils_aged_13.choose(who="age:10")
    assert ids(for_pupils_aged_10.found) == {"online_privacy", "denk_na"}
    safe_online = MaterialFilter(guidance, topic="veilig online", audience="leerkrachten")
    assert ids(safe_online.found) == {"slim_online", "e_safety_kit"}
    # klas 1 is 12 to 13: Slim online (10-12) still fits at 12; klas 2 (13-14) no longer.
    assert ids(safe_online.choose(who="group:klas 1").found) == {"slim_online", "e_safety_kit"}
    assert ids(safe_online.choose(who="group:klas 2").found) == {"e_safety_kit"}


def test_nothing_found_says_so_in_dutch(guidance):
    state = MaterialFilter(guidance, text="zzzgeenwoord")
    assert state.found == []
    assert state.count_html == "<b>0 van 10</b> materialen"
    assert state.cards_html == NO_MATERIAL
    assert "Geen materiaal bij deze keuze" in state.cards_html
    # Each filter fits some material, together none: the same sentence.
    narrow = MaterialFilter(guidance, who="age:4", topic="digitale weerbaarheid")
    assert narrow.found == [] and "Geen materiaal bij deze keuze" in narrow.cards_html
    assert "Geen materiaal" not in state.choose(text="").cards_html


def test_the_dropdowns_offer_every_age_group_audience_and_topic(guidance):
    options = MaterialFilter(guidance).options()
    who = dict(options["who"])
    assert who["Alle leeftijden"] == "" and who["4 jaar"] == "age:4" and who["18 jaar"] == "age:18"
    assert who["groep 8"] == "group:groep 8" and who["klas 6"] == "group:klas 6"
    assert dict(options["audience"]) == {
        "Iedereen": "",
        "Ouders": "ouders",
        "Leerlingen": "leerlingen",
        "Leerkrachten": "leerkrachten",
    }
    topics = [value for _, value in options["topic"]]
    assert topics[0] == "" and "privacy" in topics and "online pesten" in topics
    # Every choice offered is one the state can read.
    for _, value in options["who"]:
        MaterialFilter(guidance, who=value).found  # noqa: B018


def test_the_state_needs_no_widgets():
    """A fresh Python imports the state without ipywidgets: it runs where no kernel is."""
    code = "import sys, pestdata.ui.guidance_state; print('ipywidgets' in sys.modules)"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "False"


# --- the search ---------------------------------------------------------------------------------


def test_sexting_finds_what_to_do_materials_and_help(guidance):
    state = SearchState(guidance).choose("sexting")
    html = state.html
    assert headings(html) == ["Wat doe ik nu?", "Brochures, boekjes en lessen", "Hulp"]
    assert "<b>5 gevonden</b> voor ‘sexting’" in html
    assert "2. Ga naar www.meldknop.nl" in html  # numbered as on the page
    assert shown(html) == {"online_privacy", "denk_na"}
    assert "Helpwanted.nl" in html and "pd-help-line" in html
    assert "ook gezocht op:" in html and "naaktfoto" in html


def test_naaktfoto_finds_what_sexting_finds(guidance):
    naaktfoto = SearchState(guidance, "naaktfoto's")
    sexting = SearchState(guidance, "sexting")
    assert "<b>5 gevonden</b> voor ‘naaktfoto&#x27;s’" in naaktfoto.html
    assert shown(naaktfoto.html) == shown(sexting.html)
    assert {h.id for h in naaktfoto.found.help} == {"meldknop", "helpwanted"}
    assert "sexting" in naaktfoto.found.also


def test_whatsapp_finds_the_group_chat_entries(guidance):
    html = SearchState(guidance, "WhatsApp").html
    assert "<b>4 gevonden</b> voor ‘WhatsApp’" in html
    assert headings(html) == ["Wat doe ik nu?", "Brochures, boekjes en lessen", "Hulp"]
    assert "4. Maak online pesten bespreekbaar" in html
    assert shown(html) == {"digitaal_pesten", "sociale_media"}
    assert "groepsapp" in html  # searched besides the typed word


def test_words_that_are_not_about_each_other_find_either(guidance):
    state = SearchState(guidance, "sexting via whatsapp")
    assert state.found.partial
    assert "Niets gaat over al je woorden samen" in state.html
    assert shown(state.html) == {"online_privacy", "denk_na", "digitaal_pesten", "sociale_media"}


def test_an_empty_query_publishes_nothing(guidance):
    assert SearchState(guidance).html == ""
    assert SearchState(guidance, "   ").html == ""
    assert SearchState(guidance, "sexting").choose("").html == ""


def test_a_word_that_finds_nothing_says_so(guidance):
    html = SearchState(guidance, "zzzgeenwoord").html
    assert "Niets gevonden voor ‘zzzgeenwoord’" in html
    assert headings(html) == []


def test_hostile_text_in_the_query_is_escaped(guidance):
    hostile = "<img src=x onerror=alert(1)>"
    html = SearchState(guidance, hostile).html
    assert "<img" not in html
    assert "Niets gevonden voor ‘&lt;img src=x onerror=alert(1)&gt;’" in html
    found = SearchState(guidance, "sexting <script>alert(2)</script>").html
    assert "<script>" not in found and "&lt;script&gt;alert(2)&lt;/script&gt;" in found


# --- the widgets show the state -----------------------------------------------------------------


def test_the_materials_browser_shows_its_state(guidance):
    browser = MaterialsBrowser(guidance)
    assert browser.count.value == "<b>10 van 10</b> materialen"
    browser.who.value = "group:groep 7"
    assert browser.state == MaterialFilter(guidance, who="group:groep 7")
    assert browser.count.value == "<b>7 van 10</b> materialen"
    assert shown(browser.cards.value) == ALL_AGES | {"slim_online", "wijs"}
    browser.audience.value = "ouders"
    browser.topic.value = "privacy"
    browser.text.value = "delen"
    assert browser.state == MaterialFilter(guidance, "group:groep 7", "ouders", "privacy", "delen")
    assert browser.cards.value == browser.state.cards_html
    assert shown(browser.cards.value) == {"online_privacy", "denk_na"}  # "foto's delen"
    browser.audience.value = "leerkrachten"
    assert shown(browser.cards.value) == {"online_privacy"}
    browser.text.value = "zzzgeenwoord"
    assert browser.cards.value == NO_MATERIAL and "0 van 10" in browser.count.value


def test_the_search_widget_shows_its_state(guidance):
    search = GuidanceSearch(guidance)
    assert search.results.value == ""
    search.text.value = "sexting"
    assert search.state.query == "sexting"
    assert search.results.value == SearchState(guidance, "sexting").html
    assert "Helpwanted.nl" in search.results.value
    search.text.value = ""
    assert search.results.value == ""
