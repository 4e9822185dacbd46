"""The teacher's page (Handelingsadvies) built in-process, as a Voilà kernel builds it: its
search reads everyday words, its help section lists the national help lines with their
numbers and who added them, every material says where to find it, and a school's own data
folder decides what is shown. Expectations are written by hand, not read from the YAML."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w
import pytest
import yaml

from pestdata.core.guidance import DATA_DIR, HELP_LINES
from pestdata.people.person import Person
from pestdata.ui.common import Actor
from pestdata.ui.handelingsadvies import handelingsadvies_app


def build(store) -> w.VBox:
    return handelingsadvies_app(store, Actor(Person("mevr. de Vries", "leerkracht")))


def find(page: w.Widget, kind: type, css: str) -> w.Widget:
    stack = [page]
    while stack:
        widget = stack.pop()
        if isinstance(widget, kind) and css in widget._dom_classes:
            return widget
        stack += list(getattr(widget, "children", ()))
    raise AssertionError(f"no {kind.__name__} .{css} on the page")


def text(html: str) -> str:
    """What a reader sees of an HTML value: tags out, entities that matter back."""
    plain = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&amp;", "&")
    return re.sub(r"\s+", " ", plain)


@pytest.fixture
def teacher(store):
    return build(store)


def search(page: w.VBox, query: str) -> str:
    find(page, w.Text, "pd-search").value = query  # as typing does: the observer answers
    return find(page, w.HTML, "pd-search-results").value


def cards(html: str) -> set[str]:
    return set(re.findall(r"data-id='([a-z_0-9]+)'", html))


@pytest.mark.parametrize("query", ["sexting", "naaktfoto", "Naaktfoto's", "sextortion"])
def test_searching_sexting_words_shows_the_help_for_it(teacher, query):
    results = search(teacher, query)
    assert cards(results) == {"meldknop", "online_privacy", "denk_na", "helpwanted"}
    shown = text(results)
    assert "Helpwanted.nl" in shown and "toegevoegd door pestdata" in shown
    assert "2. Ga naar www.meldknop.nl" in shown  # the action keeps its number
    assert "Denk na voordat je iets deelt" in shown
    assert "ook gezocht op:" in shown


@pytest.mark.parametrize("query", ["WhatsApp", "groepsapp"])
def test_searching_whatsapp_shows_the_group_chat_guidance(teacher, query):
    results = search(teacher, query)
    assert cards(results) == {"bespreekbaar", "digitaal_pesten", "sociale_media", "digitaalpesten"}
    assert "4. Maak online pesten bespreekbaar" in text(results)


@pytest.mark.parametrize("query", ["buitensluiten", "buitengesloten"])
def test_searching_exclusion_in_either_form(teacher, query):
    results = search(teacher, query)
    assert cards(results) == {"bespreekbaar", "digitaal_pesten", "digitaalpesten", "kindertelefoon"}


def test_a_search_without_result_says_so_in_dutch_and_clearing_empties_it(teacher):
    results = search(teacher, "zzzgeenwoord")
    assert "Niets gevonden voor ‘zzzgeenwoord’" in text(results) and not cards(results)
    assert search(teacher, "") == ""


def test_the_search_escapes_what_is_typed(teacher):
    results = search(teacher, "<img src=x onerror=alert(1)>")
    assert "<img" not in results and "&lt;img" in results


def test_the_help_section_lists_the_national_lines_with_number_and_marking(teacher):
    lines = find(teacher, w.HTML, "pd-help-lines").value
    shown = text(lines)
    for name, phone in [
        ("De Kindertelefoon", "0800-0432"),
        ("113 Zelfmoordpreventie", "0800-0113"),
        ("Veilig Thuis", "0800-2000"),
    ]:
        card = card_text(lines, name)
        assert f"Bel {phone}" in card and "toegevoegd door pestdata" in card
    assert "sexting en sextortion" in card_text(lines, "Helpwanted.nl")
    assert shown.count("toegevoegd door pestdata") == 4
    assert "staan niet in de handreiking" in shown
    assert 'href="tel:08000432"' in lines
    for host in ("kindertelefoon.nl", "helpwanted.nl", "113.nl", "veiligthuis.nl"):
        assert f'href="https://www.{host}" target="_blank" rel="noopener noreferrer"' in lines
    sites = text(find(teacher, w.HTML, "pd-help-sites").value)
    assert "Meldknop.nl" in sites and "toegevoegd door" not in sites  # the handreiking's own


def card_text(html: str, title: str) -> str:
    card = re.search(rf"<div class='pd-card[^']*'[^>]*><b>{re.escape(title)}</b>.*?</div>", html)
    assert card, title
    return text(card.group(0))


def test_every_material_on_the_page_shows_a_link_or_where_to_find_it(teacher):
    materials = find(teacher, w.HTML, "pd-materials").value
    endings = {}  # what each card ends with, after its summary
    for card in materials.split("<div class='pd-card pd-material' ")[1:]:
        material_id = re.match(r"data-id='(\w+)'", card).group(1)
        endings[material_id] = card[card.rindex("</p>") + 4 : card.rindex("</div>")]
    assert len(endings) == 10
    for material_id, ending in endings.items():
        link = re.fullmatch(r'<a href="https://[^"]+" target="_blank"[^>]*>Openen ↗</a>', ending)
        where = re.fullmatch(
            r"<span class='pd-where'>(Te vinden bij: .+|Vraag de anti-pestcoördinator)</span>",
            ending,
        )
        assert bool(link) != bool(where), (material_id, ending)
    asked = {m for m, e in endings.items() if "Vraag de anti-pestco" in e}
    assert asked == {"digitaal_pesten", "spelend_leren", "sociale_media", "e_safety_kit"}
    assert endings["web_we_want"] == "<span class='pd-where'>Te vinden bij: Ziggo</span>"
    assert "https://wijsmagazine.vodafonecampagnes.nl" in endings["wijs"]


def school_dir(tmp_path: Path) -> Path:
    (tmp_path / "school").mkdir()
    return tmp_path / "school"


def school_folder(tmp_path: Path, *names: str) -> Path:
    for name in ("protocol.yaml", "guidance.yaml", *names):
        (tmp_path / name).write_bytes((DATA_DIR / name).read_bytes())
    return tmp_path


def test_a_school_folder_without_the_help_lines_file_shows_none(tmp_path, monkeypatch, store):
    monkeypatch.setenv("PESTDATA_DATA", str(school_folder(school_dir(tmp_path))))
    teacher = build(store)
    assert find(teacher, w.HTML, "pd-help-lines").value == ""
    assert "Meldknop.nl" in text(find(teacher, w.HTML, "pd-help-sites").value)
    assert "helpwanted" not in cards(search(teacher, "sexting"))


def test_a_schools_edited_help_lines_file_shows_its_edit(tmp_path, monkeypatch, store):
    folder = school_folder(school_dir(tmp_path), HELP_LINES)
    content = yaml.safe_load((folder / HELP_LINES).read_text("utf-8"))
    kept = [line for line in content["hulplijnen"] if line["id"] != "veilig_thuis"]
    kept[0]["telefoon"] = "0800 0432"  # as the school's poster writes it
    kept.append(
        {"id": "vertrouwenspersoon", "titel": "Vertrouwenspersoon De Regenboog",
         "telefoon": "050 123 4567", "voor": ["leerlingen", "ouders"],
         "uitleg": "Mevrouw Bakker, elke dinsdag in lokaal 12.",
         "toegevoegd_door": "De Regenboog"}
    )  # fmt: skip
    (folder / HELP_LINES).write_text(yaml.safe_dump({"hulplijnen": kept}), "utf-8")
    monkeypatch.setenv("PESTDATA_DATA", str(folder))
    lines = find(build(store), w.HTML, "pd-help-lines").value
    assert "Veilig Thuis" not in lines
    assert "Bel 0800 0432" in card_text(lines, "De Kindertelefoon")
    own = card_text(lines, "Vertrouwenspersoon De Regenboog")
    assert "Bel 050 123 4567" in own and "toegevoegd door De Regenboog" in own
    assert text(lines).count("toegevoegd door pestdata") == 3
