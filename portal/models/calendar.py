from django.db import models


class WorkdayOverride(models.Model):
    """An administrator's word on one date; it wins over the State Council schedule in the library."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'} {self.note}".strip()
