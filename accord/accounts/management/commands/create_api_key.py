from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.accounts.actions import create_api_key
from accord.accounts.models import User


class Command(BaseCommand):
    help = "Create an API key for a user and print it once. Only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the key's owner")
        parser.add_argument("--name", default="cli", help="a label to recognise the key by")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['user']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive.")
        new = create_api_key(user, options["name"])
        self.stderr.write(f"API key {new.key.name!r} for {user.username} (shown once, store it now):")
        self.stdout.write(new.secret)
