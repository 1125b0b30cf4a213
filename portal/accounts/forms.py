"""Forms for setting up and entering a second factor."""

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "input input--code",
            }
        ),
    )


class SetupCodeForm(CodeForm):
    code = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        help_text="The 6-digit code your app shows for this portal.",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app.",
            "invalid": "The code should be 6 digits, like 123456.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "input input--code",
            }
        ),
    )


class VerifyCodeForm(CodeForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        error_messages={"required": "Enter the code from your authenticator app."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "input input--code",
            }
        ),
    )
