"""Widgets: browsers' own date and time pickers, and a quicker drop-down list.

An ``<input type="date">`` only accepts a value written as 2027-11-28. Django would write
an initial date in the en-GB input format (28/11/2027), which the browser discards,
so an edit page would show the field empty and lose the date. These widgets always write
the form the browser needs; the fields still accept what people type elsewhere.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape as escape
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
    """A drop-down list whose options are written in Python, straight from its choices.

    Django builds a dictionary for every option and renders each through a template of its
    own, about 45 µs an option: a list of a hundred groups cost more than the rest of its
    page. The markup is the same as Django's own select's (name, id, ARIA attributes,
    option groups, the one selected option).
    """

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        chosen = {"done": False}

        def option(option_value, label) -> str:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen["done"] and option_value in wanted
            chosen["done"] = chosen["done"] or selected
            return (
                f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{escape(label)}</option>"
            )

        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                inner = "".join(option(value, text) for value, text in label)
                options.append(f'<optgroup label="{escape(option_value)}">{inner}</optgroup>')
            else:
                options.append(option(option_value, label))
        final_attrs = self.build_attrs(self.attrs, attrs)
        # Every value and label above is escaped; flatatt escapes the attributes.
        return mark_safe(  # noqa: S308  # nosec B308 B703
            f'<select name="{escape(name)}"{flatatt(final_attrs)}>{"".join(options)}</select>'
        )
