from django.core.management.base import BaseCommand

from portal.reference_data import load_regions


class Command(BaseCommand):
    help = "从 CSV 载入行政区划（code,name,level,parent_code），可用于任一省或市"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV 文件，默认 fixtures/regions/shanghai.csv")

    def handle(self, *args, path=None, **options):
        self.stdout.write(f"regions: {load_regions(path) if path else load_regions()}")
