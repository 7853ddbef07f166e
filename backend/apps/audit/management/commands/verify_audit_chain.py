from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit hash chain; exit non-zero naming the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.valid:
            raise CommandError(
                f"Audit chain BROKEN at event sequence #{result.first_broken_sequence} "
                f"(id {result.first_broken_id}): {result.reason}. {result.checked} events verified before it."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain valid: {result.checked} events verified."))
