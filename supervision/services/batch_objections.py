"""异议 to a batch's result notice [003 §15(3)]: taken on the public page while the publicity runs,
tracked as a notice objection is (a number, a secret code shown once, a status page with the
written reply), answered by the agency or the authority that manages its filing.

Where the notices are silent (docs/batches.md): a pending objection holds the result report
(`EvaluationBatch.report` refuses), and upholding one changes no verdict by itself — the reply says
what the agency corrected; the publicised verdicts stand unless the batch goes back through review."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import record
from portal.models import Role, User
from portal.notifications import notify
from portal.transitions import TransitionRefused
from supervision.models.batch_oversight import BatchObjection
from supervision.models.batches import EvaluationBatch
from supervision.permissions import batches as perm
from supervision.services.complaints import CODE_ALPHABET

O = BatchObjection.State

__all__ = ["answer_objection", "file_objection", "find_by_code", "NUMBER_PREFIX"]

NUMBER_PREFIX = "PY"


def _new_number(today: datetime.date) -> str:
    """Not guessable: the date and ten random characters (no sequence to walk)."""
    return f"{NUMBER_PREFIX}{today:%Y%m%d}{''.join(secrets.choice(CODE_ALPHABET) for _i in range(10))}"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))


def _answerers(batch: EvaluationBatch) -> list[User]:
    """The agency's people and the managing authority: who is told of an objection and may answer."""
    users = User.objects.filter(Q(role=Role.AGENCY, agency_id=batch.agency_id) | Q(role__in=(Role.DISTRICT, Role.CITY)),
                                is_active=True).select_related("region")
    return [u for u in users if perm.may_answer_objection(batch, u)]


def _refused(exc: ValidationError) -> TransitionRefused:
    messages = []
    for field, errors in getattr(exc, "message_dict", {"": exc.messages}).items():
        label = str(BatchObjection._meta.get_field(field).verbose_name) if field else ""
        messages += [f"{label}：{m}" if label else m for m in errors]
    return TransitionRefused("；".join(messages))


def file_objection(*, batch_id: int, name: str, contact: str, text: str, evidence=None,
                   today: datetime.date | None = None) -> tuple[BatchObjection, str]:
    """Anyone may object while the result publicity runs [003 §15(3)]; the same checks as a notice
    objection (name, contact, text; evidence checked as every upload, PDF/JPG/PNG only). Returns the
    objection and its access code, which is shown once and kept only hashed."""
    from filings.forms.review import check_evidence

    today = today or timezone.localdate()
    with transaction.atomic():
        batch = EvaluationBatch.objects.select_for_update().select_related("agency", "filing__region").get(pk=batch_id)
        if not batch.open_for_objection(today):
            raise TransitionRefused(_("该批次的结果公示期已结束，不再受理异议。"))
        code = _new_code()
        objection = BatchObjection(batch=batch, name=(name or "").strip(), contact=(contact or "").strip(),
                                   text=(text or "").strip(), access_code_hash=make_password(code),
                                   number=_new_number(today))
        try:
            objection.full_clean(exclude=["batch", "evidence", "state", "number", "access_code_hash"])
            if evidence:
                check_evidence(evidence)
        except ValidationError as exc:
            raise _refused(exc) from exc
        if evidence:
            objection.evidence = evidence
            objection.evidence_name = (evidence.name or "")[:200]
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    objection.save()
                break
            except IntegrityError:
                objection.pk, objection.number = None, _new_number(today)
        else:
            raise TransitionRefused(_("编号生成冲突，请稍后再试。"))
        record("batch.objection", batch, comment=objection.text[:500],
               data={"objection": objection.pk, "number": objection.number})
        notify(_answerers(batch), subject=f"认定结果公示收到异议：{batch.number} {batch.title}",
               body=_("请在结果报备前书面答复（受理编号 %(n)s）[003 §15(3)]") % {"n": objection.number},
               url=f"/supervision/batches/{batch.pk}/#objections")
    return objection, code


def answer_objection(*, objection_id: int, actor, upheld: bool, reply: str,
                     today: datetime.date | None = None) -> BatchObjection:
    """书面答复 by the agency or the managing authority [003 §15(3)]: once, with a written reply the
    objector reads on the status page (and by e-mail when the contact is an address)."""
    from supervision.services.batches import _text

    with transaction.atomic():
        objection = BatchObjection.objects.select_for_update().select_related(
            "batch__agency", "batch__filing__region").get(pk=objection_id)
        batch = objection.batch
        if actor is None or not perm.may_answer_objection(batch, actor):
            raise PermissionDenied
        if objection.state != O.PENDING:
            raise TransitionRefused(_("该异议已答复：%(s)s。") % {"s": objection.get_state_display()})
        objection.reply = _text(reply, _("书面答复"), multiline=True)
        objection.state = O.UPHELD if upheld else O.DISMISSED
        objection.answered_by, objection.answered_at = actor, timezone.now()
        objection.save(update_fields=["reply", "state", "answered_by", "answered_at"])
        record("batch.objection_answer", batch, actor=actor, comment=objection.reply[:500],
               data={"objection": objection.pk, "number": objection.number, "result": objection.state})
        others = [u for u in _answerers(batch) if u.pk != actor.pk]
        notify(others, subject=f"认定结果公示异议已答复：{objection.number}（{objection.get_state_display()}）",
               body=objection.reply[:500], url=f"/supervision/batches/{batch.pk}/#objections")
        if "@" in objection.contact:
            address, subject = objection.contact, f"您对认定结果公示的异议已答复：{objection.number}"
            body = f"{batch.agency.name} {batch.title}\n{objection.get_state_display()}\n\n{objection.reply}"

            def send():
                try:
                    send_mail(subject, body, None, [address])
                except OSError:  # the reply is on the status page anyway
                    pass
            transaction.on_commit(send)
    return objection


def find_by_code(number: str, code: str) -> BatchObjection | None:
    """The objection with this number if the code is right; None for an unknown number and a wrong
    code alike. A hash is checked even for an unknown number so that the answer takes as long."""
    row = BatchObjection.objects.select_related("batch__agency").filter(number=(number or "").strip().upper()).first()
    if row is None:
        make_password(code or "x")
        return None
    return row if row.check_code(code or "") else None
