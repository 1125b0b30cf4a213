"""Rewrite the name search index with the current lookup key (after a key rotation)."""

from django.core.management.base import BaseCommand

from referrals.name_index import name_index_rebuild


class Command(BaseCommand):
    help = "Rewrite every referral's name search index with the current lookup key."

    def handle(self, *args, **options):
        done = name_index_rebuild(progress=lambda message: self.stdout.write(message))
        self.stdout.write(self.style.SUCCESS(f"Name index rewritten for {done} referrals."))
