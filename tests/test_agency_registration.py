"""Registering an agency and keeping its details [SPEC §1–2]: the USCC is validated (GB 32100-2015)
and unique; bad input changes nothing and says why beside the field."""

import pytest
from django.urls import reverse

from filings.choices import AgencyKind, FilingState as S, Ownership
from filings.demo import make_uscc
from filings.models import Agency
from portal.models import AuditEntry, Role, User

REGISTER = "/agencies/register/"


def registration(world, **overrides):
    data = {
        "account-username": "new_clerk", "account-full_name": "王经办", "account-phone": "13800138000",
        "account-email": "wang@example.com",
        "account-password1": "Qz7!long-enough", "account-password2": "Qz7!long-enough",
        "agency-name": "上海新浦技能评价有限公司", "agency-uscc": make_uscc(777), "agency-kind": AgencyKind.ENTERPRISE,
        "agency-ownership": Ownership.DISTRICT_ENTERPRISE, "agency-region": world.pudong.pk,
        "agency-industry_department": "", "agency-address": "上海市浦东新区世纪大道 1 号",
        "agency-legal_representative": "赵一", "agency-contact_name": "王经办", "agency-contact_phone": "021-50000000",
        "agency-contact_email": "",
    }
    data.update(overrides)
    return data


def test_a_new_agency_user_registers_the_agency_and_the_account_at_once(client, world):
    response = client.post(REGISTER, registration(world), follow=True)
    agency = Agency.objects.get(uscc=make_uscc(777))
    user = User.objects.get(username="new_clerk")
    assert user.role == Role.AGENCY and user.agency == agency
    assert "已登记" in response.content.decode()
    assert response.context["user"] == user  # logged in, landed on the agency's home
    assert AuditEntry.objects.filter(action="agency.register", object_id=str(agency.pk)).exists()


def test_the_uscc_is_accepted_in_lower_case_and_stored_normalised(client, world):
    client.post(REGISTER, registration(world, **{"agency-uscc": f"  {make_uscc(778).lower()} "}))
    assert Agency.objects.filter(uscc=make_uscc(778)).exists()


@pytest.mark.parametrize("uscc, message", [
    ("91310000MA1K", "应为 18 位，您输入了 12 位"),
    ("91310000MA1K3YJ1IO", "不允许的字符“I”"),
    (make_uscc(779)[:17] + ("0" if make_uscc(779)[17] != "0" else "1"), "校验位不正确"),
])
def test_a_wrong_uscc_is_refused_beside_the_field_and_nothing_is_created(client, world, uscc, message):
    """[SPEC §2] USCC: 18 characters from GB 32100-2015's alphabet with its check character."""
    agencies, users = Agency.objects.count(), User.objects.count()
    response = client.post(REGISTER, registration(world, **{"agency-uscc": uscc}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'id="id_agency-uscc_error"' in html  # beside the field
    assert Agency.objects.count() == agencies and User.objects.count() == users


def test_a_uscc_registered_before_is_refused_with_a_clear_message(client, world):
    """[SPEC §2] a USCC is unique: one agency, one registration."""
    users = User.objects.count()
    response = client.post(REGISTER, registration(world, **{"agency-uscc": world.pudong_enterprise.uscc}))
    html = response.content.decode()
    assert "已被“上海浦江电气有限公司”登记" in html
    assert User.objects.count() == users
    assert Agency.objects.filter(uscc=world.pudong_enterprise.uscc).count() == 1


def test_mismatched_passwords_create_nothing(client, world):
    response = client.post(REGISTER, registration(world, **{"account-password2": "something-else-1"}))
    assert "两次输入的密码不一致" in response.content.decode()
    assert not Agency.objects.filter(uscc=make_uscc(777)).exists()


def test_a_city_association_must_name_its_industry_department(client, world):
    """[000 §4(1)] city associations are pre-reviewed by their industry department."""
    response = client.post(REGISTER, registration(world, **{"agency-ownership": Ownership.CITY_ASSOCIATION,
                                                            "agency-kind": AgencyKind.SOCIAL}))
    assert "须选择行业主管部门" in response.content.decode()
    assert not Agency.objects.filter(uscc=make_uscc(777)).exists()


def test_a_logged_in_agency_user_without_an_agency_registers_it(client, world):
    user = User.objects.create_user("lonely", password="x", role=Role.AGENCY)
    client.force_login(user)
    assert client.get("/my/").url == reverse("filings:agency_register")
    data = {k: v for k, v in registration(world).items() if k.startswith("agency-")}
    client.post(REGISTER, data)
    user.refresh_from_db()
    assert user.agency.uscc == make_uscc(777)


def test_an_agency_user_may_change_contacts_but_not_registered_details_after_submitting(client, world):
    """[002 §13] registered details change through a change filing once the authority has them."""
    world.filing(state=S.SUBMITTED)
    agency = world.pudong_enterprise
    client.force_login(world.pudong_clerk)
    page = client.get("/my/agency/").content.decode()
    assert "变更备案" in page
    client.post("/my/agency/", {"name": "改名有限公司", "contact_name": "新联系人", "contact_phone": "13900000000",
                                "contact_email": "new@example.com"})
    agency.refresh_from_db()
    assert agency.name == "上海浦江电气有限公司"
    assert agency.contact_name == "新联系人"
    assert AuditEntry.objects.filter(action="agency.update", object_id=str(agency.pk)).exists()


def test_city_staff_list_create_and_correct_agencies(client, world):
    client.force_login(world.city)
    page = client.get("/agencies/?q=浦江").content.decode()
    assert "上海浦江电气有限公司" in page and "上海徐汇养老职业培训学校" not in page
    data = {k.removeprefix("agency-"): v for k, v in registration(world).items() if k.startswith("agency-")}
    client.post("/agencies/new/", data)
    agency = Agency.objects.get(uscc=make_uscc(777))
    data["name"] = "上海新浦技能评价股份有限公司"
    client.post(f"/agencies/{agency.pk}/correct/", data)
    agency.refresh_from_db()
    assert agency.name == "上海新浦技能评价股份有限公司"
    entry = AuditEntry.objects.get(action="agency.correct", object_id=str(agency.pk))
    assert entry.data["changes"]["name"] == ["上海新浦技能评价有限公司", "上海新浦技能评价股份有限公司"]


def test_city_staff_correcting_with_a_wrong_uscc_changes_nothing(client, world):
    agency = world.pudong_enterprise
    client.force_login(world.city)
    data = {"name": agency.name, "uscc": "12345", "kind": agency.kind, "ownership": agency.ownership,
            "region": agency.region_id, "address": agency.address, "legal_representative": "x",
            "contact_name": "x", "contact_phone": "x"}
    response = client.post(f"/agencies/{agency.pk}/correct/", data)
    assert "应为 18 位" in response.content.decode()
    agency.refresh_from_db()
    assert agency.legal_representative == "张三"


def test_agency_and_district_users_do_not_manage_the_register(client, world):
    client.force_login(world.pudong_clerk)
    assert client.get("/agencies/").status_code == 403
    # A district reads the register of its own district (issue #11), but only the city manages it.
    client.force_login(world.pudong_reviewer)
    page = client.get("/agencies/").content.decode()
    assert "上海浦江电气有限公司" in page and "上海徐汇养老职业培训学校" not in page and "更正" not in page
    assert client.get("/agencies/new/").status_code == 403
    assert client.get(f"/agencies/{world.pudong_enterprise.pk}/correct/").status_code == 403
