from django.core.management.base import BaseCommand, CommandError

from films.importers.batch import FORMATS, import_files

PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = (
        "Imports films from scraped film pages, making-of pages and the project's JSON format. "
        "Each film is saved in its own transaction; importing the same files again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search")
        parser.add_argument("--title", help="the title of the film, when importing one film page")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, and write nothing"
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="auto", help="the format of every file"
        )

    def handle(self, *args, paths, title, dry_run, format, verbosity, **options):
        self.verbosity = verbosity
        reports = import_files(
            paths=paths, title=title, dry_run=dry_run, file_format=format, progress=self.progress
        )
        for report in reports:
            self.report(report, dry_run)
        failed = [report for report in reports if report.failed]
        if verbosity:
            self.summary(reports, failed, dry_run)
        if failed:
            raise CommandError(f"{len(failed)} of {len(reports)} files failed")

    def progress(self, stage, done, total):
        if (
            self.verbosity
            and total >= PROGRESS_EVERY
            and (done % PROGRESS_EVERY == 0 or done == total)
        ):
            verb = "read" if stage == "read" else "saved"
            self.stdout.write(f"{verb} {done} of {total} {'files' if stage == 'read' else 'films'}")

    def report(self, report, dry_run):
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        if not self.verbosity:
            return
        kind = f" ({report.format})" if report.format else ""
        if not report.films and not report.errors:
            self.stdout.write(f"{report.source}{kind}: no films")
        for result in report.films:
            outcome = (
                f"would be {result.outcome}"
                if dry_run and result.outcome != "unchanged"
                else result.outcome
            )
            changes = f" ({', '.join(result.changes)})" if result.changes else ""
            credits = "" if result.credits is None else f"{result.credits} credits, "
            self.stdout.write(
                f"{report.source}{kind}: {result} [{result.slug}] {outcome}{changes}; "
                f"{credits}{result.trivia} trivia"
            )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))

    def summary(self, reports, failed, dry_run):
        films = {}
        for report in reports:
            for result in report.films:
                films[result.slug] = result.outcome
        counts = {
            o: sum(1 for v in films.values() if v == o) for o in ("created", "updated", "unchanged")
        }
        warnings = sum(len(report.warnings) for report in reports)
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{len(reports)} files, {len(films)} films: {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged; "
            f"{warnings} warnings; {len(failed)} files failed"
        )
