"""The funders' report page and its CSV downloads, for coordinators."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.core.spreadsheets import csv_writer
from portal.organisations.permissions import coordinated_organisation_or_404

from .forms import ReportForm
from .selectors import ReportFilters, funder_report


def _report(request, organisation_id):
    organisation = coordinated_organisation_or_404(request.user, organisation_id)
    form = ReportForm(request.GET, organisation=organisation)
    report = None
    if form.is_valid():
        report = funder_report(
            organisation=organisation,
            filters=ReportFilters(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                source=form.cleaned_data["source"],
                group=form.cleaned_data["group"],
            ),
        )
    return organisation, form, report


@require_GET
def report(request, organisation_id):
    organisation, form, report = _report(request, organisation_id)
    return render(
        request,
        "reports/report.html",
        {
            "organisation": organisation,
            "form": form,
            "report": report,
            "query": urlencode(report.filters.as_query()) if report else "",
        },
        status=200 if report else 400,
    )


@require_GET
def report_csv(request, organisation_id, table):
    organisation, _form, report = _report(request, organisation_id)
    if report is None or table not in report.tables:
        raise Http404
    chosen = report.tables[table]
    filters = report.filters
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"'
    )
    writer = csv_writer(response)
    writer.writerow(chosen.columns)
    writer.writerows(chosen.rows)
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        request=request,
        organisation=organisation,
        detail={"export": f"report {table}", **filters.as_query()},
    )
    return response
