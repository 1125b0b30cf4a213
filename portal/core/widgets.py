"""Widgets: browsers' own date and time pickers, and quicker drop-downs, radios and checkboxes.

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
        chosen = False  # as Django's select: only the first matching option is selected

        def option(option_value, label) -> str:
            nonlocal chosen
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen = chosen or selected
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


class _OptionInputsInPython:
    """Writes each option's ``<input>`` in Python, as Django's ``input.html`` and
    ``attrs.html`` would (the same attributes, in the same order).

    Django renders every radio button or checkbox through three templates of its own; a
    form of a few questions cost more than the rest of its page. Only the bare input is
    written here: a label-wrapped option (``{{ field }}`` rather than the portal's
    ``includes/field.html``) is left to Django's templates.
    """

    def _render(self, template_name, context, renderer=None):
        option = context["widget"]
        if template_name != self.option_template_name or option.get("wrap_label"):
            return super()._render(template_name, context, renderer)
        value = option["value"]
        value_attribute = "" if value is None else f' value="{escape(str(value))}"'
        attributes = "".join(
            f" {escape(name)}" if given is True else f' {escape(name)}="{escape(str(given))}"'
            for name, given in option["attrs"].items()
            if given is not False
        )
        # The type is Django's own constant; the name, value and attributes are escaped.
        return mark_safe(  # noqa: S308  # nosec B308 B703
            f'<input type="{option["type"]}" name="{escape(option["name"])}"'
            f"{value_attribute}{attributes}>"
        )


class QuickRadioSelect(_OptionInputsInPython, forms.RadioSelect):
    """Django's radio buttons, each option's input written in Python."""


class QuickCheckboxSelectMultiple(_OptionInputsInPython, forms.CheckboxSelectMultiple):
    """Django's list of checkboxes, each option's input written in Python."""
