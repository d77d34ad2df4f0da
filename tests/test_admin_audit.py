"""Every change made in the admin is audited with the fields it changed, before and after [003 §18:
全程有记录、可追溯]; policy values stay within the notices' bounds; models driven by transitions
are read-only in the admin."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django_fsm import FSMField

from portal.admin_audit import AuditedModelAdmin, ViewOnlyModelAdmin
from portal.demo import DEMO_PASSWORD
from portal.models import AuditEntry, PolicyProfile, WorkdayOverride
from portal.policy_presets import PRESETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.login(username="admin", password=DEMO_PASSWORD)
    return client


def _form_values(form, data):
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)


def change_form_data(world, obj, **changes) -> dict:
    """The admin's change form for `obj` (and its inlines) as the browser would post it, with
    `changes` applied."""
    request = RequestFactory().get("/")
    request.user = world.admin
    model_admin = admin.site._registry[type(obj)]
    data = {}
    _form_values(model_admin.get_form(request, obj, change=True)(instance=obj), data)
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        formset = formset(instance=obj, prefix=_inline.get_formset(request, obj).get_default_prefix())
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        data[management.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            _form_values(form, data)
    data.update(changes)
    return data


def admin_entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


class TestChangesAreAudited:
    def test_renaming_an_agency_records_the_name_before_and_after(self, admin_client, world):
        agency = world.pudong_enterprise
        url = reverse("admin:filings_agency_change", args=[agency.pk])
        response = admin_client.post(url, change_form_data(world, agency, name="上海浦江电气股份有限公司"))
        assert response.status_code == 302, response.content.decode()[:2000]
        [entry] = admin_entries("admin.change")
        assert entry.actor == world.admin
        assert entry.object_id == str(agency.pk)
        assert entry.data == {"changed": {"name": ["上海浦江电气有限公司", "上海浦江电气股份有限公司"]}}

    def test_a_save_that_changes_nothing_writes_nothing(self, admin_client, world):
        agency = world.pudong_enterprise
        admin_client.post(reverse("admin:filings_agency_change", args=[agency.pk]), change_form_data(world, agency))
        assert admin_entries("admin.change") == []

    def test_a_foreign_key_is_recorded_as_its_id_and_name(self, admin_client, world):
        agency = world.pudong_enterprise
        admin_client.post(reverse("admin:filings_agency_change", args=[agency.pk]),
                          change_form_data(world, agency, region=str(world.xuhui.pk)))
        [entry] = admin_entries("admin.change")
        assert entry.data["changed"]["region"] == [[world.pudong.pk, str(world.pudong)],
                                                   [world.xuhui.pk, str(world.xuhui)]]

    def test_adding_and_deleting_are_recorded_with_their_values(self, admin_client, world):
        admin_client.post(reverse("admin:portal_workdayoverride_add"),
                          {"date": "2031-10-08", "is_workday": "on", "note": "调休上班"})
        override = WorkdayOverride.objects.get(date="2031-10-08")
        [added] = admin_entries("admin.add")
        assert added.data["changed"]["date"] == [None, "2031-10-08"]  # dates as ISO strings
        assert added.data["changed"]["is_workday"] == [None, True]
        admin_client.post(reverse("admin:portal_workdayoverride_delete", args=[override.pk]), {"post": "yes"})
        [deleted] = admin_entries("admin.delete")
        assert deleted.object_id == str(override.pk)
        assert deleted.data["deleted"]["note"] == "调休上班"

    def test_a_bulk_delete_records_each_object_and_no_extra_action(self, admin_client, world):
        days = [WorkdayOverride.objects.create(date=f"2031-10-0{d}", is_workday=False) for d in (1, 2)]
        admin_client.post(reverse("admin:portal_workdayoverride_changelist"),
                          {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"})
        assert not WorkdayOverride.objects.filter(pk__in=[d.pk for d in days]).exists()
        assert sorted(e.object_id for e in admin_entries("admin.delete")) == sorted(str(d.pk) for d in days)
        assert admin_entries("admin.action") == []

    def test_a_password_set_in_the_admin_is_recorded_without_the_hash(self, admin_client, world):
        url = reverse("admin:auth_user_password_change", args=[world.city.pk])
        new = "另一个足够长的口令-2031"
        response = admin_client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
        assert response.status_code == 302
        [entry] = admin_entries("admin.change")
        assert entry.data == {"changed": {"password": ["（已隐藏）", "（已隐藏）"]}}
        assert "pbkdf2" not in str(entry.data) and "md5" not in str(entry.data)


    def test_an_inline_row_changed_with_its_parent_is_recorded_on_the_parent(self, admin_client, world):
        from assessments.models import Rubric

        current = Rubric.current()
        admin_client.post(reverse("admin:assessments_rubric_changelist"),
                          {"action": "copy_as_new_version", "_selected_action": [current.pk]})
        draft = Rubric.objects.get(name=current.name, version=current.version + 1)
        item = draft.items.order_by("order", "id").first()
        data = change_form_data(world, draft, **{"items-0-title": "改过的评估项"})
        response = admin_client.post(reverse("admin:assessments_rubric_change", args=[draft.pk]), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        [entry] = admin_entries("admin.change")
        assert entry.object_id == str(draft.pk)
        assert entry.data["inline"] == "assessments.RubricItem" and entry.data["pk"] == item.pk
        assert entry.data["changed"] == {"title": [item.title, "改过的评估项"]}


class TestActionsAreAudited:
    def test_an_action_that_writes_no_entry_of_its_own_is_recorded(self, admin_client, world, monkeypatch):
        from portal.admin import RegionAdmin

        @admin.action(description="什么也不改")
        def look(modeladmin, request, queryset):
            return None

        monkeypatch.setattr(RegionAdmin, "look", look, raising=False)
        monkeypatch.setattr(RegionAdmin, "actions", ["look"])
        admin_client.post(reverse("admin:portal_region_changelist"),
                          {"action": "look", "_selected_action": [world.pudong.pk]})
        [entry] = admin_entries("admin.action")
        assert entry.actor == world.admin
        assert entry.data == {"action": "look", "model": "portal.Region",
                              "objects": [[world.pudong.pk, str(world.pudong)]]}

    def test_an_action_that_audits_itself_is_not_counted_twice(self, admin_client, world):
        from assessments.models import Rubric

        current = Rubric.current()
        admin_client.post(reverse("admin:assessments_rubric_changelist"),
                          {"action": "copy_as_new_version", "_selected_action": [current.pk]})
        assert AuditEntry.objects.filter(action="rubric.copy").count() == 1
        assert admin_entries("admin.action") == []


class TestEveryAdminIsAudited:
    def test_every_model_admin_of_the_portal_derives_from_the_audited_base(self):
        apps = {"portal", "filings", "assessments", "supervision"}
        unaudited = [model._meta.label for model, model_admin in admin.site._registry.items()
                     if model._meta.app_label in apps and not isinstance(model_admin, AuditedModelAdmin)]
        assert unaudited == []

    def test_every_model_driven_by_transitions_is_view_only(self, admin_client, world):
        driven = [model for model in admin.site._registry
                  if any(isinstance(f, FSMField) for f in model._meta.fields)]
        assert {m._meta.label for m in driven} >= {"filings.Filing", "filings.ChangeRequest",
                                                   "assessments.RenewalAssessment"}
        for model in driven:
            assert isinstance(admin.site._registry[model], ViewOnlyModelAdmin), model
            info = model._meta.app_label, model._meta.model_name
            assert admin_client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403
            assert admin_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200

    def test_a_filing_cannot_be_changed_or_deleted_in_the_admin(self, admin_client, world):
        filing = world.filing(state="submitted") if hasattr(world, "filing") else None
        if filing is None:
            pytest.skip("the world has no filing factory")
        url = reverse("admin:filings_filing_change", args=[filing.pk])
        page = admin_client.get(url).content.decode()
        assert 'name="_save"' not in page
        assert admin_client.post(url, {"state": "filed"}).status_code == 403
        assert admin_client.post(reverse("admin:filings_filing_delete", args=[filing.pk]),
                                 {"post": "yes"}).status_code == 403
        filing.refresh_from_db()
        assert filing.state == "submitted"


class TestPolicyBounds:
    def _profile(self, **values):
        profile = PolicyProfile.active()
        for name, value in values.items():
            setattr(profile, name, value)
        return profile

    def _errors(self, **values):
        with pytest.raises(ValidationError) as exc:
            self._profile(**values).full_clean()
        return exc.value.message_dict

    def test_every_preset_is_within_the_bounds(self, world):
        for key in PRESETS:
            PolicyProfile.objects.get(preset=key).full_clean()

    def test_a_notice_period_below_five_working_days_is_refused(self, world):
        """[003 §7] 公示时间不少于 5 个工作日."""
        assert self._errors(notice_workdays=1) == {"notice_workdays": ["公示期（工作日）不得少于 5 [003 §7]"]}
        self._profile(notice_workdays=7).full_clean()

    def test_without_a_public_notice_the_period_is_not_checked(self, world):
        """[004] Shandong publishes no filing notice: the period means nothing there."""
        self._profile(notice_scope="none", notice_workdays=0).full_clean()

    def test_validity_is_three_years(self, world):
        """[002 §14, 003 §7] 备案有效期为 3 年."""
        assert "[002 §14、003 §7]" in self._errors(validity_years=5)["validity_years"][0]

    def test_the_completeness_check_and_supplement_and_decision_limits_are_maximums(self, world):
        """[002 §10] 5 个工作日内告知补正，补正期限不超过 30 日；[002 §11] 90 日内作出决定."""
        errors = self._errors(completeness_workdays=6, supplement_days=31, decision_days=91)
        assert errors == {"completeness_workdays": ["形式审查时限（工作日）不得超过 5 [002 §10]"],
                          "supplement_days": ["补正期限（日）不得超过 30 [002 §10]"],
                          "decision_days": ["作出决定时限（日）不得超过 90 [002 §11]"]}
        self._profile(completeness_workdays=3, supplement_days=20, decision_days=60).full_clean()

    def test_at_most_three_social_organisations_per_occupation(self, world):
        """[003 §7] 1 个职业不超过 3 家社会培训评价组织."""
        assert "[003 §7]" in self._errors(social_orgs_per_occupation=4)["social_orgs_per_occupation"][0]
        self._profile(social_orgs_per_occupation=None).full_clean()  # the notice does not say

    def test_examiners_batches_and_results(self, world):
        """[003 §8-9] 每级别考评员不少于 5 人；[003 §15] 提前 10 个工作日报备批次计划，结果公示不少于
        7 天，10 个工作日内报备结果."""
        errors = self._errors(min_examiners_per_level=4, batch_plan_lead_workdays=9, result_publicity_days=6,
                              result_report_workdays=11)
        assert set(errors) == {"min_examiners_per_level", "batch_plan_lead_workdays", "result_publicity_days",
                               "result_report_workdays"}

    def test_the_database_refuses_a_value_the_form_would_refuse(self, world):
        """[003 §7] Even past the admin's form, a check constraint holds the bound."""
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyProfile.objects.filter(is_active=True).update(notice_workdays=1)

    def test_the_admin_refuses_one_working_day_of_notice_and_records_nothing(self, admin_client, world):
        """[003 §7] The issue's case: the admin accepted a notice period of 1 working day."""
        profile = PolicyProfile.active()
        url = reverse("admin:portal_policyprofile_change", args=[profile.pk])
        response = admin_client.post(url, change_form_data(world, profile, notice_workdays="1"))
        assert response.status_code == 200
        assert "公示期（工作日）不得少于 5 [003 §7]" in response.content.decode()
        assert PolicyProfile.active().notice_workdays == 5
        assert admin_entries("admin.change") == []
        response = admin_client.post(url, change_form_data(world, profile, notice_workdays="7"))
        assert response.status_code == 302
        [entry] = admin_entries("admin.change")
        assert entry.data == {"changed": {"notice_workdays": [5, 7]}}


def test_the_audit_list_shows_labels_not_codes(client, world):
    """[003 §18] The administrator reads 注销备案, not `filing.cancel`."""
    from filings.choices import FilingState
    from filings.services import change_in_force

    filing = world.filing(state=FilingState.ACTIVE)
    change_in_force(filing_id=filing.pk, action="cancel", actor=world.city, comment="自愿注销 [003 §22(1)]")
    client.force_login(world.admin)
    page = client.get("/admin/portal/auditentry/").content.decode()
    assert "注销备案" in page and "<td class=\"field-action_label\">filing.cancel" not in page
