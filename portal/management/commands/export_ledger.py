"""`python manage.py export_ledger NAME --user USERNAME -o FILE.xlsx` — the same ledger a person
exports from a page, for a bureau's nightly archive [SPEC §9]: scoped to USERNAME, audited."""

from django.core.management.base import BaseCommand, CommandError

from portal import ledgers
from portal.models import User


class Command(BaseCommand):
    help = "导出台账（Excel），范围为指定用户可见的数据：export_ledger NAME --user USERNAME -o FILE.xlsx"

    def add_arguments(self, parser):
        ledgers.discover()
        parser.add_argument("name", help="台账：" + " ".join(ledger.name for ledger in ledgers.all_ledgers()))
        parser.add_argument("--user", required=True, help="以该用户的身份和数据范围导出")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")
        parser.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                            help="与列表页相同的筛选条件，可多次给出，例如 --filter state=active")

    def handle(self, *args, name, user, output, filter, **options):
        ledger = ledgers.get(name)
        if ledger is None:
            known = "、".join(ledger.name for ledger in ledgers.all_ledgers())
            raise CommandError(f"没有名为“{name}”的台账。可用：{known}")
        try:
            person = User.objects.select_related("region", "industry_department").get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"没有用户“{user}”。") from None
        if not ledger.allowed(person):
            raise CommandError(f"用户“{user}”无权导出{ledger.title}。")
        filters = {}
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep or key not in ledger.filter_names:
                raise CommandError(f"筛选条件“{item}”无效；{ledger.name} 可用：{', '.join(ledger.filter_names) or '无'}")
            filters[key] = value
        rows = ledgers.export(ledger, person, filters, output, via="command")
        self.stdout.write(f"{ledger.title}：{rows} 行 → {output}")
