"""The audit trail [001 §4(1), 003 §18: 全程有记录、可追溯]: every entry says who did what, when,
from where and why; entries can only be appended, and a hash chain shows any edit made behind the
application's back."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from portal.audit import record, verify_chain
from portal.demo import DEMO_PASSWORD
from portal.models import AuditEntry
from portal.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db
GENESIS = "0" * 64


def behind_the_guard(cursor):
    """Write to the audit table as its owner would, past the PostgreSQL trigger (migration 0003):
    what someone with the database's keys can do, and what verify_audit must then catch. The
    ALTER is rolled back with the test's transaction."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER while foreign-key checks are pending
        cursor.execute("ALTER TABLE portal_auditentry DISABLE TRIGGER USER")
    return cursor


def test_record_keeps_actor_time_ip_and_comment(world):
    entry = record("filing.submit", world.pudong_enterprise, actor=world.pudong_clerk, comment="材料齐全，提交备案",
                   ip="10.1.2.3")
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == world.pudong_clerk
    assert entry.actor_label == str(world.pudong_clerk)
    assert entry.created_at is not None
    assert entry.ip == "10.1.2.3"
    assert entry.comment == "材料齐全，提交备案"
    assert entry.object_repr == "上海浦江电气有限公司"
    assert list(AuditEntry.for_object(world.pudong_enterprise)) == [entry]


def test_an_entry_without_an_actor_is_labelled_system(world):
    assert record("deadline.expire", world.pudong_enterprise).actor_label == "系统"


def test_the_ip_comes_from_the_request_without_being_passed(client, world):
    """Services deep below a view never pass the IP; the middleware remembers it (behind nginx on
    the same host, the address nginx puts in X-Forwarded-For)."""
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD},
                REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    login = AuditEntry.objects.filter(action="account.login").get()
    assert login.actor == world.city
    assert login.ip == "203.0.113.7"


def _login_ip(client, **meta) -> str:
    client.logout()
    client.post(reverse("login"), {"username": "city", "password": DEMO_PASSWORD}, **meta)
    return AuditEntry.objects.filter(action="account.login").latest("id").ip


def test_a_client_cannot_write_its_own_address_into_the_trail(client, world):
    """[003 §18]: a client that reaches the server directly is known by its own address, whatever it
    writes into X-Forwarded-For; behind our proxy, what the client wrote before the proxy's hop is
    not taken either."""
    assert _login_ip(client, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="10.9.9.9") == "198.51.100.20"
    assert _login_ip(client, REMOTE_ADDR="127.0.0.1",
                     HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.21") == "198.51.100.21"


def test_a_chain_of_our_own_proxies_is_walked_to_the_client(client, world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert _login_ip(client, REMOTE_ADDR="127.0.0.1",
                     HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.22, 10.0.0.5") == "198.51.100.22"


def test_behind_a_proxy_on_a_unix_socket_the_forwarded_address_is_taken(client, world):
    assert _login_ip(client, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.23") == "198.51.100.23"


def test_a_mangled_forwarded_header_changes_nothing_but_the_address(client, world):
    """A header that is not an address list neither breaks the sign-in nor lands in the trail
    (on PostgreSQL the trail's inet column would refuse it)."""
    assert _login_ip(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, x") == "127.0.0.1"
    assert AuditEntry.objects.filter(action="account.login").count() == 1


def test_each_entry_carries_the_previous_hash(world):
    a = record("filing.details", world.pudong_enterprise, actor=world.city)
    b = record("filing.scope", world.pudong_enterprise, actor=world.city)
    c = record("filing.pledge", world.pudong_enterprise, actor=world.city)
    first = AuditEntry.objects.order_by("id").first()
    assert first.prev_hash == GENESIS
    assert (b.prev_hash, c.prev_hash) == (a.hash, b.hash)
    assert len({a.hash, b.hash, c.hash}) == 3
    assert all(e.hash == e.compute_hash() for e in AuditEntry.objects.all())


class TestAppendOnly:
    def test_saving_an_existing_entry_raises(self, world):
        entry = record("filing.submit", world.pudong_enterprise, actor=world.city, comment="原意见")
        entry.comment = "改过的意见"
        with pytest.raises(AppendOnlyError):
            entry.save()
        assert AuditEntry.objects.get(pk=entry.pk).comment == "原意见"

    def test_queryset_update_raises(self, world):
        record("filing.submit", world.pudong_enterprise, actor=world.city, comment="原意见")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(action="filing.submit").update(comment="改过的意见")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().update(comment="改过的意见")
        assert AuditEntry.objects.get(action="filing.submit").comment == "原意见"

    def test_queryset_delete_raises(self, world):
        record("filing.submit", world.pudong_enterprise, actor=world.city)
        count = AuditEntry.objects.count()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(action="filing.submit").delete()
        assert AuditEntry.objects.count() == count

    def test_instance_delete_raises(self, world):
        entry = record("filing.submit", world.pudong_enterprise, actor=world.city)
        with pytest.raises(AppendOnlyError):
            entry.delete()
        assert AuditEntry.objects.filter(pk=entry.pk).exists()


class TestAdminIsReadOnly:
    def test_the_change_page_shows_the_entry_read_only(self, client, world):
        entry = record("filing.submit", world.pudong_enterprise, actor=world.city, comment="同意报送")
        client.force_login(world.admin)
        response = client.get(reverse("admin:portal_auditentry_change", args=[entry.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "同意报送" in page
        assert 'name="comment"' not in page  # no editable field
        assert 'name="_save"' not in page  # no save button
        assert "deletelink" not in page  # no delete link

    def test_posting_a_change_is_refused(self, client, world):
        entry = record("filing.submit", world.pudong_enterprise, actor=world.city, comment="同意报送")
        client.force_login(world.admin)
        response = client.post(reverse("admin:portal_auditentry_change", args=[entry.pk]), {"comment": "改过"})
        assert response.status_code == 403
        assert AuditEntry.objects.get(pk=entry.pk).comment == "同意报送"

    def test_the_delete_url_is_forbidden(self, client, world):
        entry = record("filing.submit", world.pudong_enterprise, actor=world.city)
        client.force_login(world.admin)
        url = reverse("admin:portal_auditentry_delete", args=[entry.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_there_is_no_add_page_and_no_bulk_delete(self, client, world):
        record("filing.submit", world.pudong_enterprise, actor=world.city)
        client.force_login(world.admin)
        assert client.get(reverse("admin:portal_auditentry_add")).status_code == 403
        changelist = client.get(reverse("admin:portal_auditentry_changelist")).content.decode()
        assert "delete_selected" not in changelist


class TestVerifyAudit:
    def test_a_clean_chain_is_reported_complete(self, world):
        for i in range(3):
            record("filing.details", world.pudong_enterprise, actor=world.city, comment=f"第 {i} 步")
        out = io.StringIO()
        call_command("verify_audit", stdout=out)
        assert "审计链完整" in out.getvalue()
        assert f"共 {AuditEntry.objects.count()} 条记录" in out.getvalue()

    def test_an_entry_edited_with_raw_sql_breaks_the_chain_at_that_entry(self, world):
        entries = [record("filing.details", world.pudong_enterprise, actor=world.city, comment=f"第 {i} 步")
                   for i in range(4)]
        tampered = entries[2]
        with connection.cursor() as cursor:
            behind_the_guard(cursor).execute("UPDATE portal_auditentry SET comment=%s WHERE id=%s", ["悄悄改过", tampered.pk])
        assert verify_chain().pk == tampered.pk
        with pytest.raises(CommandError) as exc:
            call_command("verify_audit")
        assert f"第 {tampered.pk} 条记录" in str(exc.value)

    def test_a_deleted_entry_breaks_the_chain(self, world):
        entries = [record("filing.details", world.pudong_enterprise, actor=world.city) for i in range(3)]
        with connection.cursor() as cursor:
            behind_the_guard(cursor).execute("DELETE FROM portal_auditentry WHERE id=%s", [entries[1].pk])
        assert verify_chain().pk == entries[2].pk

    def test_a_deleted_last_entry_breaks_the_chain(self, world):
        entries = [record("filing.details", world.pudong_enterprise, actor=world.city) for i in range(3)]
        with connection.cursor() as cursor:
            behind_the_guard(cursor).execute("DELETE FROM portal_auditentry WHERE id=%s", [entries[-1].pk])
        with pytest.raises(CommandError):
            call_command("verify_audit")


class TestOutcome:
    def test_an_entry_records_whether_the_action_succeeded_or_was_refused(self, world):
        """[003 §18] A refused action is on the record as refused, never as a success."""
        done = record("filing.submit", world.pudong_enterprise, actor=world.pudong_clerk)
        refused = record("filing.submit", world.pudong_enterprise, actor=world.pudong_clerk,
                         comment="材料不全", outcome="refused")
        assert AuditEntry.objects.get(pk=done.pk).outcome == "succeeded"
        assert AuditEntry.objects.get(pk=refused.pk).outcome == "refused"
        assert verify_chain() is None

    def test_an_unknown_outcome_is_refused(self, world):
        with pytest.raises(ValueError):
            record("filing.submit", world.pudong_enterprise, outcome="maybe")

    def test_the_outcome_is_hashed_so_a_refusal_cannot_be_turned_into_a_success(self, world):
        refused = record("filing.submit", world.pudong_enterprise, outcome="refused")
        with connection.cursor() as cursor:
            behind_the_guard(cursor).execute("UPDATE portal_auditentry SET outcome='succeeded' WHERE id=%s",
                                             [refused.pk])
        assert verify_chain().pk == refused.pk

    def test_entries_written_before_the_outcome_existed_keep_their_hash(self, world):
        """A success hashes exactly the fields hashed before the outcome was added."""
        import hashlib
        import json

        entry = AuditEntry.objects.get(pk=record("filing.submit", world.pudong_enterprise).pk)
        old_payload = [entry.prev_hash, entry.created_at.isoformat(), entry.actor_id, entry.actor_label,
                       entry.action, entry.content_type_id, entry.object_id, entry.object_repr,
                       entry.comment, entry.ip, entry.data]
        old_hash = hashlib.sha256(json.dumps(old_payload, ensure_ascii=False, sort_keys=True,
                                             separators=(",", ":"), default=str).encode()).hexdigest()
        assert entry.hash == old_hash


@pytest.mark.postgres
class TestDatabaseGuard:
    """On PostgreSQL the audit table itself refuses UPDATE, DELETE and TRUNCATE (migration 0003),
    whatever the SQL comes from."""

    def _refused(self, sql, params=()):
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        assert "审计记录只能追加" in str(exc.value)

    def test_update_is_refused(self, world):
        entry = record("filing.submit", world.pudong_enterprise, comment="原意见")
        self._refused("UPDATE portal_auditentry SET comment='改过' WHERE id=%s", [entry.pk])
        assert AuditEntry.objects.get(pk=entry.pk).comment == "原意见"

    def test_delete_is_refused(self, world):
        entry = record("filing.submit", world.pudong_enterprise)
        self._refused("DELETE FROM portal_auditentry WHERE id=%s", [entry.pk])
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_truncate_is_refused_unless_the_session_allows_it(self, world):
        """The test settings allow it for Django's flush; a session that does not is refused."""
        record("filing.submit", world.pudong_enterprise)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no TRUNCATE while foreign-key checks are pending
            cursor.execute("SET LOCAL portal.audit_truncate = 'off'")
        self._refused("TRUNCATE portal_auditentry")
        self._refused("TRUNCATE portal_user CASCADE")  # a cascade reaches the trail too
        assert AuditEntry.objects.exists()
