"""The reason a caseworker gives for acting outside what a person said is safe."""

from __future__ import annotations

from django import forms

from .safe_contact_rules import OVERRIDE_REASON_MAX_LENGTH


class SafeContactOverrideMixin(forms.Form):
    """Adds the optional ``override_reason`` field to a staff action's form. The service
    (``safe_contact_rules.safe_contact_respected``) decides whether it is needed; the
    view shows the field's error from ``UnsafeContact`` next to it."""

    override_reason = forms.CharField(
        label="Reason for going ahead (only if this is not what they said is safe)",
        help_text="For example: 'They rang us and asked us to call back now.'",
        required=False,
        max_length=OVERRIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def unsafe(self, error) -> None:
        """Put an ``UnsafeContact`` refusal next to the reason field, in plain words."""
        self.add_error(
            "override_reason",
            " ".join(error.check.problems)
            + " Give a reason to go ahead anyway, or choose a safe way or time.",
        )
