from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """行政区划: province → city → district/county, keyed by the 6-digit division code.

    `path` is the chain of codes from the top ("310000/310115/"), so "everything within a region"
    is one indexed prefix match instead of a recursive query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地市级")
        DISTRICT = "district", _("区县级")

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
        super().save(*args, **kwargs)

    def contains(self, other: "Region | None") -> bool:
        return other is not None and other.path.startswith(self.path)

    def ancestor_paths(self) -> list[str]:
        """The paths of this region and every region above it ("310000/", "310000/310115/")."""
        codes = self.path.strip("/").split("/")
        return ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]

    @property
    def top_path(self) -> str:
        return self.path.split("/")[0] + "/"

    def subtree(self):
        return Region.objects.filter(path__startswith=self.path)
