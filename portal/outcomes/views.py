"""Coordinators choose which questionnaires their organisation asks, and when."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.organisations.permissions import coordinated_organisation_or_404

from . import services
from .forms import QuestionnaireForm, ScheduleForm
from .models import OutcomeSchedule
from .selectors import questionnaires_for


@require_GET
def outcomes(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    return _outcomes_page(request, organisation)


def _outcomes_page(request, organisation, *, refused: ScheduleForm | None = None):
    """Every questionnaire with its schedule form; a refused form is shown as it was sent,
    with its errors, in place of the saved values."""
    schedules = {
        s.questionnaire_id: s for s in OutcomeSchedule.objects.filter(organisation=organisation)
    }
    rows = []
    for questionnaire in questionnaires_for(organisation=organisation).prefetch_related(
        "questions"
    ):
        if refused is not None and refused.prefix == str(questionnaire.pk):
            rows.append((questionnaire, refused))
            continue
        schedule = schedules.get(questionnaire.pk)
        initial = (
            {
                "is_active": schedule.is_active,
                "at_intake": schedule.at_intake,
                "after_sessions": schedule.after_sessions,
                "at_exit": schedule.at_exit,
            }
            if schedule
            else {"is_active": False, "at_intake": True, "after_sessions": 6, "at_exit": True}
        )
        rows.append((questionnaire, ScheduleForm(initial=initial, prefix=str(questionnaire.pk))))
    return render(
        request,
        "outcomes/outcomes.html",
        {"organisation": organisation, "rows": rows, "refused": refused},
        status=400 if refused is not None else 200,
    )


@require_POST
def schedule_save(request, organisation_id, questionnaire_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    questionnaire = get_object_or_404(
        questionnaires_for(organisation=organisation), pk=questionnaire_id
    )
    form = ScheduleForm(request.POST, prefix=str(questionnaire.pk))
    if not form.is_valid():
        return _outcomes_page(request, organisation, refused=form)
    services.schedule_set(
        organisation=organisation,
        questionnaire=questionnaire,
        actor=request.user,
        request=request,
        **form.cleaned_data,
    )
    messages.success(request, f"{questionnaire.title}: saved.")
    return redirect("staff:outcomes", organisation_id=organisation.pk)


@require_http_methods(["GET", "POST"])
def questionnaire_add(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_add(
                organisation=organisation,
                key=form.key(),
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                licence_note=form.cleaned_data["licence_note"],
                questions=form.cleaned_data["questions"],
                options=form.cleaned_data["options"],
                higher_is_better=form.cleaned_data["higher_is_better"],
                actor=request.user,
                request=request,
            )
        except services.OutcomeError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, "Questionnaire added. Choose when to ask it below.")
            return redirect("staff:outcomes", organisation_id=organisation.pk)
    return render(
        request,
        "outcomes/questionnaire_form.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )
