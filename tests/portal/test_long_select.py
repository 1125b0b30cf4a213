"""The quicker drop-down list writes the same options as Django's own select."""

from html.parser import HTMLParser

from django import forms

from portal.core.widgets import LongSelect

CHOICES = [
    ("", "All groups"),
    ("a", "Tuesday evening <online> & friends"),
    ("b", 'Partners\' group "north"'),
    ("Older groups", [("c", "Spring 2025"), ("d", "Summer 2025")]),
]


class Options(HTMLParser):
    """The select's attributes, and each option as (group, value, selected, label)."""

    def __init__(self):
        super().__init__()
        self.select, self.options, self.group, self.current = {}, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = attrs
        elif tag == "optgroup":
            self.group = attrs["label"]
        elif tag == "option":
            self.current = [self.group, attrs["value"], "selected" in attrs, ""]

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self.group = None
        elif tag == "option":
            self.options.append(tuple(self.current))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current[3] += data


def parsed(widget_class, value):
    class Form(forms.Form):
        group = forms.ChoiceField(choices=CHOICES, required=False, widget=widget_class)

    field = Form({"group": value})["group"]
    parser = Options()
    parser.feed(str(field))
    return parser


def test_it_writes_what_djangos_select_writes():
    for value in ("", "a", "d", "not-a-choice"):
        ours, django = parsed(LongSelect, value), parsed(forms.Select, value)
        assert ours.options == django.options, value
        assert ours.select == django.select, value


def test_labels_are_escaped_and_the_chosen_option_is_selected():
    html = str(
        forms.BoundField(
            forms.Form(),
            forms.ChoiceField(choices=CHOICES, widget=LongSelect),
            "group",
        ).as_widget(attrs={"aria-describedby": "group_error"})
    )
    assert "&lt;online&gt; &amp; friends" in html and "<online>" not in html
    assert 'aria-describedby="group_error"' in html
    assert [o for o in parsed(LongSelect, "b").options if o[2]] == [
        (None, "b", True, 'Partners\' group "north"')
    ]
