"""Checkpoints of the audit chain kept outside the database [003 §18: 全程有记录、可追溯].

The hash chain and its head live in the same database, so whoever can write there can rewrite an
entry and recompute every hash after it; the chain alone would still verify. A checkpoint is the
head's hash, the number of entries and the last entry's id at one moment, signed (HMAC-SHA256) with
a key that is not in the database and appended to a file that is not either (and, optionally,
mailed away). A rewrite made after a checkpoint has to contradict it: the entry the checkpoint
names no longer has that hash, or the number of entries up to it changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.models import AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _key() -> bytes:
    """The signing key: AUDIT_CHECKPOINT_KEY from the environment, else a key file generated on
    first use, readable by the portal's user only."""
    if settings.AUDIT_CHECKPOINT_KEY:
        return settings.AUDIT_CHECKPOINT_KEY.encode()
    path = Path(settings.AUDIT_CHECKPOINT_KEY_FILE)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key


def _canonical(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sign(body: dict) -> str:
    return hmac.new(_key(), _canonical(body), hashlib.sha256).hexdigest()


def write_checkpoint() -> dict:
    """Append a signed checkpoint of the chain's head to AUDIT_CHECKPOINT_FILE and return it.

    The head row is locked while the head, the count and the last id are read, so the three
    describe the same moment."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        last = AuditEntry.objects.order_by("-id").only("id").first()
        body = {
            "head": head.last_hash,
            "count": AuditEntry.objects.count(),
            "last_id": last.pk if last else 0,
            "at": timezone.now().isoformat(),
        }
    line = {**body, "signature": _sign(body)}
    text = json.dumps(line, ensure_ascii=False, sort_keys=True)
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    if settings.AUDIT_CHECKPOINT_EMAIL:
        send_mail(f"审计链检查点 {body['at']}", text + "\n", None, [settings.AUDIT_CHECKPOINT_EMAIL])
    return line


@dataclass(frozen=True)
class Contradiction:
    """The first checkpoint the database no longer agrees with, and why."""

    number: int  # 1-based line of the checkpoint file
    at: str
    reason: str

    def __str__(self):
        return f"第 {self.number} 个检查点（{self.at or '时间不明'}）：{self.reason}"


def read_checkpoints() -> list[dict | None]:
    """Every line of the checkpoint file, None for a line that is not a JSON object."""
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    if not path.exists():
        return []
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            line = None
        lines.append(line if isinstance(line, dict) else None)
    return lines


def first_contradiction() -> Contradiction | None:
    """The first checkpoint that is forged (bad signature) or that the database contradicts."""
    for number, line in enumerate(read_checkpoints(), start=1):
        reason = _contradiction(line)
        if reason:
            at = line.get("at", "") if isinstance(line, dict) else ""
            return Contradiction(number, str(at), reason)
    return None


def _contradiction(line: dict | None) -> str:
    if line is None:
        return "无法读取"
    body = {k: line.get(k) for k in ("head", "count", "last_id", "at")}
    signature = str(line.get("signature", ""))
    if not hmac.compare_digest(_sign(body), signature):
        return "签名不符（检查点被伪造或改动）"
    last_id, count, head = body["last_id"], body["count"], body["head"]
    if last_id == 0:
        return "" if head == GENESIS and count == 0 else "检查点内容自相矛盾"
    entry = AuditEntry.objects.filter(pk=last_id).only("hash").first()
    if entry is None:
        return f"检查点记下的第 {last_id} 条记录已不存在"
    if entry.hash != head:
        return f"第 {last_id} 条记录的哈希与检查点记下的不同，其前的记录被改写过"
    now = AuditEntry.objects.filter(pk__lte=last_id).count()
    if now != count:
        return f"截至第 {last_id} 条记录，检查点记下 {count} 条，现有 {now} 条"
    return ""
