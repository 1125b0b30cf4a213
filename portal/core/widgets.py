"""Widgets: browsers' own date and time pickers, and a quicker drop-down list.

An ``<input type="date">`` only accepts a value written as 2027-11-28. Django would write
an initial date in the en-GB input format (28/11/2027), which the browser discards,
so an edit page would show the field empty and lose the date. These widgets always write
the form the browser needs; the fields still accept what people type elsewhere.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class NativeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NativeTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class LongSelect(forms.Select):
    """A drop-down list whose options are written in Python.

    Django renders every option through a template of its own, about 45 µs each: a list
    of a hundred groups cost more than the rest of its page. The markup is the same as
    Django's own select's (name, id, ARIA attributes, option groups, the selected option).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _ in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], SELECTED if option["selected"] else "", option["label"])
                    for option in options
                ),
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            groups.append((rendered,))
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", groups),
        )


SELECTED = mark_safe(" selected")  # nosec B308 B703 - a fixed string
