import datetime

from django.core.management.base import BaseCommand

from portal import deadlines


class Command(BaseCommand):
    help = "执行所有到期的时限处理（与 Celery beat 定时任务相同的代码）"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="以该日期为今天（YYYY-MM-DD）")

    def handle(self, *args, today=None, **options):
        for name, count in deadlines.run_all(today).items():
            self.stdout.write(f"{name}: {count}")
