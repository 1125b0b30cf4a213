from django.urls import path

from . import views, views_passkeys

app_name = "accounts"

urlpatterns = [
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/", views.two_factor_manage, name="two-factor-manage"),
    path(
        "two-factor/backup-codes/new/",
        views.backup_codes_regenerate,
        name="backup-codes-regenerate",
    ),
    path("two-factor/backup-codes/", views.backup_codes_new, name="backup-codes-new"),
    path("passkeys/", views_passkeys.passkeys, name="passkeys"),
    path("passkeys/add/", views_passkeys.passkey_add, name="passkey-add"),
    path("passkeys/required/", views_passkeys.passkey_required, name="passkey-required"),
    path(
        "passkeys/<int:passkey_id>/remove/",
        views_passkeys.passkey_remove,
        name="passkey-remove",
    ),
]
