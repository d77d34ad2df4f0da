from django.core.management.base import BaseCommand, CommandError

from portal.audit import verify_chain
from portal.models import AuditEntry


class Command(BaseCommand):
    help = "核验审计记录的哈希链，指出第一条被篡改的记录"

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"审计链在第 {broken.pk} 条记录处断开：{broken}")
        self.stdout.write(self.style.SUCCESS(f"审计链完整，共 {AuditEntry.objects.count()} 条记录"))
