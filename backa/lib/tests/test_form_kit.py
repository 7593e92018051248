"""The accessible form kit: one mixin, lib/_field.html and the error summary (lib/_errors.html)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils import translation

from backa.lib.forms import AccessibleForm, AccessibleModelForm


class KitForm(AccessibleForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="Name", help_text="As written in the register.")
    kind = forms.ChoiceField(label="Kind", choices=[("", "–"), ("a", "A"), ("b", "B")])
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="I agree")
    sectors = forms.MultipleChoiceField(
        label="Sectors",
        choices=[("school", "School"), ("police", "Police")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Every sector that takes part.",
    )
    outcome = forms.ChoiceField(label="Outcome", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)

    def clean(self):
        raise ValidationError("The form as a whole is wrong.")


def render(source, **context):
    with translation.override("en"):
        return engines["django"].from_string("{% load accessible_forms %}" + source).render(context)


def ids(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def invalid_form():
    form = KitForm(data={"note": "x"})
    assert not form.is_valid()
    return form


def test_an_invalid_field_is_marked_and_described_by_existing_ids():
    html = render("{{ form }}", form=invalid_form())
    present = ids(html)
    name_input = re.search(r"<input[^>]*name=\"name\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in name_input
    assert 'aria-describedby="id_name_help id_name_error"' in name_input
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert set(described.split()) <= present, described
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*aria-describedby="id_kind_error"', html)
    assert 'aria-describedby="id_agree_error"' in html
    # Valid fields are not marked.
    assert "aria-invalid" not in re.search(r"<textarea[^>]*>", html).group(0)


def test_the_summary_links_to_each_field_in_error():
    form = invalid_form()
    html = render(
        "{% error_summary form %}{% for field in form %}{% include 'lib/_field.html' %}{% endfor %}", form=form
    )
    summary = html.split("</div>", 1)[0]
    assert summary.count("<h2>") == 1 and 'role="alert"' in summary and "Please correct the following" in summary
    assert "The form as a whole is wrong." in summary
    links = re.findall(r'href="#([^"]+)"', summary)
    assert set(links) == {"id_name", "id_kind", "id_agree", "id_sectors_0", "id_outcome_0"}
    assert set(links) <= ids(html)


def test_a_checkbox_group_is_a_fieldset_with_a_legend_described_by_its_help_and_error():
    html = render("{% include 'lib/_field.html' with field=form.sectors %}", form=invalid_form())
    fieldset = re.search(r"<fieldset[^>]*>", html).group(0)
    assert 'aria-describedby="id_sectors_help id_sectors_error"' in fieldset
    assert re.search(r"<legend>Sectors <span class=\"req\">\(required\)</span></legend>", html)
    assert {"id_sectors_help", "id_sectors_error", "id_sectors_0", "id_sectors_1"} <= ids(html)
    assert '<label for="id_sectors_0">' in html
    # The description is on the group, not repeated on every option.
    assert not re.search(r"<input[^>]*aria-describedby", html)


def test_service_errors_land_on_fields_and_plain_messages_in_the_summary():
    form = KitForm(data={"name": "Sigrid", "kind": "a", "agree": "on", "sectors": ["school"], "outcome": "yes"})
    form.is_valid()
    form.apply_service_errors(ValidationError({"name": "Already registered.", "elsewhere": "Not a field."}))
    assert form.errors["name"] == ["Already registered."]
    assert "Not a field." in form.non_field_errors()
    html = render("{% error_summary form errors=messages %}", form=form, messages=["The service refused."])
    assert "<li>The service refused.</li>" in html and 'href="#id_name"' in html
    assert render("{% error_summary form %}", form=KitForm()).strip() == ""
    assert "<li>Only a message.</li>" in render("{% error_summary errors=m %}", m="Only a message.")


def test_the_model_form_gets_the_same_kit():
    from backa.organisations.models import Municipality

    class MunicipalityForm(AccessibleModelForm):
        class Meta:
            model = Municipality
            fields = ["name"]

    form = MunicipalityForm(data={})
    assert not form.is_valid()
    html = render("{{ form }}", form=form)
    assert 'aria-invalid="true"' in html and 'id="id_name_error"' in html and 'href="#id_name"' in html
