"""Recompute a draw from its published inputs: `manage.py verify_draw CQ20260001` prints OK or the
first difference [003 §21, docs/supervision-draw.md]."""

from django.core.management.base import BaseCommand, CommandError

from supervision.models.plans import Draw
from supervision.services.plans import verify_draw


class Command(BaseCommand):
    help = "重算一次双随机抽取并与记录的结果比对（输出 OK 或第一处差异）。"

    def add_arguments(self, parser):
        parser.add_argument("number", help="抽取编号，例如 CQ20260001")

    def handle(self, *args, number, **options):
        if number.upper().startswith("BD") or number.lower().startswith("batch:"):
            return self._spot_draw(number)
        draw = Draw.objects.filter(number=number).first()
        if draw is None:
            raise CommandError(f"没有编号为 {number} 的抽取。")
        diffs = verify_draw(draw)
        if diffs:
            raise CommandError(f"{draw.number} 不一致：{diffs[0]}")
        self.stdout.write(f"OK {draw.number}：{draw.algorithm} v{draw.algorithm_version}，"
                          f"候选 {len(draw.candidates)} 家，抽取 {draw.results.count()} 家，"
                          f"候选名单哈希 {draw.candidates_hash}")

    def _spot_draw(self, number):
        """A batch's spot-check team [003 §15(2)]: by its number (BD…) or its subject (batch:<pk>, the latest)."""
        from supervision.models.batch_oversight import BatchSpotDraw
        from supervision.services.batches import verify_spot_draw

        qs = BatchSpotDraw.objects.select_related("inspection")
        spot = (qs.filter(subject=number.lower()).order_by("-pk").first() if number.lower().startswith("batch:")
                else qs.filter(number=number.upper()).first())
        if spot is None:
            raise CommandError(f"没有编号为 {number} 的抽取。")
        diffs = verify_spot_draw(spot)
        if diffs:
            raise CommandError(f"{spot.number} 不一致：{diffs[0]}")
        self.stdout.write(f"OK {spot.number}：{spot.algorithm} v{spot.algorithm_version}，{spot.subject}，"
                          f"可抽 {len(spot.pool)} 名，回避 {len(spot.excluded)} 名，抽取 {len(spot.team)} 名")
