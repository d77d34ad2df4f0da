from django.core.management.base import BaseCommand

from portal.audit_checkpoints import write_checkpoint


class Command(BaseCommand):
    help = "把审计链头的哈希、条数和时间签名后追加到库外的检查点文件（Celery beat 每日运行）"

    def handle(self, *args, **options):
        line = write_checkpoint()
        self.stdout.write(self.style.SUCCESS(
            f"已写入检查点：共 {line['count']} 条记录，最后一条 {line['last_id']}，链头 {line['head'][:16]}…"))
