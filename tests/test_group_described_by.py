"""A radio or checkbox group's <fieldset> is described by its help text and its errors, the ids
Django gives them: Django describes single inputs itself, not a group (the keyboard journeys)."""

from django import forms
from django.template import Context, Template

TEMPLATE = Template("{% load shixian %}<fieldset{% group_described_by field %}>")


class Choice(forms.Form):
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one.")
    bare = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, required=False)


def render(form: forms.Form, name: str) -> str:
    return TEMPLATE.render(Context({"field": form[name]}))


def test_help_text_then_error() -> None:
    assert render(Choice(), "kind") == '<fieldset aria-describedby="id_kind_helptext">'
    invalid = Choice(data={})
    assert not invalid.is_valid()
    assert render(invalid, "kind") == '<fieldset aria-describedby="id_kind_helptext id_kind_error">'


def test_nothing_to_describe_adds_no_attribute() -> None:
    assert render(Choice(), "bare") == "<fieldset>"
