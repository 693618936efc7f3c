"""Labels, never codes (issue 14 point 9): ``{{ code|label }}`` is a builtin of every template."""

from __future__ import annotations

from django.template import engines


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_a_choice_code_shows_its_label_without_a_load():
    assert render("{{ s|label }}", s="in_progress") == "In progress"


def test_a_field_names_the_choices_when_a_code_means_different_things():
    assert render('{{ s|label:"hr.complaint.status" }}', s="open") == "Open"
    assert render('{{ r|label:"organisations.membership.role" }}', r="hr") == "HR"


def test_an_unknown_code_is_made_readable_and_empty_stays_empty():
    assert render("{{ s|label }}", s="chargeback_reversal_pending") == "Chargeback reversal pending"
    assert render("[{{ s|label }}]", s=None) == "[]"


def test_labels_are_escaped():
    assert render("{{ s|label }}", s="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
