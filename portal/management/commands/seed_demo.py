from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, seed_all


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）：区划、职业、政策参数、各角色账号、机构和各状态的备案"

    def handle(self, *args, **options):
        lines = seed_all()
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for line in lines:
            self.stdout.write("  " + line)
