"""The guidance as data (data/guidance.yaml) against the handreiking it comes from.

The expectations below are written by hand from the handreiking "Een van mijn leerlingen wordt
online gepest" (shared/seed/), not read from the YAML, so a wrong entry in the YAML fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from pestdata.core.choices import ages_for_group
from pestdata.core.guidance import DATA_DIR, HELP_LINES, SEARCH_WORDS, GuidanceError, load_guidance
from pestdata.core.guidance_entries import Material, where_to_find
from pestdata.core.guidance_search import stem, words
from pestdata.ui.guidance_state import link_html, material_card
from pestdata.ui.materials import MaterialsBrowser

GUIDANCE_FILE = DATA_DIR / "guidance.yaml"

# Every material the handreiking names: id -> (a piece of its title, age range or None).
# None: the page gives no age, so the material is for all ages.
SEED_MATERIALS: dict[str, tuple[str, tuple[int, int] | None]] = {
    "digitaal_pesten": ("Digitaal pesten", None),
    "spelend_leren": ("Spelend leren: online zijn", (4, 8)),
    "sociale_media": ("Sociale Media", None),
    "online_privacy": ("Kinderen en online privacy", None),
    "wijs": ("WIJS De online wereld in", (5, 17)),  # "kinderen tussen de 5 en 17 jaar"
    "web_we_want": ("The Web We Want", (13, 16)),  # "(13-16 jaar)"
    "slim_online": ("Slim online", (10, 12)),  # "groep 7 en 8"
    "e_safety_kit": ("De Online E-safety Kit", None),
    "denk_na": ("Denk na voordat je iets deelt", None),
    "safe_and_social": ("Digitale weerbaarheid: Safe & Social", (12, 18)),  # middelbare scholen
}
ALL_AGES = {m for m, (_, ages) in SEED_MATERIALS.items() if ages is None}

# The only web addresses the handreiking spells out.
SEED_HOSTS = {"www.meldknop.nl", "www.digitaalpesten.nl", "wijsmagazine.vodafonecampagnes.nl"}


@pytest.fixture(scope="module")
def guidance():
    return load_guidance(GUIDANCE_FILE)


def ids(materials) -> set[str]:
    return {m.id for m in materials}


# --- the default guidance matches the handreiking -------------------------------------------


def test_default_guidance_loads_from_the_data_dir():
    default = load_guidance()
    assert len(default.materials) == len(SEED_MATERIALS)
    assert ids(default.materials) == set(SEED_MATERIALS)


@pytest.mark.parametrize("material_id", sorted(SEED_MATERIALS))
def test_every_material_of_the_handreiking_with_its_age_range(guidance, material_id):
    title, ages = SEED_MATERIALS[material_id]
    material = guidance.material(material_id)
    assert title.lower() in material.title.lower()
    assert material.ages == ages
    if ages is None:
        assert material.age_label == "alle leeftijden"
        assert material.fits_age(0) and material.fits_age(99)
    else:
        low, high = ages
        assert material.fits_age(low) and material.fits_age(high)
        assert not material.fits_age(low - 1) and not material.fits_age(high + 1)


def test_no_material_beyond_the_handreiking(guidance):
    assert ids(guidance.materials) == set(SEED_MATERIALS)
    assert len(guidance.materials) == 10


def test_age_labels(guidance):
    assert guidance.material("slim_online").age_label == "groep 7 en 8"
    assert guidance.material("spelend_leren").age_label == "4-8 jaar"
    assert guidance.material("web_we_want").age_label == "13-16 jaar"
    assert guidance.material("wijs").age_label == "5-17 jaar"
    assert guidance.material("digitaal_pesten").age_label == "alle leeftijden"


def test_five_immediate_actions_in_the_order_of_the_handreiking(guidance):
    titles = [a.title for a in guidance.actions]
    assert len(titles) == 5
    assert titles[0].startswith("Steun de leerling")
    assert "meldknop.nl" in titles[1]
    assert "meldknop" in titles[2].lower() and "install" in titles[2].lower()
    assert titles[3].startswith("Maak online pesten bespreekbaar")
    assert "pestprotocol" in titles[4]
    assert all(a.explanation.strip() for a in guidance.actions)


def test_help_sites_include_meldknop_anonymous(guidance):
    sites = {s.id: s for s in guidance.help_sites}
    meldknop = sites["meldknop"]
    assert meldknop.anonymous is True
    assert urlsplit(meldknop.link).hostname == "www.meldknop.nl"
    assert urlsplit(sites["digitaalpesten"].link).hostname == "www.digitaalpesten.nl"
    assert sites["digitaalpesten"].anonymous is False


def test_six_school_actions(guidance):
    school_actions = [a.id for a in guidance.school_actions]
    assert school_actions == [
        "meldknop_geinstalleerd",
        "besproken_in_klas",
        "ouderavond",
        "in_pestprotocol",
        "materialen_gelezen",
        "veiligheidscentrum_bezocht",
    ]


def all_links(guidance) -> list[tuple[str, str]]:
    entries = [*guidance.actions, *guidance.materials, *guidance.help_sites]
    return [(e.id, e.link) for e in entries]


def test_only_links_the_handreiking_names_all_https(guidance):
    links = [(name, link) for name, link in all_links(guidance) if link]
    assert links, "the handreiking names www.meldknop.nl; some link must be there"
    for name, link in links:
        parts = urlsplit(link)
        assert parts.scheme == "https", (name, link)
        assert parts.hostname in SEED_HOSTS, (name, link)
    # each address the handreiking spells out is used somewhere
    assert {urlsplit(link).hostname for _, link in links} == SEED_HOSTS


def test_materials_without_an_address_in_the_handreiking_have_no_link(guidance):
    with_link = {m.id for m in guidance.materials if m.link}
    assert with_link == {"wijs"}


# --- filtering ----------------------------------------------------------------------------


def test_age_13_gives_exactly_the_materials_for_13_and_for_all_ages(guidance):
    expected = {
        "digitaal_pesten",
        "sociale_media",
        "online_privacy",
        "wijs",
        "web_we_want",
        "e_safety_kit",
        "denk_na",
        "safe_and_social",
    }
    found = ids(guidance.find_materials(ages=(13, 13)))
    assert found == expected
    assert "spelend_leren" not in found and "slim_online" not in found


def test_groep_7(guidance):
    ages = ages_for_group("groep 7")
    assert ages == (10, 11)
    found = ids(guidance.find_materials(ages=ages))
    assert {"slim_online", "wijs"} <= found
    assert "web_we_want" not in found and "safe_and_social" not in found
    assert ALL_AGES <= found
    assert found == ALL_AGES | {"slim_online", "wijs"}


def test_klas_1(guidance):
    ages = ages_for_group("klas 1")
    assert ages == (12, 13)
    found = ids(guidance.find_materials(ages=ages))
    assert {"safe_and_social", "web_we_want", "wijs"} <= found
    assert "spelend_leren" not in found


def test_age_4(guidance):
    found = ids(guidance.find_materials(ages=(4, 4)))
    assert "spelend_leren" in found
    assert "wijs" not in found  # WIJS is for 5 to 17
    assert found == ALL_AGES | {"spelend_leren"}


def test_no_filter_gives_everything_in_guidance_order(guidance):
    assert guidance.find_materials() == list(guidance.materials)


def test_audience_filter(guidance):
    found = ids(guidance.find_materials(audience="ouders"))
    assert "sociale_media" in found and "wijs" in found
    assert "web_we_want" not in found  # for pupils and teachers only
    assert all("ouders" in guidance.material(m).audiences for m in found)
    assert found == set(SEED_MATERIALS) - {"web_we_want"}


def test_topic_filter(guidance):
    assert ids(guidance.find_materials(topic="privacy")) == {
        "online_privacy",
        "web_we_want",
        "denk_na",
    }
    assert "privacy" in guidance.topics
    assert guidance.topics == sorted(guidance.topics)


def test_text_search(guidance):
    privacy = ids(guidance.find_materials(text="privacy"))
    assert {"online_privacy", "web_we_want", "denk_na"} <= privacy
    assert "spelend_leren" not in privacy
    # case-insensitive
    assert ids(guidance.find_materials(text="PRIVACY")) == privacy
    assert ids(guidance.find_materials(text="wijs")) == {"wijs"}


def test_text_search_needs_every_word(guidance):
    # web_we_want matches 'privacy' only, sociale_media matches 'ouders' only
    assert "web_we_want" in ids(guidance.find_materials(text="privacy"))
    assert "sociale_media" in ids(guidance.find_materials(text="ouders"))
    assert ids(guidance.find_materials(text="privacy ouders")) == {"online_privacy"}
    assert ids(guidance.find_materials(text="  Ouders   PRIVACY ")) == {"online_privacy"}
    assert guidance.find_materials(text="privacy zzzgeenwoord") == []


def test_filters_combine(guidance):
    assert ids(guidance.find_materials(audience="ouders", topic="privacy")) == {
        "online_privacy",
        "denk_na",
    }
    assert ids(guidance.find_materials(ages=(13, 13), audience="leerlingen", topic="privacy")) == {
        "online_privacy",
        "web_we_want",
        "denk_na",
    }
    assert ids(guidance.find_materials(ages=(4, 4), audience="leerlingen")) == {
        "online_privacy",
        "e_safety_kit",
        "denk_na",
    }
    assert ids(guidance.find_materials(ages=(4, 4), text="privacy", audience="ouders")) == {
        "online_privacy",
        "denk_na",
    }


# --- malformed guidance is refused with a Dutch message --------------------------------------


def original() -> dict:
    return yaml.safe_load(GUIDANCE_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, content: dict, name: str = "guidance.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(GuidanceError) as caught:
        load_guidance(path)
    message = str(caught.value)
    assert str(path.resolve()) in message
    return message


def refused_file(folder: Path, name: str) -> str:
    """The message for a broken help-line or synonym file names that file, not guidance.yaml."""
    with pytest.raises(GuidanceError) as caught:
        load_guidance(folder / "guidance.yaml")
    message = str(caught.value)
    assert message.startswith(f"{folder / name}: ")
    return message


def test_an_unbroken_copy_loads(tmp_path):
    for name in (HELP_LINES, SEARCH_WORDS):  # the same folder, as a school copies it
        (tmp_path / name).write_bytes((DATA_DIR / name).read_bytes())
    copied = load_guidance(write(tmp_path, original()))
    assert copied == load_guidance(GUIDANCE_FILE)
    assert len(copied.help_lines) == 4 and copied.synonyms.groups


def test_material_without_title(tmp_path):
    content = original()
    del content["materialen"][2]["titel"]
    message = refused(write(tmp_path, content))
    assert "materialen 3 (sociale_media)" in message
    assert "titel: dit veld is verplicht" in message


def test_age_range_reversed(tmp_path):
    content = original()
    content["materialen"][2]["leeftijd"] = [16, 13]
    message = refused(write(tmp_path, content))
    assert "materialen 3 (sociale_media)" in message
    assert "leeftijd moet [van, tot] zijn" in message


def test_unknown_audience(tmp_path):
    content = original()
    content["materialen"][2]["doelgroep"] = ["ouders", "directie"]
    message = refused(write(tmp_path, content))
    assert "materialen 3 (sociale_media)" in message
    assert "onbekende waarde 'directie'" in message


@pytest.mark.parametrize(
    "link", ["www.example.org", "javascript:alert(1)", "http://www.meldknop.nl"]
)
def test_link_not_https(tmp_path, link):
    content = original()
    content["materialen"][2]["link"] = link
    message = refused(write(tmp_path, content))
    assert "materialen 3 (sociale_media)" in message
    assert f"link: '{link}' heeft niet de juiste vorm" in message


def test_link_not_https_in_help_site(tmp_path):
    content = original()
    content["hulp"][0]["link"] = "http://www.meldknop.nl"
    message = refused(write(tmp_path, content))
    assert "hulp 1 (meldknop)" in message
    assert "link" in message


def test_duplicate_id(tmp_path):
    content = original()
    content["materialen"][2]["id"] = "digitaal_pesten"
    message = refused(write(tmp_path, content))
    assert "materialen 3 (digitaal_pesten)" in message
    assert "twee keer" in message


@pytest.mark.parametrize("section", ["acties", "materialen", "hulp", "schoolacties"])
def test_section_missing(tmp_path, section):
    content = original()
    del content[section]
    message = refused(write(tmp_path, content))
    assert f"'{section}' moet een niet-lege lijst zijn" in message


def test_bad_yaml_syntax(tmp_path):
    path = tmp_path / "guidance.yaml"
    text = GUIDANCE_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: wijs\n", "  - id: [wijs\n", 1), "utf-8")
    assert text != path.read_text("utf-8")
    message = refused(path)
    assert "geen geldige YAML" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "guidance.yaml"
    text = GUIDANCE_FILE.read_text(encoding="utf-8")
    assert "ï" in text  # "geïnstalleerd": not valid UTF-8 once written as Latin-1
    path.write_bytes(text.encode("latin-1", errors="replace"))
    message = refused(path)
    assert "geen geldige YAML" in message


def test_missing_file(tmp_path):
    path = tmp_path / "bestaat-niet.yaml"
    with pytest.raises(GuidanceError, match="bestand niet gevonden") as caught:
        load_guidance(path)
    assert str(path) in str(caught.value)


# --- HTML ---------------------------------------------------------------------------------


def test_link_html_opens_in_a_new_tab_safely():
    html = link_html("https://www.meldknop.nl", "Meldknop")
    assert 'href="https://www.meldknop.nl"' in html
    assert 'target="_blank"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "Meldknop" in html


def test_link_html_escapes_the_url_and_text():
    html = link_html('https://x.nl/"><script>alert(1)</script>', "<b>tekst</b>")
    assert "<script>" not in html and "<b>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
    assert "&lt;b&gt;tekst&lt;/b&gt;" in html
    assert html.count('"') == 6  # href, target and rel: only the attribute quotes


def test_material_card_escapes_html():
    hostile = Material(
        id="boos",
        title="<img src=x onerror=alert(1)>",
        kind="<i>soort</i>",
        audiences=("ouders",),
        ages=(4, 8),
        groups="<u>groep</u>",
        topic="<s>onderwerp</s>",
        summary="Samen & <script>alert(2)</script>",
        link='https://x.nl/"onmouseover="alert(3)',
    )
    card = material_card(hostile)
    for raw in ("<img", "<i>", "<u>", "<s>", "<script>", '"onmouseover="'):
        assert raw not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card
    assert "Samen &amp; &lt;script&gt;" in card
    assert "&lt;u&gt;groep&lt;/u&gt;" in card  # the age label
    assert "voor ouders" in card


def test_material_card_shows_age_label_and_link(guidance):
    card = material_card(guidance.material("wijs"))
    assert "WIJS De online wereld in" in card and "5-17 jaar" in card
    assert 'href="https://wijsmagazine.vodafonecampagnes.nl"' in card
    denk_na = material_card(guidance.material("denk_na"))
    assert "<a " not in denk_na
    assert "Te vinden bij: Facebook, Mijn Kind Online (Kennisnet) en Veilig Internetten" in denk_na


# --- the materials browser, in the kernel --------------------------------------------------


def shown(browser: MaterialsBrowser) -> set[str]:
    return {m for m in SEED_MATERIALS if f"data-id='{m}'" in browser.cards.value}


def test_browser_age_filter(guidance):
    browser = MaterialsBrowser(guidance)
    assert "10 van 10" in browser.count.value
    assert shown(browser) == set(SEED_MATERIALS)
    browser.who.value = "age:13"
    assert "8 van 10" in browser.count.value
    assert shown(browser) == ids(guidance.find_materials(ages=(13, 13)))
    assert "slim_online" not in shown(browser)


def test_browser_group_filter(guidance):
    browser = MaterialsBrowser(guidance)
    browser.who.value = "group:groep 7"
    assert "7 van 10" in browser.count.value
    assert shown(browser) == ALL_AGES | {"slim_online", "wijs"}
    browser.who.value = "group:klas 1"
    assert {"safe_and_social", "web_we_want"} <= shown(browser)


def test_browser_text_search_narrows(guidance):
    browser = MaterialsBrowser(guidance)
    browser.text.value = "privacy"
    assert "3 van 10" in browser.count.value
    assert shown(browser) == {"online_privacy", "web_we_want", "denk_na"}
    browser.audience.value = "ouders"
    assert shown(browser) == {"online_privacy", "denk_na"}
    browser.topic.value = "privacy"
    browser.audience.value = ""
    assert "3 van 10" in browser.count.value


def test_browser_no_match_shows_dutch_empty_message(guidance):
    browser = MaterialsBrowser(guidance)
    browser.text.value = "zzzgeenwoord"
    assert "0 van 10" in browser.count.value
    assert "Geen materiaal bij deze keuze" in browser.cards.value
    assert shown(browser) == set()
    browser.text.value = ""
    assert "Geen materiaal" not in browser.cards.value


# --- search in everyday words (zoekwoorden.yaml, trefwoorden, stemming, spelling) ------------


def found_ids(found) -> tuple[set[str], set[str], set[str]]:
    return ({a.id for a in found.actions}, ids(found.materials), {h.id for h in found.help})


# What a teacher looking for help with nude pictures must find, by hand: the help line for
# sexting and sextortion, meldknop (police, also anonymous) and the materials on sharing.
SEXTING = ({"meldknop"}, {"online_privacy", "denk_na"}, {"meldknop", "helpwanted"})


@pytest.mark.parametrize(
    "query",
    ["sexting", "Sexting", "sextortion", "naaktfoto", "naaktfoto's", "Naaktfoto’s", "NUDES",
     "seksuele afpersing", "afgeperst"],
)  # fmt: skip
def test_sexting_and_its_synonyms_find_the_help_for_it(guidance_here, query):
    found = guidance_here.search(query)
    assert found_ids(found) == SEXTING
    assert not found.partial


def test_search_says_which_other_words_it_searched(guidance_here):
    found = guidance_here.search("naaktfoto")
    assert {"sexting", "sextortion"} <= set(found.also)
    assert "naaktfoto" not in found.also


@pytest.mark.parametrize(
    "query", ["WhatsApp", "whatsapp", "groepsapp", "groepsapps", "Whatsappgroep", "klassenapp"]
)
def test_whatsapp_and_the_group_chat_find_the_same(guidance_here, query):
    actions, materials, help_ = found_ids(guidance_here.search(query))
    assert actions == {"bespreekbaar"}
    assert materials == {"digitaal_pesten", "sociale_media"}
    assert help_ == {"digitaalpesten"}


@pytest.mark.parametrize(
    "query",
    ["buitensluiten", "buitengesloten", "Buitengesloten", "uitgesloten", "uitsluiting",
     "genegeerd", "buitensluit"],
)  # fmt: skip
def test_exclusion_in_its_inflections(guidance_here, query):
    actions, materials, help_ = found_ids(guidance_here.search(query))
    assert actions == {"bespreekbaar"}
    assert materials == {"digitaal_pesten"}
    assert help_ == {"digitaalpesten", "kindertelefoon"}


def test_a_register_phrase_with_little_words(guidance_here):
    found = guidance_here.search("Buitengesloten uit de groepsapp")
    assert found_ids(found) == ({"bespreekbaar"}, {"digitaal_pesten"}, {"digitaalpesten"})
    assert not found.partial  # 'uit' and 'de' are no search words


def test_verb_noun_and_participle_find_the_same():
    g = load_guidance()
    threats = [found_ids(g.search(q)) for q in ("bedreiging", "bedreigd", "bedreigen", "dreigen")]
    assert threats[0] == ({"meldknop"}, set(), {"meldknop"})
    assert all(t == threats[0] for t in threats)


@pytest.mark.parametrize("typo", ["sextorsion", "sexsting", "naaktfotto"])
def test_a_misspelt_word_is_read_as_the_closest_word(guidance_here, typo):
    assert found_ids(guidance_here.search(typo)) == SEXTING


def test_two_subjects_without_a_shared_entry_show_both_marked_partial(guidance_here):
    found = guidance_here.search("sexting via WhatsApp")
    assert found.partial
    actions, materials, help_ = found_ids(found)
    assert {"helpwanted", "digitaalpesten"} <= help_
    assert {"denk_na", "sociale_media"} <= materials


def test_nothing_found_for_a_word_that_means_nothing_here(guidance_here):
    assert len(guidance_here.search("zzzgeenwoord")) == 0
    assert len(guidance_here.search("de het een")) == 0  # only little words: no search


def test_the_materials_filter_reads_everyday_words_too(guidance_here):
    assert ids(guidance_here.find_materials(text="naaktfoto")) == {"online_privacy", "denk_na"}
    assert ids(guidance_here.find_materials(text="whatsapp", ages=(4, 4))) == {
        "digitaal_pesten",
        "sociale_media",
    }


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("naaktfotos", "naaktfoto"), ("bedreiging", "bedreig"), ("bedreigd", "bedreig"),
     ("bedreigen", "bedreig"), ("groepsapps", "groepsap"), ("groepsapp", "groepsap"),
     ("lessen", "les"), ("les", "les"), ("app", "app"), ("apps", "app"), ("berichtjes", "bericht"),
     ("nudes", "nud"), ("nude", "nud"), ("113", "113")],
)  # fmt: skip
def test_stem(word, stemmed):
    assert stem(word) == stemmed


def test_words_drop_case_accents_and_apostrophes():
    assert words("Foto’s DÉLEN!") == words("fotos delen") == ("foto", "del")


@pytest.fixture
def guidance_here():
    return load_guidance()


def school_folder(tmp_path: Path, *names: str) -> Path:
    """A school's own data folder: protocol and guidance, plus the shipped files named."""
    for name in ("protocol.yaml", "guidance.yaml", *names):
        (tmp_path / name).write_bytes((DATA_DIR / name).read_bytes())
    return tmp_path


def test_the_synonyms_are_the_schools_data(tmp_path, monkeypatch):
    folder = school_folder(tmp_path)  # no zoekwoorden.yaml: only the words themselves
    monkeypatch.setenv("PESTDATA_DATA", str(folder))
    assert ids(load_guidance().search("naaktfoto").materials) == set()
    assert len(load_guidance().search("dickpic")) == 0
    (folder / SEARCH_WORDS).write_text(
        "synoniemen:\n  - [naaktfoto, sexting, dickpic]\n", encoding="utf-8"
    )
    found = load_guidance().search("dickpic")  # the file's new time is read: no restart
    assert ids(found.materials) == {"online_privacy", "denk_na"}
    assert found.also == ("naaktfoto", "sexting")


@pytest.mark.parametrize(
    ("content", "problem"),
    [("synoniemen:\n  - [sexting]\n", "synoniemen 1"),
     ("synoniemen:\n  - [sexting, naaktfoto]\n  - sexting\n", "synoniemen 2"),
     ("synoniemen: sexting\n", "'synoniemen' moet een lijst")],
)  # fmt: skip
def test_a_broken_synonym_file_is_named(tmp_path, content, problem):
    folder = school_folder(tmp_path)
    (folder / SEARCH_WORDS).write_text(content, encoding="utf-8")
    message = refused_file(folder, SEARCH_WORDS)
    assert problem in message


# --- the national help lines (hulplijnen.yaml, added by pestdata) ---------------------------

# By hand, from the issue: name, number, host.
HELP_LINES_EXPECTED = {
    "kindertelefoon": ("Kindertelefoon", "0800-0432", "www.kindertelefoon.nl"),
    "helpwanted": ("Helpwanted.nl", "", "www.helpwanted.nl"),
    "zelfmoordpreventie": ("113 Zelfmoordpreventie", "0800-0113", "www.113.nl"),
    "veilig_thuis": ("Veilig Thuis", "0800-2000", "www.veiligthuis.nl"),
}


def test_the_four_national_help_lines_marked_as_added_by_pestdata(guidance_here):
    lines = {line.id: line for line in guidance_here.help_lines}
    assert set(lines) == set(HELP_LINES_EXPECTED)
    for line_id, (name, phone, host) in HELP_LINES_EXPECTED.items():
        line = lines[line_id]
        assert name in line.title
        assert line.phone == phone
        assert urlsplit(line.link).hostname == host and line.link.startswith("https://")
        assert line.added_by == "pestdata"
    assert (
        "sexting" in lines["helpwanted"].explanation
        and "sextortion" in lines["helpwanted"].explanation
    )


def test_the_help_lines_are_not_the_handreikings_help_sites(guidance_here):
    """The handreiking names meldknop, digitaalpesten, School en Veiligheid and Facebook's
    centre; the help lines add to them and repeat none."""
    sites = {s.id for s in guidance_here.help_sites}
    assert sites == {"meldknop", "digitaalpesten", "school_en_veiligheid", "veiligheidscentrum"}
    assert not sites & {line.id for line in guidance_here.help_lines}


def test_a_school_folder_without_the_help_lines_file_has_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PESTDATA_DATA", str(school_folder(tmp_path)))
    assert load_guidance().help_lines == ()
    assert load_guidance().help_sites  # the handreiking's own help stays


def test_a_school_edits_removes_and_adds_help_lines(tmp_path, monkeypatch):
    folder = school_folder(tmp_path, HELP_LINES)
    monkeypatch.setenv("PESTDATA_DATA", str(folder))
    content = yaml.safe_load((folder / HELP_LINES).read_text("utf-8"))
    lines = content["hulplijnen"]
    lines[0]["uitleg"] = "Bel gratis; in de klas hangt de poster bij het bord."
    del lines[3]  # Veilig Thuis: the school's own care team handles it
    lines.append(
        {"id": "ggd", "titel": "Jeugdarts GGD Regio Noord", "telefoon": "050 123 4567",
         "voor": ["ouders"], "uitleg": "Vragen over je kind.", "toegevoegd_door": "De Regenboog"}
    )  # fmt: skip
    write(folder, content, HELP_LINES)
    shown = {line.id: line for line in load_guidance().help_lines}
    assert list(shown) == ["kindertelefoon", "helpwanted", "zelfmoordpreventie", "ggd"]
    assert shown["kindertelefoon"].explanation.startswith("Bel gratis; in de klas")
    assert shown["ggd"].added_by == "De Regenboog"


def test_an_empty_help_lines_list_removes_them_all(tmp_path):
    folder = school_folder(tmp_path)
    (folder / HELP_LINES).write_text("hulplijnen: []\n", encoding="utf-8")
    assert load_guidance(folder / "guidance.yaml").help_lines == ()


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"telefoon": "", "link": ""}, "geef een telefoonnummer of een link"),
     ({"toegevoegd_door": ""}, "toegevoegd_door"),
     ({"link": "http://www.kindertelefoon.nl"}, "link"),
     ({"telefoon": "bel ons"}, "telefoon: 'bel ons' heeft niet de juiste vorm")],
)  # fmt: skip
def test_a_broken_help_line_is_named(tmp_path, change, problem):
    folder = school_folder(tmp_path, HELP_LINES)
    content = yaml.safe_load((folder / HELP_LINES).read_text("utf-8"))
    content["hulplijnen"][0].update(change)
    write(folder, content, HELP_LINES)
    message = refused_file(folder, HELP_LINES)
    assert "hulplijnen 1 (kindertelefoon)" in message and problem in message


# --- every material says where to find it, one way -----------------------------------------


def test_where_to_find_is_one_rule(guidance_here):
    rule = {m.id: where_to_find(m) for m in guidance_here.materials}
    assert rule["wijs"] == ""  # it has a link
    assert rule["web_we_want"] == "Te vinden bij: Ziggo"
    assert rule["safe_and_social"] == "Te vinden bij: Veiliginternetten.nl en Vodafone"
    # the handreiking names no publisher for these four
    asked = {m for m, text in rule.items() if text == "Vraag de anti-pestcoördinator"}
    assert asked == {"digitaal_pesten", "spelend_leren", "sociale_media", "e_safety_kit"}


def test_every_material_card_shows_a_link_or_where_to_find_it(guidance_here):
    for material in guidance_here.materials:
        card = material_card(material)
        has_link = 'href="https://' in card
        where = re.search(r"<span class='pd-where'>([^<]+)</span>", card)
        assert has_link != bool(where), material.id  # exactly one of the two
        if where:
            assert where.group(1).startswith(("Te vinden bij: ", "Vraag de anti-pestco"))
