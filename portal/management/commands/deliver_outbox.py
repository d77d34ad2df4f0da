from django.core.management.base import BaseCommand

from portal.outbox import deliver_outbox


class Command(BaseCommand):
    help = "发送发件箱中待发送的邮件"

    def handle(self, *args, **options):
        self.stdout.write(f"sent: {deliver_outbox()}")
