"""Load the shipped library (signposts, resources, packs) into the database.

Safe to run again at any time: nothing is duplicated, changed files become new versions,
and a load that was interrupted is completed by the next run.
"""

from django.core.management.base import BaseCommand, CommandError

from resources.library import LibraryError, load_library


class Command(BaseCommand):
    help = "Load or update the shared library of resources, packs and signposts."

    def handle(self, *args, **options):
        try:
            counts = load_library(say=lambda line: self.stdout.write(line))
        except LibraryError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                "Done: {signposts_new} signposts added, {signposts_changed} updated; "
                "{resources_new} resources added, {resources_changed} updated; "
                "{packs} packs in place.".format(**counts)
            )
        )
