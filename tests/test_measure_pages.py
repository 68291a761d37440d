"""Step 5 through the Flask test client: measures, the phone's logbook, honest figures."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from workshop.core.clock import local_today
from workshop.core.errors import WorkshopError
from workshop.core.extensions import db
from workshop.core.models import Action, Course, Measure, MeasureEntry, Participant
from workshop.courses import go_to_step
from workshop.measures import (
    MEASURE_TEMPLATES,
    log_entry,
    measure_stats,
    measure_template,
    measure_templates_by_side,
    parse_value,
    set_period_closed,
    update_measure,
)
from workshop.reports.measure_chart import (
    format_change_percent,
    format_mean,
    format_value,
    measure_chart,
)
from workshop.web.steps.evaluate import EntryForm

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}
TODAY = local_today()


@dataclass
class Setup:
    course_id: int
    code: str
    action_id: int
    measure_id: int
    baseline_from: date
    followup_from: date


@pytest.fixture
def setup(app, make):
    """A facilitator's course in step 5: one action from step 4 with one measure."""
    with app.app_context():
        course = make.course(step=2)
        anne = make.participant(course, name="Anne")
        challenge = make.challenge(anne, "Samtaleskemaet kræver for mange samtaler")
        action = make.action(make.solution(anne, challenge, "Færre samtaler om ugen"))
        measure = make.measure(action)
        go_to_step(course, 5)
        return Setup(
            course.id,
            course.join_code,
            action.id,
            measure.id,
            measure.baseline_from,
            measure.followup_from,
        )


def _measure(measure_id):
    return db.session.get(Measure, measure_id)


def _entries():
    return list(db.session.scalars(db.select(MeasureEntry)))


def _join(client, code, role="medarbejder", name=""):
    return client.post(f"/j/{code}", data={"role": role, "unit": "Team Ledige", "name": name})


def _entry(setup, value="12,5", day=None, note="", token="t1", **extra):
    return {
        "measure": str(setup.measure_id),
        "entry_date": (day or setup.followup_from).isoformat(),
        "value": value,
        "text": note,
        "client_token": token,
        **extra,
    }


def _log(app, setup, values, *, name="Anne", role="medarbejder"):
    """Log values directly: [(period, value), ...] by a participant of the course."""
    with app.app_context():
        course = db.session.get(Course, setup.course_id)
        participant = db.session.scalar(
            db.select(Participant).where(
                Participant.course_id == course.id, Participant.name == name
            )
        ) or db.session.get(Participant, _new_participant(course, role, name))
        measure = _measure(setup.measure_id)
        for number, (period, value) in enumerate(values):
            day = getattr(measure, f"{period}_from") + timedelta(days=number % 3)
            log_entry(participant, measure, day, value, client_token=f"log-{name}-{number}")


def _new_participant(course, role, name):
    from workshop.participants import join

    return join(course, role, "Team Ledige", name).id


# --- The facilitator adds and edits measures ---------------------------------------------


def _measure_form(setup, **fields):
    return {
        "action": str(setup.action_id),
        "what": "Antal samtaler pr. borger",
        "unit": "samtaler pr. måned",
        "higher_is_better": "",
        "baseline_from": (TODAY - timedelta(days=30)).isoformat(),
        "baseline_to": (TODAY - timedelta(days=20)).isoformat(),
        "followup_from": (TODAY - timedelta(days=5)).isoformat(),
        "followup_to": (TODAY + timedelta(days=10)).isoformat(),
        **fields,
    }


def test_the_control_panel_offers_a_measure_form_for_the_actions(client, auth, setup):
    auth.login()
    page = client.get(f"/f/courses/{setup.course_id}")
    assert page.status_code == 200
    assert 'id="measure-form"' in page.text
    assert "Færre samtaler om ugen" in page.text  # the action, as a choice and a heading
    assert 'type="date"' in page.text and 'name="higher_is_better"' in page.text


def test_a_facilitator_adds_a_measure_to_an_action(app, client, auth, setup):
    auth.login()
    response = client.post(
        f"/f/courses/{setup.course_id}/measures",
        data=_measure_form(setup, higher_is_better="y"),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/f/courses/{setup.course_id}"
    with app.app_context():
        added = db.session.scalar(db.select(Measure).where(Measure.what.startswith("Antal")))
        assert added.action_id == setup.action_id
        assert added.unit == "samtaler pr. måned" and added.higher_is_better is True
        assert added.followup_to == TODAY + timedelta(days=10)


def test_periods_in_the_wrong_order_are_refused_with_the_values_kept(app, client, auth, setup):
    auth.login()
    late_baseline = (TODAY - timedelta(days=2)).isoformat()
    response = client.post(
        f"/f/courses/{setup.course_id}/measures",
        data=_measure_form(setup, baseline_to=late_baseline),
        headers=EN,
    )
    assert response.status_code == 422
    assert "The follow-up period must begin after the baseline period ends." in response.text
    assert 'value="Antal samtaler pr. borger"' in response.text
    assert 'value="samtaler pr. måned"' in response.text
    assert f'value="{late_baseline}"' in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Measure)) == 1


def test_a_measure_without_unit_or_for_another_courses_action_is_refused(
    app, client, auth, make, setup
):
    auth.login()
    refused = client.post(
        f"/f/courses/{setup.course_id}/measures", data=_measure_form(setup, unit=""), headers=EN
    )
    assert refused.status_code == 422
    assert "Give the unit" in refused.text
    with app.app_context():
        other = make.course(title="Andet forløb", step=2)
        bo = make.participant(other)
        other_action = make.action(make.solution(bo, make.challenge(bo)))
        other_action_id = other_action.id
    foreign = client.post(
        f"/f/courses/{setup.course_id}/measures",
        data=_measure_form(setup, action=str(other_action_id)),
    )
    assert foreign.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Measure)) == 1


def test_the_measure_page_edits_the_measure_and_keeps_a_refused_edit_as_typed(
    app, client, auth, setup
):
    auth.login()
    url = f"/f/courses/{setup.course_id}/measures/{setup.measure_id}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Minutter brugt på dokumentation"' in page.text
    action_url = f"/f/courses/{setup.course_id}/actions/{setup.action_id}"
    assert f'href="{action_url}"' in page.text  # back to the action's plan in step 4
    assert client.get(action_url).status_code == 200
    form = _measure_form(setup, what="Minutter på journalnotater")
    del form["action"]
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        assert _measure(setup.measure_id).what == "Minutter på journalnotater"
    refused = client.post(url, data={**form, "what": "Noget nyt", "followup_to": ""}, headers=EN)
    assert refused.status_code == 422
    assert "Give the first and last day of both periods" in refused.text
    assert 'value="Noget nyt"' in refused.text
    with app.app_context():
        assert _measure(setup.measure_id).what == "Minutter på journalnotater"


def test_facilitator_pages_of_step_five_need_a_login(client, setup):
    base = f"/f/courses/{setup.course_id}/measures"
    assert client.get(f"{base}/{setup.measure_id}").headers["Location"].startswith("/login")
    assert client.post(base, data={}).headers["Location"].startswith("/login")


def test_another_facilitator_finds_no_such_measure(app, client, auth, make, setup):
    with app.app_context():
        make.facilitator("other@example.dk", "another horse")
    _log(app, setup, [("baseline", "10")])
    with app.app_context():
        entry_id = _entries()[0].id
    auth.login("other@example.dk", "another horse")
    base = f"/f/courses/{setup.course_id}/measures"
    assert client.get(f"{base}/{setup.measure_id}").status_code == 404
    assert client.post(base, data=_measure_form(setup)).status_code == 404
    closed = client.post(f"{base}/{setup.measure_id}/periods/baseline", data={"closed": "1"})
    assert closed.status_code == 404
    deleted = client.post(f"{base}/{setup.measure_id}/entries/{entry_id}/delete")
    assert deleted.status_code == 404
    with app.app_context():
        assert len(_entries()) == 1
        assert _measure(setup.measure_id).baseline_closed is False
        assert db.session.scalar(db.select(db.func.count()).select_from(Measure)) == 1


def test_a_measure_of_another_course_is_not_found_under_this_one(app, client, auth, make, setup):
    with app.app_context():
        other = make.course(title="Mit andet forløb", step=2)
        bo = make.participant(other)
        other_measure = make.measure(make.action(make.solution(bo, make.challenge(bo))))
        other_id = other_measure.id
    auth.login()
    assert client.get(f"/f/courses/{setup.course_id}/measures/{other_id}").status_code == 404


# --- Phones log values -------------------------------------------------------------------


def test_the_phone_shows_a_logbook_form_for_danish_numbers(client, setup):
    _join(client, setup.code)
    page = client.get(f"/c/{setup.code}")
    assert page.status_code == 200
    assert 'id="entry-form"' in page.text
    assert 'inputmode="decimal"' in page.text
    assert f'type="date" name="entry_date" value="{TODAY.isoformat()}"' in page.text
    # The only measure is chosen already.
    assert f'name="measure" value="{setup.measure_id}" checked' in page.text
    assert "Færre samtaler om ugen" in page.text


def test_a_phone_logs_twelve_comma_five_as_twelve_point_five(app, client, setup):
    _join(client, setup.code, name="Bo")
    response = client.post(f"/c/{setup.code}/measure-entries", data=_entry(setup), headers=HX)
    assert response.status_code == 200
    assert "data-sent" in response.text  # a fresh form; the draft is cleared
    assert 'hx-swap-oob="true"' in response.text  # and the live region with the entry
    assert "12,5" in response.text
    with app.app_context():
        [entry] = _entries()
        assert entry.value == 12.5
        assert entry.entry_date == setup.followup_from
        assert entry.participant.name == "Bo"


def test_without_javascript_a_logged_value_redirects_back_to_the_phone_page(app, client, setup):
    _join(client, setup.code)
    response = client.post(f"/c/{setup.code}/measure-entries", data=_entry(setup, value="45"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{setup.code}"
    with app.app_context():
        assert [e.value for e in _entries()] == [45.0]


def test_a_double_submitted_entry_is_logged_once(app, client, setup):
    _join(client, setup.code)
    for _ in range(2):
        client.post(f"/c/{setup.code}/measure-entries", data=_entry(setup, token="same"))
    with app.app_context():
        assert len(_entries()) == 1


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("value", "Write a number, for example 45 or 12,5."),
        ("future", "The date is in the future."),
        ("outside", "is outside both periods"),
        ("closed", "is closed. No more values can be logged for it."),
        ("measure", "Choose what you are logging."),
        ("date", "Give a date, e.g. 31.12.2026."),
    ],
)
@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "no-js"])
def test_a_refused_entry_says_why_keeps_what_was_typed_and_saves_nothing(
    app, client, setup, kind, message, headers
):
    _join(client, setup.code)
    data = _entry(setup, value="30", note="Travl uge med mange nye sager")
    if kind == "value":
        data["value"] = "tolv"
    elif kind == "future":
        data["entry_date"] = (TODAY + timedelta(days=1)).isoformat()
    elif kind == "outside":
        data["entry_date"] = (setup.followup_from - timedelta(days=3)).isoformat()
    elif kind == "closed":
        with app.app_context():
            set_period_closed(_measure(setup.measure_id), "followup", True)
    elif kind == "measure":
        data["measure"] = "999999999999999999999"
    elif kind == "date":
        data["entry_date"] = "31.2.2026"
    response = client.post(
        f"/c/{setup.code}/measure-entries",
        data={**data, "stage": _current_stage(app, setup)},
        headers={**headers, **EN},
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'role="alert"' in response.text
    assert f'value="{data["value"]}"' in response.text
    assert f'value="{data["entry_date"]}"' in response.text or kind == "date"
    assert "Travl uge med mange nye sager</textarea>" in response.text
    with app.app_context():
        assert _entries() == []


def _current_stage(app, setup):
    with app.app_context():
        from steps import get_step

        return get_step(5).stage(db.session.get(Course, setup.course_id))


def test_a_cpr_like_note_asks_for_confirmation_first(app, client, setup):
    _join(client, setup.code)
    data = _entry(setup, note="Borger 010190-1234 ringede")
    refused = client.post(f"/c/{setup.code}/measure-entries", data=data, headers=HX)
    assert refused.status_code == 422
    assert 'name="not_cpr"' in refused.text
    assert 'value="12,5"' in refused.text
    confirmed = client.post(
        f"/c/{setup.code}/measure-entries", data={**data, "not_cpr": "y"}, headers=HX
    )
    assert confirmed.status_code == 200
    with app.app_context():
        assert [e.note for e in _entries()] == ["Borger 010190-1234 ringede"]


def test_a_participant_of_another_course_cannot_log_to_this_measure(app, client, make, setup):
    with app.app_context():
        other = make.course(title="Et andet forløb", step=5)
        other_code = other.join_code
    _join(client, other_code)
    # Through this course's address: not a participant here.
    refused = client.post(f"/c/{setup.code}/measure-entries", data=_entry(setup))
    assert refused.status_code == 403
    # Through their own course's address, naming this course's measure: no such measure.
    foreign = client.post(f"/c/{other_code}/measure-entries", data=_entry(setup), headers=EN)
    assert foreign.status_code == 422
    assert "Choose what you are logging." in foreign.text
    with app.app_context():
        assert _entries() == []


def test_the_phone_shows_the_persons_entries_and_the_figures_so_far(app, client, setup):
    _join(client, setup.code, name="Bo")
    client.post(f"/c/{setup.code}/measure-entries", data=_entry(setup, value="33", note="Fin uge"))
    _log(app, setup, [("baseline", "40")], name="Anne")
    live = client.get(f"/c/{setup.code}/live", headers=HX)
    assert live.status_code == 200
    assert "Fin uge" in live.text and "33 minutter pr. uge" in live.text
    assert "40,0" in live.text and "33,0" in live.text  # the averages of both periods
    assert "Anne" not in live.text  # another person's entries are not listed


def test_a_new_measure_brings_the_new_form_to_the_phones(app, make, setup):
    with app.app_context():
        course = db.session.get(Course, setup.course_id)
        from steps import get_step

        before = get_step(5).stage(course)
        make.measure(db.session.get(Measure, setup.measure_id).action, what="Antal genveje")
        after = get_step(5).stage(course)
        assert before != after and len(after) <= 20


# --- Honest figures ----------------------------------------------------------------------


def _panel_live(client, setup, **headers):
    return client.get(f"/f/courses/{setup.course_id}/live", headers={**HX, **headers}).text


def test_a_measure_without_entries_shows_no_number(client, auth, setup):
    auth.login()
    html = _panel_live(client, setup, **EN)
    assert "Minutter brugt på dokumentation" in html
    assert f'href="/f/courses/{setup.course_id}/actions/{setup.action_id}"' in html
    figures = html.split('<dl class="figures">')[1].split("</dl>")[0]
    assert figures.count('<span class="figure figure-empty">—</span>') == 3  # before, after, change
    assert figures.count("no entries yet") == 2
    assert "shown when both periods have entries" in figures
    assert "Before: no entries yet. After: no entries yet." in html  # the chart's text
    assert "Better" not in html and "Worse" not in html


def test_a_single_entry_is_shown_and_said_to_be_one(app, client, auth, setup):
    _log(app, setup, [("baseline", "37")])
    auth.login()
    html = _panel_live(client, setup, **EN)
    assert "37.0" in html  # English decimal point in the English UI
    assert "based on 1 entry" in html
    assert "no entries yet" in html  # the follow-up
    assert "shown when both periods have entries" in html


def test_both_periods_give_averages_change_and_a_verdict_in_danish_numbers(
    app, client, auth, setup
):
    _log(app, setup, [("baseline", "40"), ("baseline", "45"), ("followup", "35")])
    auth.login()
    html = _panel_live(client, setup)  # Danish UI
    assert "42,5" in html and "35,0" in html
    assert "\u22127,5" in html  # a real minus sign
    assert "(\u221218\u00a0%)" in html  # −18 %: 7.5 of 42.5
    english = _panel_live(client, setup, **EN)
    assert "based on 2 entries" in english and "based on 1 entry" in english
    assert "Better" in english  # fewer minutes of documentation is better
    assert "verdict-better" in english


def test_a_rise_where_lower_is_better_is_called_worse_in_words(app, client, auth, setup):
    _log(app, setup, [("baseline", "30"), ("followup", "45")])
    auth.login()
    html = _panel_live(client, setup, **EN)
    assert "+15.0" in html and "(+50%)" in html
    assert "Worse" in html and "Better" not in html


def test_a_baseline_of_zero_gives_a_change_but_no_percentage(app, client, auth, setup):
    _log(app, setup, [("baseline", "0"), ("followup", "2")])
    auth.login()
    html = _panel_live(client, setup, **EN)
    assert "+2.0" in html
    assert "%" not in html.split("Change")[1].split("</dl>")[0]
    assert "no percentage: the average before was 0" in html


def test_entries_left_outside_edited_periods_are_noted(app, client, auth, setup):
    _log(app, setup, [("baseline", "40"), ("followup", "35")])
    with app.app_context():
        measure = _measure(setup.measure_id)
        fields = {
            name: getattr(measure, name)
            for name in ("what", "unit", "higher_is_better", "baseline_from", "baseline_to")
        }
        update_measure(
            measure,
            **fields,
            followup_from=measure.followup_from + timedelta(days=2),
            followup_to=measure.followup_to,
        )
    auth.login()
    html = _panel_live(client, setup, **EN)
    assert "1 entry lies outside both periods and is not counted." in html


# --- The chart ---------------------------------------------------------------------------


def _svg(html):
    start = html.index("<svg")
    return html[start : html.index("</svg>", start) + len("</svg>")]


def test_the_chart_is_inline_svg_carrying_the_figures_in_text(app, client, auth, setup):
    _log(app, setup, [("baseline", "40"), ("baseline", "45"), ("followup", "35")])
    auth.login()
    svg = _svg(client.get(f"/f/courses/{setup.course_id}/measures/{setup.measure_id}").text)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    desc = svg.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "42,5" in desc and "35,0" in desc and "\u22127,5" in desc
    assert svg.count("chart-bar-baseline") == 1 and svg.count("chart-bar-followup") == 1
    assert ">42,5</text>" in svg and ">35,0</text>" in svg  # value labels on the bars
    assert svg.count("<circle") == 3  # each entry a dot on the date axis
    # Self-contained: nothing fetched, nothing run.
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    assert svg.count("http") == 1  # only the SVG namespace


def test_a_period_without_entries_is_an_empty_outlined_bar(app, client, auth, setup):
    _log(app, setup, [("baseline", "40")])
    auth.login()
    svg = _svg(_panel_live(client, setup, **EN))
    assert "chart-bar-empty" in svg and 'fill="none"' in svg
    assert ">no entries</text>" in svg
    assert "chart-bar-followup" not in svg


def test_the_chart_scales_to_negative_values_without_leaving_the_frame(app, setup):
    _log(app, setup, [("baseline", "-10"), ("followup", "5")])
    with app.app_context():
        measure = _measure(setup.measure_id)
        chart = measure_chart(measure, measure_stats(measure))
        assert chart.bottom_value == -10 and chart.top_value == 5
        for bar in chart.bars:
            assert bar.y >= chart.plot_top and bar.y + bar.height <= chart.plot_bottom
        assert all(chart.plot_top <= dot.y <= chart.plot_bottom for dot in chart.dots)
        assert all(262 <= dot.x <= 448 for dot in chart.dots)


# --- The logbook on the measure page -----------------------------------------------------


def test_the_logbook_lists_every_entry_with_who_and_a_mistake_can_be_deleted(
    app, client, auth, setup
):
    _log(app, setup, [("baseline", "40")], name="Anne")
    _log(app, setup, [("followup", "999")], name="", role="leder")
    with app.app_context():
        mistaken = next(e for e in _entries() if e.value == 999)
        mistaken_id = mistaken.id
    auth.login()
    url = f"/f/courses/{setup.course_id}/measures/{setup.measure_id}"
    page = client.get(url, headers=EN).text
    assert f'id="entry-{mistaken_id}"' in page
    assert "Anne" in page and "Manager" in page  # a name, or else the role
    assert page.count('class="button button-small button-danger"') == 2
    asked = client.post(f"{url}/entries/{mistaken_id}/delete", headers=EN)
    assert asked.status_code == 200  # first: which entry, said in the button's place
    assert "Delete this entry for good?" in asked.text and "999" in asked.text
    with app.app_context():
        assert len(_entries()) == 2
    response = client.post(f"{url}/entries/{mistaken_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == url
    with app.app_context():
        assert [e.value for e in _entries()] == [40.0]
    assert client.post(f"{url}/entries/{mistaken_id}/delete").status_code == 404


def test_closing_and_reopening_a_period(app, client, auth, setup):
    auth.login()
    url = f"/f/courses/{setup.course_id}/measures/{setup.measure_id}"
    assert client.post(f"{url}/periods/followup", data={"closed": "1"}).status_code == 302
    with app.app_context():
        assert _measure(setup.measure_id).followup_closed is True
    assert "tag tag-warning" in client.get(url).text
    client.post(f"{url}/periods/followup", data={"closed": "0"})
    with app.app_context():
        assert _measure(setup.measure_id).followup_closed is False
    unknown = client.post(f"{url}/periods/sometime", data={"closed": "1"})
    assert unknown.status_code == 302  # refused with a message, nothing changed


# --- The projector -----------------------------------------------------------------------


def test_the_projector_shows_measured_effects_in_large_figures(app, client, auth, make, setup):
    _log(app, setup, [("baseline", "40"), ("baseline", "45"), ("followup", "35")])
    with app.app_context():
        course = db.session.get(Course, setup.course_id)
        anne = db.session.scalar(db.select(Participant).where(Participant.name == "Anne"))
        go_to_step(course, 2)
        make.action(make.solution(anne, make.challenge(anne), "Fælles skabelon"))
        go_to_step(course, 5)
    auth.login()
    html = client.get(f"/f/courses/{setup.course_id}/projector", headers=EN).text
    assert "figures-large" in html
    assert "42.5" in html and "35.0" in html and "Better" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Fælles skabelon" in html and "Not measured yet." in html


# --- Domain details the pages rely on ----------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("1.5", 1.5), (" 7 ", 7.0), ("-2,25", -2.25)])
def test_values_typed_with_a_point_or_spaces_are_read(raw, value):
    assert parse_value(raw) == value


@pytest.mark.parametrize("raw", ["abc", "1e9", "12,5 min", "1.500", "2.000"])
def test_values_that_are_not_a_plain_number_are_refused(ctx, raw):
    with pytest.raises(WorkshopError) as refused:
        parse_value(raw)
    assert refused.value.code == "value"


def test_a_negative_baseline_gives_a_percentage_against_its_size(app, setup):
    _log(app, setup, [("baseline", "-10"), ("followup", "-5")])
    with app.app_context():
        stats = measure_stats(_measure(setup.measure_id))
        assert stats.change == 5 and stats.change_percent == pytest.approx(50)
        assert stats.improved is False  # lower is better, and it rose


def test_no_change_is_neither_better_nor_worse(app, setup):
    _log(app, setup, [("baseline", "20"), ("followup", "20")])
    with app.app_context():
        stats = measure_stats(_measure(setup.measure_id))
        assert stats.change == 0 and stats.improved is None


def test_numbers_are_formatted_the_danish_way(app):
    with app.test_request_context("/"):
        assert format_mean(42.5) == "42,5"
        assert format_mean(-3.25) == "\u22123,2"  # babel rounds half to even
        assert format_value(45.0) == "45" and format_value(1234.5) == "1.234,5"
        assert format_change_percent(-18.4) == "\u221218\u00a0%"
        assert format_change_percent(0.3) == "0\u00a0%"  # rounded to nothing: no sign


@pytest.mark.parametrize(
    ("typed", "day"),
    [("2026-02-03", date(2026, 2, 3)), ("3.2.2026", date(2026, 2, 3)), ("", None)],
)
def test_a_typed_date_is_read_in_danish_or_iso_form(app, typed, day):
    with app.test_request_context(method="POST", data={"entry_date": typed}):
        form = EntryForm(meta={"csrf": False})
        assert form.entry_date.validate(form) and form.entry_date.data == day


def test_an_impossible_date_is_refused(app):
    with app.test_request_context(method="POST", data={"entry_date": "30.2.2026"}):
        form = EntryForm(meta={"csrf": False})
        assert not form.entry_date.validate(form)


def test_a_refused_measure_posted_after_the_panel_moved_on_is_flashed(app, client, auth, setup):
    with app.app_context():
        go_to_step(db.session.get(Course, setup.course_id), 6)
    auth.login()
    response = client.post(
        f"/f/courses/{setup.course_id}/measures", data=_measure_form(setup, what=""), headers=EN
    )
    assert response.status_code == 302
    assert "Say what is measured." in client.get(f"/f/courses/{setup.course_id}").text


# --- Measure templates: the citizen's side beside staff time (issue 14) ---------------------


def test_the_templates_measure_the_citizens_side_beside_staff_time():
    groups = {side: [t.key for t in items] for side, _label, items in measure_templates_by_side()}
    assert list(groups) == ["citizen", "staff"]  # the citizen's side first
    assert {
        "plans_per_citizen",
        "meetings_per_month",
        "days_to_first_offer",
        "consents_asked",
    } <= set(groups["citizen"])
    assert {"documentation_time", "double_registration"} <= set(groups["staff"])
    assert len({t.key for t in MEASURE_TEMPLATES}) == len(MEASURE_TEMPLATES)


def test_a_template_gives_name_unit_and_direction_in_the_language_of_the_request(app):
    with app.test_request_context():
        assert measure_template("consents_asked").fields() == {
            "what": "Samtykker, borgeren bliver bedt om at underskrive",
            "unit": "samtykker pr. borger",
            "higher_is_better": False,
        }
    with app.test_request_context(headers=EN):
        fields = measure_template("story_told_once").fields()
        assert fields["what"] == "Citizens who only had to tell their story once"
        assert fields["higher_is_better"] is True


@pytest.mark.parametrize("key", ["", None, "nope", "Consents_asked"])
def test_no_or_an_unknown_template_is_none(key):
    assert measure_template(key) is None


def test_every_template_makes_a_measure_the_domain_accepts(app, make, setup):
    with app.test_request_context():
        action = db.session.get(Action, setup.action_id)
        for template in MEASURE_TEMPLATES:
            measure = make.measure(action, **template.fields())
            assert (measure.what, measure.higher_is_better) == (
                str(template.what),
                template.higher_is_better,
            )


def test_the_panel_offers_the_templates_in_two_groups(client, auth, setup):
    auth.login()
    page = client.get(f"/f/courses/{setup.course_id}").text
    assert 'id="measure-template-form" method="get"' in page
    assert '<optgroup label="Fra borgerens side">' in page
    assert '<optgroup label="Medarbejdernes tid">' in page
    assert "Dage fra første kontakt til første tilbud (dage; lavere er bedre)" in page
    assert 'id="measure-template-note"' not in page  # nothing filled in yet


def test_picking_a_template_fills_the_new_measure_so_the_facilitator_only_confirms(
    client, auth, setup
):
    auth.login()
    page = client.get(f"/f/courses/{setup.course_id}?measure_template=meetings_per_month").text
    form = page[page.index('id="measure-form"') :]
    assert 'value="Møder, borgeren skal deltage i"' in form
    assert 'value="møder pr. borger pr. måned"' in form
    assert 'name="higher_is_better" type="checkbox" value="y">' in form  # lower is better
    assert 'role="status" id="measure-template-note"' in page
    assert '<option value="meetings_per_month" selected>' in page  # the picker remembers
    assert re.search(r'<select autofocus id="action"', form)  # what is left to choose


def test_a_template_where_more_is_better_ticks_the_direction(client, auth, setup):
    auth.login()
    page = client.get(f"/f/courses/{setup.course_id}?measure_template=story_told_once").text
    form = page[page.index('id="measure-form"') :]
    assert re.search(r'checked id="higher_is_better" name="higher_is_better"', form)


def test_the_template_picker_answers_the_panel_alone_when_htmx_asks(client, auth, setup):
    auth.login()
    page = client.get(
        f"/f/courses/{setup.course_id}?measure_template=documentation_time",
        headers={**HX, "HX-Target": "panel"},
    ).text
    assert page.lstrip().startswith('<div id="panel"')
    assert 'value="Tid brugt på dokumentation"' in page


def test_an_unknown_template_leaves_the_new_measure_empty(client, auth, setup):
    auth.login()
    page = client.get(f"/f/courses/{setup.course_id}?measure_template=../../etc").text
    assert page.count('id="what" maxlength="300" name="what" type="text" value=""') == 1
    assert 'id="measure-template-note"' not in page


def test_a_measure_filled_from_a_template_is_added_as_confirmed(app, client, auth, setup):
    auth.login()
    response = client.post(
        f"/f/courses/{setup.course_id}/measures",
        data=_measure_form(setup, what="Planer, borgeren har", unit="planer pr. borger"),
    )
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(db.select(Measure).where(Measure.what == "Planer, borgeren har"))
        assert added.unit == "planer pr. borger" and added.higher_is_better is False
