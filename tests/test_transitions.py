"""The shared transition machinery (portal/transitions.py) and the audit vocabulary
(portal/audit_actions.py) [003 §18: 全程有记录、可追溯]."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django_fsm import FSMField

from filings import services
from filings.choices import FilingState as S
from filings.models import Filing
from portal import audit_actions, transitions
from portal.audit import record
from portal.models import AuditEntry, Notification


def _fsm_models():
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, FSMField):
                yield model, f


def test_every_state_machine_of_every_app_uses_the_shared_machinery():
    """STYLE 13: each model with a state field has one `Machine`, so it locks, checks, audits and
    notifies the same way as the others."""
    machined = {m.model for m in transitions.MACHINES}
    missing = [model.__name__ for model, _ in _fsm_models() if model not in machined]
    assert not missing, f"state machines without a transitions.Machine: {missing}"


def test_every_transition_of_every_state_machine_has_an_audit_action_with_a_label():
    """[003 §18] No raw `filing.accept` reaches a screen: every transition's audit action is in the
    vocabulary, with a label that is not the fallback."""
    unlabelled = []
    for machine in transitions.MACHINES:
        for name in machine.transition_names():
            code = machine.audit_action(name)
            if not audit_actions.is_registered(code) or audit_actions.label(code) == "其他操作":
                unlabelled.append(code)
    assert not unlabelled, f"transitions without an audit label: {sorted(unlabelled)}"
    assert len(transitions.MACHINES) >= 3


def test_every_audit_action_written_anywhere_in_the_code_is_in_the_vocabulary():
    """A literal `record("x.y", …)` in the code names a registered action."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    pattern = re.compile(r"""record\(\s*"([a-z_.]+)"|Event\(\s*"([a-z_.]+)\"""")
    unknown = set()
    for app in ("portal", "filings", "assessments", "supervision"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                code = match.group(1) or match.group(2)
                if not audit_actions.is_registered(code):
                    unknown.add(f"{path.relative_to(root)}: {code}")
    assert not unknown, sorted(unknown)


def test_an_unregistered_audit_action_is_refused(db):
    with pytest.raises(audit_actions.UnknownAuditAction):
        record("filing.teleport")
    assert not AuditEntry.objects.exists()


def test_the_system_may_take_only_its_listed_actions(world):
    """The sweep's list is explicit: the system never accepts, refuses or cancels a filing by itself
    [002 §10, 003 §22]; a refusal writes nothing."""
    filing = world.filing(state=S.SUBMITTED)
    entries, messages = AuditEntry.objects.count(), Notification.objects.count()
    for action in ("accept", "refuse_acceptance", "cancel", "teleport"):
        with pytest.raises(PermissionDenied):
            services.perform(filing_id=filing.pk, action=action, actor=None, comment="x")
    filing.refresh_from_db()
    assert filing.state == S.SUBMITTED
    assert AuditEntry.objects.count() == entries and Notification.objects.count() == messages
    with pytest.raises(PermissionDenied):
        services.perform_batch(action="accept", filing_ids=[filing.pk], today=filing.acceptance_due)


def test_a_person_cannot_take_a_system_action(world):
    """[002 §10] Deemed acceptance is the system's, not a button."""
    filing = world.filing(state=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.perform(filing_id=filing.pk, action="deem_accepted", actor=world.city)


def test_the_timeline_shows_labels_not_codes(world, client):
    """[003 §18] The history reads 受理, 注销备案 …, never `filing.accept`."""
    filing = world.filing(state=S.ACTIVE)
    services.change_in_force(filing_id=filing.pk, action="cancel", actor=world.city, comment="自愿注销 [003 §22(1)]")
    client.force_login(world.city)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "注销备案" in page
    assert "filing.cancel" not in page and "filing.accept" not in page


def test_each_message_carries_the_words_of_its_own_step(world):
    """A notification's body is the comment of the step it reports, not an older one."""
    filing = world.filing(state=S.ACTIVE)
    services.change_in_force(filing_id=filing.pk, action="suspend", actor=world.city, comment="暂停：违规收费")
    services.change_in_force(filing_id=filing.pk, action="resume", actor=world.city, comment="整改完成，恢复")
    latest = Notification.objects.order_by("-id").first()
    assert latest.body == "整改完成，恢复" and "恢复" not in Notification.objects.order_by("id").first().body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lock_held_too_long_becomes_busy_try_again(world, monkeypatch):
    """STYLE 14: a person waiting on another's lock is told to try again, and nothing changes."""
    import threading

    from django.db import connections, transaction

    filing = world.filing(state=S.ACTIVE)
    monkeypatch.setattr(transitions, "LOCK_TIMEOUT_MS", 300)
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Filing.objects.select_for_update().get(pk=filing.pk)
            held.set()
            release.wait(10)
        connections.close_all()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(10)
        with pytest.raises(transitions.Busy, match="稍后再试"):
            services.change_in_force(filing_id=filing.pk, action="suspend", actor=world.city, comment="暂停")
    finally:
        release.set()
        t.join(10)
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE


def test_a_comment_with_a_direction_control_character_is_refused_and_changes_nothing(world):
    """[issue 11 §4] Every free text a person gives a transition is cleaned on the service path too."""
    filing = world.filing(state=S.ACTIVE)
    entries = AuditEntry.objects.count()
    with pytest.raises(transitions.TransitionRefused, match="U\\+202E"):
        services.change_in_force(filing_id=filing.pk, action="suspend", actor=world.city, comment="暂停\u202e评价")
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE and AuditEntry.objects.filter(outcome="succeeded").count() == entries


def test_a_persons_refused_attempt_is_recorded_as_refused_and_left_out_of_the_history(world, client):
    """[003 §18, ASVS 7.2] Who tried what and why it was refused is on the record; the filing's
    history shows only what happened."""
    filing = world.filing(state=S.ACTIVE)
    with pytest.raises(transitions.TransitionRefused):
        services.change_in_force(filing_id=filing.pk, action="suspend", actor=world.city)  # no reasons
    entry = AuditEntry.for_object(filing).get(action="filing.suspend")
    assert entry.outcome == "refused" and entry.actor == world.city and "意见或理由" in entry.comment
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.change_in_force(filing_id=filing.pk, action="cancel", actor=world.pudong_reviewer, comment="拟注销")
    assert AuditEntry.for_object(filing).filter(action="filing.cancel", outcome="refused",
                                                actor=world.pudong_reviewer).exists()
    client.force_login(world.city)
    page = client.get(f"/filings/{filing.pk}/").content.decode()
    assert "暂停运作" not in page.split("办理记录")[-1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_wait_on_the_audit_chain_is_busy_too_not_a_server_error(world, monkeypatch):
    """STYLE 14: the lock timeout holds for the whole transaction; a sweep holding the chain's head
    makes a person's action "busy, try again", and nothing changes."""
    import threading

    from django.db import connections, transaction

    from portal.models import AuditChainHead

    filing = world.filing(state=S.ACTIVE)
    monkeypatch.setattr(transitions, "LOCK_TIMEOUT_MS", 300)
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            AuditChainHead.objects.select_for_update().get(pk=1)
            held.set()
            release.wait(10)
        connections.close_all()

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert held.wait(10)
        with pytest.raises(transitions.Busy):
            services.change_in_force(filing_id=filing.pk, action="suspend", actor=world.city, comment="暂停")
    finally:
        release.set()
        t.join(10)
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
