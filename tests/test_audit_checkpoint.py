"""Checkpoints of the audit chain outside the database [003 §18: 全程有记录、可追溯]: a rewrite that
recomputes the whole chain and its head still contradicts the signed checkpoints written before it."""

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal.audit import record, verify_chain
from portal.audit_checkpoints import first_contradiction, write_checkpoint
from portal.models import AuditChainHead, AuditEntry
from tests.test_audit import behind_the_guard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "audit-checkpoint.key"
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.AUDIT_CHECKPOINT_EMAIL = ""


def _entries(world, n):
    return [record("filing.details", world.pudong_enterprise, actor=world.city, comment=f"第 {i} 步")
            for i in range(n)]


def _rewrite_and_recompute(entry_id, comment):
    """What someone with write access to the database can do: change an entry and recompute every
    hash after it and the chain's head, so that the chain alone verifies again."""
    with connection.cursor() as cursor:
        behind_the_guard(cursor)
        prev = None
        for entry in AuditEntry.objects.filter(pk__gte=entry_id).order_by("id"):
            if prev is not None:
                entry.prev_hash = prev
            if entry.pk == entry_id:
                entry.comment = comment
            entry.hash = prev = entry.compute_hash()
            cursor.execute("UPDATE portal_auditentry SET comment=%s, prev_hash=%s, hash=%s WHERE id=%s",
                           [entry.comment, entry.prev_hash, entry.hash, entry.pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def _lines(settings):
    return [json.loads(t) for t in settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()]


def test_a_checkpoint_records_the_head_count_and_last_id_signed(world, settings):
    entries = _entries(world, 3)
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    [line] = _lines(settings)
    assert line["head"] == entries[-1].hash == AuditChainHead.objects.get().last_hash
    assert line["count"] == AuditEntry.objects.count()
    assert line["last_id"] == entries[-1].pk
    assert line["at"] and len(line["signature"]) == 64
    assert "已写入检查点" in out.getvalue()


def test_checkpoints_are_appended_never_rewritten(world, settings):
    _entries(world, 1)
    first = write_checkpoint()
    _entries(world, 2)
    second = write_checkpoint()
    assert _lines(settings) == [first, second]
    assert second["count"] == first["count"] + 2


def test_the_key_file_is_made_on_first_use_readable_by_the_owner_only(world, settings):
    write_checkpoint()
    key_file = settings.AUDIT_CHECKPOINT_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    write_checkpoint()
    assert key_file.read_bytes() == key  # the same key signs every checkpoint
    assert first_contradiction() is None


def test_a_key_from_the_environment_is_used_and_no_key_file_is_made(world, settings):
    settings.AUDIT_CHECKPOINT_KEY = "a key kept in the environment"
    write_checkpoint()
    assert not settings.AUDIT_CHECKPOINT_KEY_FILE.exists()
    assert first_contradiction() is None
    settings.AUDIT_CHECKPOINT_KEY = "another key"
    assert "签名不符" in first_contradiction().reason


def test_a_checkpoint_is_mailed_when_an_address_is_configured(world, settings, mailoutbox):
    settings.AUDIT_CHECKPOINT_EMAIL = "audit@example.org"
    line = write_checkpoint()
    [mail] = mailoutbox
    assert mail.to == ["audit@example.org"]
    assert line["signature"] in mail.body


def test_a_rewritten_and_recomputed_chain_contradicts_the_checkpoint(world, settings):
    """[003 §18] The chain verifies after a full recompute; the checkpoint written before it does not."""
    entries = _entries(world, 4)
    write_checkpoint()
    _rewrite_and_recompute(entries[1].pk, "悄悄改过")
    assert verify_chain() is None  # the chain alone is fooled
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert "第 1 个检查点" in str(exc.value)
    assert f"第 {entries[-1].pk} 条记录的哈希与检查点记下的不同" in str(exc.value)


def test_verify_audit_names_the_first_checkpoint_a_rewrite_contradicts(world, settings):
    entries = _entries(world, 2)
    write_checkpoint()
    _entries(world, 2)
    write_checkpoint()
    _rewrite_and_recompute(entries[-1].pk + 1, "改写第三条")  # after checkpoint 1, before checkpoint 2
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert "第 2 个检查点" in str(exc.value)


def test_removing_entries_and_recomputing_contradicts_the_checkpoint(world, settings):
    entries = _entries(world, 3)
    write_checkpoint()
    with connection.cursor() as cursor:
        behind_the_guard(cursor).execute("DELETE FROM portal_auditentry WHERE id=%s", [entries[-1].pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=entries[-2].hash)
    assert verify_chain() is None
    assert "已不存在" in first_contradiction().reason


def test_a_forged_checkpoint_line_has_a_bad_signature(world, settings):
    _entries(world, 2)
    line = write_checkpoint()
    forged = {**line, "count": line["count"] - 1}
    with open(settings.AUDIT_CHECKPOINT_FILE, "a") as f:
        f.write(json.dumps(forged) + "\n")
    contradicted = first_contradiction()
    assert (contradicted.number, contradicted.reason) == (2, "签名不符（检查点被伪造或改动）")


def test_a_clean_chain_agrees_with_its_checkpoints(world, settings):
    write_checkpoint()  # an empty trail can be checkpointed too
    _entries(world, 2)
    write_checkpoint()
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "与 2 个检查点一致" in out.getvalue()


def test_celery_beat_writes_a_checkpoint_daily(world, settings):
    from portal.tasks import audit_checkpoint

    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == "portal.tasks.audit_checkpoint"
    assert entry["schedule"] == 24 * 60 * 60
    audit_checkpoint.delay()
    assert len(_lines(settings)) == 1
