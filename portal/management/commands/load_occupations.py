from django.core.management.base import BaseCommand

from portal.reference_data import load_occupations


class Command(BaseCommand):
    help = "从 CSV 载入职业分类（code,name,work_type,restricted,has_standard,edition）"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV 文件，默认 fixtures/occupations.csv")

    def handle(self, *args, path=None, **options):
        self.stdout.write(f"occupations: {load_occupations(path) if path else load_occupations()}")
