"""The quicker radio buttons and checkboxes write the same inputs as Django's own."""

from html.parser import HTMLParser

import pytest
from django import forms

from portal.core.widgets import QuickCheckboxSelectMultiple, QuickRadioSelect

CHOICES = [("email", "Email <me>"), ("phone", 'Phone "quietly"'), ("post", "Post & letters")]


class Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def option_inputs(form, name) -> list[dict]:
    """Each option's input as the portal's field template writes it ({{ option.tag }})."""
    parser = Inputs()
    for option in form[name]:
        parser.feed(str(option.tag()))
    return parser.inputs


def form_class(radio_widget, checkbox_widget, *, disabled=False):
    class Form(forms.Form):
        channel = forms.ChoiceField(choices=CHOICES, widget=radio_widget, disabled=disabled)
        channels = forms.MultipleChoiceField(
            choices=CHOICES, widget=checkbox_widget, required=False, help_text="Any of them."
        )

    return Form


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: nothing chosen, required
        {"channel": "phone", "channels": ["email", "post"]},
        {"channel": "not-a-choice"},  # errors: aria-invalid
    ],
)
@pytest.mark.parametrize("disabled", [False, True])
def test_they_write_what_djangos_widgets_write(data, disabled):
    ours = form_class(QuickRadioSelect, QuickCheckboxSelectMultiple, disabled=disabled)(data)
    django = form_class(forms.RadioSelect, forms.CheckboxSelectMultiple, disabled=disabled)(data)
    if data:
        ours.is_valid(), django.is_valid()
    for name in ("channel", "channels"):
        assert option_inputs(ours, name) == option_inputs(django, name), name
        # Character for character, attribute order included.
        assert [str(o.tag()) for o in ours[name]] == [str(o.tag()) for o in django[name]]
        assert str(ours[name]) == str(django[name]), name  # label-wrapped: Django's own


def test_values_are_escaped():
    form = form_class(QuickRadioSelect, QuickCheckboxSelectMultiple)()
    form.fields["channel"].choices = [('"><script>', "Sneaky")]
    tag = str(next(iter(form["channel"])).tag())
    assert "<script>" not in tag and 'value="&quot;&gt;&lt;script&gt;"' in tag
