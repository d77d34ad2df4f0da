from django.conf import settings
from django.db import models


class StoredFile(models.Model):
    """What the portal keeps about any uploaded file, besides the file itself: its name as uploaded,
    the content type judged from its bytes, size, SHA-256, who uploaded it and when. Files live
    outside any public path and are served only through permission-checked views."""

    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
