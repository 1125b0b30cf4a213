from django.core.management.base import BaseCommand, CommandError

from portal.organisations.models import Organisation
from portal.retention.schedule import Action, RecordType
from portal.retention.selectors import retention_dry_run
from portal.retention.services import retention_apply

VERB = {
    Action.ANONYMISE: "anonymise",
    Action.DELETE: "delete",
    Action.REMOVE_LINK: "remove the links of",
}


class Command(BaseCommand):
    help = (
        "Apply each organisation's retention schedule: anonymise closed referrals and "
        "withdrawn consent, delete old message and audit logs (keeping anonymous counts), "
        "remove old Zoom links. Works in batches: safe to interrupt and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what is due without changing anything."
        )
        parser.add_argument("--organisation", help="Only this organisation (its slug).")

    def handle(self, *args, dry_run=False, organisation=None, **options):
        organisations = None
        if organisation:
            found = Organisation.objects.filter(slug=organisation).first()
            if found is None:
                raise CommandError(f"No organisation has the slug {organisation!r}.")
            organisations = [found]
        if dry_run:
            self._dry_run(organisations or [*Organisation.objects.order_by("name"), None])
            return
        totals = retention_apply(organisations=organisations, progress=self._progress)
        summary = ", ".join(f"{RecordType(k).label.lower()}: {v}" for k, v in totals.items())
        self.stdout.write(self.style.SUCCESS(f"Retention applied. {summary}."))

    def _progress(self, organisation, record_type, done, total):
        name = organisation.name if organisation else "No organisation"
        self.stdout.write(f"  … {name}: {RecordType(record_type).label} {done}/{total}")

    def _dry_run(self, organisations):
        self.stdout.write("Dry run: nothing is changed.")
        for organisation in organisations:
            name = organisation.name if organisation else "Records with no organisation"
            self.stdout.write(name)
            for due in retention_dry_run(organisation=organisation):
                if organisation is None and due.entry.record_type != RecordType.AUDIT_LOG:
                    continue
                oldest = f" (oldest {due.oldest:%d %b %Y})" if due.oldest else ""
                self.stdout.write(
                    f"  Would {VERB[due.entry.policy.action]} {due.count} "
                    f"{due.entry.label.lower()}{oldest}; kept for {due.entry.period}."
                )
