"""Keeping two people apart in groups, from either person's referral page (the writes
are in ``peergroups.keep_apart``)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from peergroups.keep_apart import KeepApartError, keep_apart_add, keep_apart_remove

from . import access
from .forms_keep_apart import KeepApartForm


def _back(referral):
    response = redirect("referrals:detail", referral_id=referral.pk)
    response["Location"] += "#keep-apart"
    return response


@require_POST
@access.referral_record(page="keep apart")
def keep_apart_new(request, referral):
    from .views_staff import detail_page

    form = KeepApartForm(request.POST)
    if form.is_valid():
        try:
            pair = keep_apart_add(
                referral=referral,
                other_reference=form.cleaned_data["other_reference"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except KeepApartError as error:
            form.add_error(error.field, str(error))
        else:
            other = pair.second if pair.first_id == referral.pk else pair.first
            messages.success(
                request,
                f"{other.reference} and this person will not be offered places in the same group.",
            )
            return _back(referral)
    return detail_page(request, referral, status=400, keep_apart_form=form)


@require_POST
@access.referral_record(page="keep apart")
def keep_apart_end(request, referral):
    pair_id = request.POST.get("pair", "")
    try:
        if not pair_id.isdigit():
            raise KeepApartError("Those two people are no longer kept apart.")
        keep_apart_remove(
            referral=referral, pair_id=int(pair_id), actor=request.user, request=request
        )
    except KeepApartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "They are no longer kept apart.")
    return _back(referral)
