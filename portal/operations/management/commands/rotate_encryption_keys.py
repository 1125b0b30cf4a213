from django.core.management.base import BaseCommand

from portal.crypto.rotation import rotate_keys
from referrals.name_index import name_index_rebuild


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with the first FIELD_ENCRYPTION_KEYS key and "
        "recompute lookup hashes (and the names' search index) with the first "
        "LOOKUP_HASH_KEYS key. Safe to interrupt "
        "and run again; afterwards the old keys can be removed."
    )

    def handle(self, *args, **options):
        report = rotate_keys(progress=lambda message: self.stdout.write(f"  … {message}"))
        # The names' blind index is keyed by the lookup key too: rewrite it with the new
        # one, so search still finds people once the old key is removed.
        name_index_rebuild(progress=lambda message: self.stdout.write(f"  … {message}"))
        if report.rows_changed_meanwhile:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.rows_changed_meanwhile} rows changed while they were being "
                    "checked and were left as they are. Run the command again before "
                    "removing the old keys."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {report.rows_read} rows: re-encrypted {report.values_reencrypted} "
                f"values and recomputed {report.hashes_recomputed} lookup hashes. The old "
                "keys can now be removed from the settings."
            )
        )
