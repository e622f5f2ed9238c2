from django.core.management.base import CommandError

from films.importers.batch import FORMATS, import_files
from films.importers.text import printable
from films.management.base import DataCommand, OutputClosed

# Imports of this many files or more report their progress, ten times over.
PROGRESS_FROM = 20


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Command(DataCommand):
    help = (
        "Imports films from scraped film pages, making-of pages and the project's JSON format. "
        "Each film is saved in its own transaction; importing the same files again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search")
        parser.add_argument("--title", help="the film's title, when importing a single film page")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, and write nothing"
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="auto", help="read every file as this format"
        )

    def handle(self, *args, paths, title, dry_run, format, verbosity, **options):
        self.verbosity, self.dry_run = verbosity, dry_run
        self.saved = None  # (films saved, of how many) once saving began
        try:
            reports = import_files(
                paths=paths,
                title=title,
                dry_run=dry_run,
                file_format=format,
                progress=self.progress,
            )
        except OutputClosed:  # between two films: each is saved in its own transaction
            raise self.output_closed(self.stopped()) from None
        failed = [report for report in reports if report.failed]
        outcome = f"{len(failed)} of {_plural(len(reports), 'file')} failed"
        try:
            for report in reports:
                self.report(report, dry_run)
            if verbosity:
                self.summary(reports, failed, dry_run)
            self.stdout.flush()
        except BrokenPipeError:
            saved = "nothing was saved (a dry run)" if dry_run else "the films were saved"
            if failed:
                saved += f" but {outcome}"
            raise self.output_closed(saved, before_report=True) from None
        if failed:
            raise CommandError(outcome)

    def progress(self, stage, done, total):
        if stage == "save":
            self.saved = (done, total)
        step = max(1, total // 10)
        if self.verbosity and total >= PROGRESS_FROM and (done % step == 0 or done == total):
            what = "files read" if stage == "read" else "films saved"
            self.write_progress(f"{done} of {total} {what}")

    def stopped(self):
        """What an import stopped between two films leaves."""
        if self.saved is None:
            return "nothing was imported"
        if self.dry_run:
            return "nothing was saved (a dry run)"
        done, total = self.saved
        if done == total:
            return f"all {_plural(total, 'film')} were saved"
        return f"{done} of {_plural(total, 'film')} were saved, the others were not imported"

    def report(self, report, dry_run):
        # Names and messages quote the files: printed as escapes, their control characters
        # cannot drive the terminal.
        for error in report.errors:
            self.stderr.write(printable(f"error: {error}"))
        if not self.verbosity:
            return
        name = f"{report.source} ({report.format})" if report.format else report.source
        name = printable(name)
        if report.errors:
            errors = _plural(len(report.errors), "error")
            self.stdout.write(self.style.ERROR(f"{name}: failed ({errors})"))
        elif not report.films:
            self.stdout.write(f"{name}: no films")
        for result in report.films:
            outcome = result.outcome
            if dry_run and outcome != "unchanged":
                outcome = f"would be {outcome}"
            changes = f" ({', '.join(result.changes)})" if result.changes else ""
            counts = [] if result.credits is None else [_plural(result.credits, "credit")]
            counts.append(f"{result.trivia} trivia")
            self.stdout.write(
                printable(
                    f"{name}: {result} [{result.slug}] {outcome}{changes}; {', '.join(counts)}"
                )
            )
            for removed in result.removed:
                self.stdout.write(f"  {'would remove' if dry_run else 'removed'} {removed}")
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(printable(f"  warning: {warning}")))

    def summary(self, reports, failed, dry_run):
        outcomes = {result.slug: result.outcome for report in reports for result in report.films}
        counts = [
            f"{sum(1 for o in outcomes.values() if o == outcome)} {outcome}"
            for outcome in ("created", "updated", "unchanged")
        ]
        warnings = sum(len(report.warnings) for report in reports)
        self.stdout.write(
            f"{'Dry run, nothing written. ' if dry_run else ''}"
            f"{_plural(len(reports), 'file')}, {_plural(len(outcomes), 'film')}: "
            f"{', '.join(counts)}; {_plural(warnings, 'warning')}; {len(failed)} failed"
        )
