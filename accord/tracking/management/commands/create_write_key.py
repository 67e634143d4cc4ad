from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.errors import ActionError
from accord.tracking.actions import create_write_key


class Command(BaseCommand):
    help = "Create a tracking write key and print it once. Only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="a label to recognise the key by, e.g. 'Website'")
        parser.add_argument(
            "--may-merge",
            action="store_true",
            help="server-side key: its identify/alias calls may merge two existing contacts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            new = create_write_key(options["name"], may_merge=options["may_merge"])
        except ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"Write key {new.key.name!r} (shown once, store it now):")
        self.stdout.write(new.secret)
