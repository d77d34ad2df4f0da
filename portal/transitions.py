"""One way of changing state for every state machine of the portal (STYLE 13, the Zulip `do_*` shape).

Filings, change requests and renewal assessments (and supervision's inspections, complaints and
batches after them) each declare a `Machine`: their model, their actions with the label a person
reads, the actions the system may take on its own (an explicit list, never "any method name"),
which actions need a comment, and their hooks. `perform(machine, ...)` then does, for all of them:

1. lock the object (`select_for_update` under a `lock_timeout`: a lock held too long becomes
   "busy, try again" for the person, as pretix's locking service does);
2. tell a person plainly when someone else already decided (the state moved, or the transition
   is no longer possible from here);
3. check the actor's permission on the object (the transition's `permission=`);
4. require a comment where the machine says so, and run the machine's own checks;
5. check the transition's conditions, refusing with the machine's reason (what is missing);
6. call the transition, save, write the audit entry (an action of the vocabulary,
   `portal.audit_actions`), and notify the parties (inbox rows now, e-mail after commit).

A refusal changes nothing: it is raised inside the transaction, which rolls back; a person's
refused attempt is then recorded with the outcome `refused` (ASVS 7.2), and histories read only
what succeeded. Before a person acts, an overdue time limit of the object is settled first
(`TimeLimits`), so a deadline holds whether or not the sweep has run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_fsm import ConcurrentTransition, can_proceed

from portal import audit_actions
from portal.audit import record
from portal.text import clean_text


ONE_DAY = datetime.timedelta(days=1)


class TimeLimits:
    """A model whose time limits end in a transition of the system's (deemed acceptance, abandonment,
    the end of a notice). `TIME_LIMITS` lists (system action, state, due-date field); the deadline
    sweep finds what is due from the same list, and a person's action meets the rule first
    (`perform` settles what is overdue), so a limit holds at the moment someone acts, whether or
    not the sweep has run yet."""

    TIME_LIMITS: tuple[tuple[str, str, str], ...] = ()

    def overdue_action(self, today: datetime.date) -> tuple[str, datetime.date] | None:
        """The system action whose limit has passed, with the day it took effect (the day after
        the last day of the limit), or None."""
        for action, state, field_name in self.TIME_LIMITS:
            due = getattr(self, field_name)
            if self.state == state and due is not None and due < today:
                return action, due + ONE_DAY
        return None

    @classmethod
    def overdue_filter(cls, action: str, today: datetime.date) -> dict:
        """The same rule as a queryset filter, for the sweep."""
        for name, state, field_name in cls.TIME_LIMITS:
            if name == action:
                return {"state": state, f"{field_name}__lt": today}
        raise KeyError(action)


class TransitionRefused(Exception):
    """A user-facing refusal, in the reader's language (Chinese by default), that changes nothing."""


class AlreadyDecided(TransitionRefused):
    """Someone else moved the object first."""


class Busy(TransitionRefused):
    """Another person holds the object's lock right now; trying again in a moment will do."""


# Every machine declared, in the order the apps declare them (for the vocabulary test and the docs).
MACHINES: list[Machine] = []

# How long a person's action waits for another's lock before being told to try again.
LOCK_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Machine:
    """What one state machine tells the shared machinery about itself."""

    model: type[Model]
    audit_prefix: str  # "filing" → audit actions "filing.accept", …
    noun: Promise | str  # "该备案", for the messages a person reads
    actions: dict[str, Promise | str]  # what a person may press, with the button's label
    system_actions: frozenset[str] = frozenset()  # what the system (actor=None) may do: the sweep, outcomes
    comment_required: frozenset[str] = frozenset()
    select_related: tuple[str, ...] = ()
    passes_today: bool = True  # whether the transition methods take `today`
    # Why the conditions refuse `action` on `obj` (what is missing); a plain refusal by default.
    refusal: Callable[[Model, str, datetime.date], str] | None = None
    # Called on the locked object before any check: lock whatever else the transition changes.
    prepare: Callable[[Model], None] | None = None
    # Further checks before the conditions, raising TransitionRefused (e.g. a deadline).
    check: Callable[[Model, str, object, datetime.date], None] | None = None
    # Effects inside the transaction, after the transition and before the save and audit.
    effects: Callable[[Model, str, str, object, str, datetime.date], None] | None = None
    # Effects after the save and the audit entry (e.g. what a renewal result does to the filing).
    after_save: Callable[[Model, str, str, object, datetime.date], None] | None = None
    # Who hears of the change: called with (obj, before, comment) in the portal's language.
    notify: Callable[[Model, str, str], None] | None = None
    # Extra audit data: called with (obj, action, before).
    audit_data: Callable[[Model, str, str], dict] | None = None
    state_field: str = "state"
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        MACHINES.append(self)

    def audit_action(self, action: str) -> str:
        return f"{self.audit_prefix}.{action}"

    def state_label(self, state: str) -> str:
        f = self.model._meta.get_field(self.state_field)
        return str(dict(f.flatchoices).get(state, state))

    def transition_names(self) -> set[str]:
        """Every transition method of the model (django-fsm's registry), for the vocabulary test."""
        f = self.model._meta.get_field(self.state_field)
        return {t.name for t in f.get_all_transitions(self.model)}

    def register_audit_actions(self, labels: dict[str, Promise | str] | None = None) -> None:
        """Every transition gets an audit action: the person's label, or one given for the system's."""
        labels = {**self.actions, **(labels or {})}
        audit_actions.register({self.audit_action(name): label for name, label in labels.items()})


def may(method, user) -> bool:
    """The transition's permission on the object alone. django-fsm's `has_transition_perm` also
    checks the conditions, which would turn "incomplete" into "forbidden" instead of a refusal
    that lists what is missing."""
    meta, instance = method._django_fsm, method.__self__
    return meta.has_transition_perm(instance, meta.field.get_state(instance), user)


def available_actions(machine: Machine, obj: Model, user, *, among: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The buttons `user` may press on `obj` now (permission and source state; the conditions are
    checked on submit, so that the refusal can say what is missing)."""
    out = []
    for name in among if among is not None else machine.actions:
        method = getattr(obj, name)
        if can_proceed(method, check_conditions=False) and may(method, user):
            out.append((name, machine.actions[name]))
    return out


def lock(machine: Machine, pk) -> Model:
    """The object, locked for this transaction. Waits at most LOCK_TIMEOUT_MS for another person's
    lock (PostgreSQL's `lock_timeout`; SQLite serialises writers with its busy timeout), then
    tells the person to try again."""
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_MS)}")
        qs = machine.model.objects.select_for_update()
        if machine.select_related:
            qs = qs.select_related(*machine.select_related)
        return qs.get(pk=pk)
    except OperationalError as exc:
        if "lock" in str(exc).lower():
            raise Busy(_("%(noun)s正由他人处理，请稍后再试。") % {"noun": machine.noun}) from exc
        raise


def perform(machine: Machine, *, pk, action: str, actor=None, comment: str = "",
            today: datetime.date | None = None, expected_state: str | None = None) -> Model:
    """Carry out one transition. `actor=None` is the system, which may only take the machine's
    `system_actions`; a person may only take its `actions`, with their permission checked on the
    object. `expected_state` is the state the person saw when deciding: if the object moved since,
    they are told plainly that someone else already decided."""
    if (action not in machine.system_actions) if actor is None else (action not in machine.actions):
        raise PermissionDenied
    today = today or timezone.localdate()
    comment = person_text(comment)
    settled = settle_overdue(machine, pk, today) if actor is not None else None
    try:
        return _perform(machine, pk=pk, action=action, actor=actor, comment=comment, today=today,
                        expected_state=expected_state, settled=settled)
    except (TransitionRefused, PermissionDenied) as exc:
        if actor is not None:
            _record_refusal(machine, pk, action, actor, exc)
        raise


def _record_refusal(machine: Machine, pk, action: str, actor, exc: Exception) -> None:
    """A person's refused attempt is on the record too (ASVS 7.2), written after the rollback of the
    attempt itself: outcome `refused`, with the reason the person was given."""
    if isinstance(exc, Busy):
        return  # nothing was refused: the person is asked to try again, and waiting here would not help
    code = machine.audit_action(action)
    obj = machine.model.objects.filter(pk=pk).first()
    if obj is None or not audit_actions.is_registered(code):
        return
    reason = str(exc) if isinstance(exc, TransitionRefused) else str(_("无权进行此操作"))
    record(code, obj, actor=actor, comment=reason, outcome="refused", data={"refused": True})


def _perform(machine: Machine, *, pk, action: str, actor, comment: str, today: datetime.date,
             expected_state: str | None, settled: str | None) -> Model:
    try:
        with transaction.atomic():
            obj = lock(machine, pk)
            if machine.prepare:
                machine.prepare(obj)
            method = getattr(obj, action)
            state = getattr(obj, machine.state_field)
            if settled and settled != action:
                raise TransitionRefused(_("已超过办理时限，系统已按规定处理（%(what)s），您的操作未执行。")
                                        % {"what": audit_actions.label(machine.audit_action(settled))})
            if expected_state and state != expected_state:
                raise AlreadyDecided(_("%(noun)s已由他人处理，当前状态为“%(state)s”，您的操作未执行。")
                                     % {"noun": machine.noun, "state": machine.state_label(state)})
            if not can_proceed(method, check_conditions=False):
                raise AlreadyDecided(_("%(noun)s已由他人处理，当前状态为“%(state)s”，不能%(action)s。")
                                     % {"noun": machine.noun, "state": machine.state_label(state),
                                        "action": machine.actions.get(action, _("进行此操作"))})
            if actor is not None and not may(method, actor):
                raise PermissionDenied
            if action in machine.comment_required and not comment:
                raise TransitionRefused(_("此操作须填写意见或理由。"))
            if machine.check:
                machine.check(obj, action, actor, today)
            if not can_proceed(method):
                reason = machine.refusal(obj, action, today) if machine.refusal else ""
                raise TransitionRefused(reason or _("当前条件下不能进行此操作。"))
            return apply(machine, obj, action, actor=actor, comment=comment, today=today)
    except ConcurrentTransition as exc:
        raise AlreadyDecided(_("%(noun)s已由他人处理，您的操作未执行，请刷新后查看。") % {"noun": machine.noun}) from exc
    except OperationalError as exc:
        # The lock timeout holds for the whole transaction: a long wait on anything it locks later
        # (the audit chain's head during a large sweep) is "busy" too, never a server error.
        if "lock" in str(exc).lower():
            raise Busy(_("%(noun)s正由他人处理，请稍后再试。") % {"noun": machine.noun}) from exc
        raise


def person_text(value: str | None) -> str:
    """A comment or reason a person typed: NFC, stripped, and refused (changing nothing) if it
    carries invisible or direction-control characters, with the reason in plain words."""
    try:
        return clean_text((value or "").strip(), multiline=True)
    except ValidationError as exc:
        raise TransitionRefused("；".join(exc.messages)) from exc


def settle_overdue(machine: Machine, pk, today: datetime.date) -> str | None:
    """Before a person acts: if a time limit of the object has passed and the sweep has not run
    yet, take the system's transition now, in its own transaction (it stands whatever the person's
    action then does), dated the day it took effect. Returns the action taken, or None."""
    if not issubclass(machine.model, TimeLimits):
        return None
    with transaction.atomic():
        obj = lock(machine, pk)
        overdue = obj.overdue_action(today)
        if overdue is None:
            return None
        action, effective = overdue
        if action not in machine.system_actions or not can_proceed(getattr(obj, action)):
            return None  # e.g. a notice with an objection pending does not end by itself
        apply(machine, obj, action, actor=None, today=effective,
              comment=_("时限届满（%(date)s），系统自动处理") % {"date": f"{effective:%Y-%m-%d}"})
    return action


def apply(machine: Machine, obj: Model, action: str, *, actor=None, comment: str = "",
          today: datetime.date | None = None) -> Model:
    """Call one transition on an object the caller holds locked (inside its transaction), then save,
    audit and notify. `perform` ends here; a multi-object action that already holds the lock (a
    renewal result suspending its filing) calls it directly."""
    today = today or timezone.localdate()
    before = getattr(obj, machine.state_field)
    method = getattr(obj, action)
    method(today) if machine.passes_today else method()
    if comment and hasattr(obj, "last_comment"):
        obj.last_comment = comment
    if machine.effects:
        machine.effects(obj, action, before, actor, comment, today)
    obj.save()
    data = {"from": before, "to": getattr(obj, machine.state_field)}
    if machine.audit_data:
        data.update(machine.audit_data(obj, action, before))
    record(machine.audit_action(action), obj, actor=actor, comment=comment, data=data)
    if machine.after_save:
        machine.after_save(obj, action, before, actor, today)
    if machine.notify:
        with override(settings.LANGUAGE_CODE):  # stored messages are in the portal's language
            machine.notify(obj, before, comment)
    return obj


def require_system_action(machine: Machine, action: str) -> None:
    """The sweep's batch transitions obey the same list as `perform(actor=None)`."""
    if action not in machine.system_actions:
        raise PermissionDenied
