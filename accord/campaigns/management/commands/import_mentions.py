from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.campaigns.mentions_csv import REQUIRED_COLUMNS, import_mentions_csv
from accord.campaigns.models import Campaign


class Command(BaseCommand):
    help = (
        "Import brand mentions from a CSV file. Columns: "
        f"{', '.join(REQUIRED_COLUMNS)} (required), external_id, campaign_id, campaign, url, title, "
        "sentiment, reach. Valid rows are imported (once per external_id); bad rows are reported by "
        "line and the command then exits with an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file (UTF-8, first line: column names)")
        parser.add_argument(
            "--campaign", type=int, help="file rows that name no campaign under this campaign id"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign_id = options["campaign"]
        if campaign_id is not None and not Campaign.objects.filter(pk=campaign_id).exists():
            raise CommandError(f"There is no campaign with id {campaign_id}.")
        try:
            with open(options["path"], encoding="utf-8-sig", newline="") as stream:
                result = import_mentions_csv(stream, campaign_id=campaign_id)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror or exc}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{options['path']} is not UTF-8 text ({exc.reason}); rows before that point were imported."
            ) from exc
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}" if line else message)
        self.stdout.write(
            f"{result.rows} row(s): {result.created} imported, {result.duplicates} already known, "
            f"{result.failed} with errors."
        )
        if result.errors:
            raise CommandError(f"{len(result.errors)} problem(s) found; the valid rows were imported.")
