"""Reference data: administrative regions for any province or city, the occupation catalogue, and
the demo world. Every loader is idempotent: running it again changes nothing."""

import io

import pytest
from django.core.management import call_command

from filings.models import Agency, Filing
from portal.models import Occupation, Region, Role, User
from portal.reference_data import load_occupations, load_regions

pytestmark = pytest.mark.django_db


def snapshot(model, *fields):
    return sorted(model.objects.values_list(*fields))


def test_shanghai_loads_with_its_17_regions_and_correct_codes():
    assert load_regions() == 17
    assert Region.objects.count() == 17
    shanghai = Region.objects.get(code="310000")
    assert (shanghai.name, shanghai.level, shanghai.parent, shanghai.path) == ("上海市", "province", None, "310000/")
    pudong = Region.objects.get(name="浦东新区")
    xuhui = Region.objects.get(name="徐汇区")
    assert (pudong.code, pudong.parent, pudong.path) == ("310115", shanghai, "310000/310115/")
    assert (xuhui.code, xuhui.path) == ("310104", "310000/310104/")
    assert shanghai.subtree().count() == 17
    assert shanghai.contains(pudong) and not pudong.contains(xuhui)


def test_another_province_loads_from_its_own_csv_with_the_right_tree(tmp_path):
    csv_file = tmp_path / "zhejiang.csv"
    csv_file.write_text(
        "code,name,level,parent_code\n"
        "330000,浙江省,province,\n"
        "330100,杭州市,city,330000\n"
        "330106,西湖区,district,330100\n"
        "330110,余杭区,district,330100\n", encoding="utf-8")
    assert load_regions(csv_file) == 4
    xihu = Region.objects.get(code="330106")
    assert xihu.name == "西湖区" and xihu.level == Region.Level.DISTRICT
    assert xihu.parent.name == "杭州市" and xihu.parent.parent.name == "浙江省"
    assert xihu.path == "330000/330100/330106/"
    assert xihu.ancestor_paths() == ["330000/", "330000/330100/", "330000/330100/330106/"]
    hangzhou = Region.objects.get(code="330100")
    assert sorted(hangzhou.subtree().values_list("name", flat=True)) == ["余杭区", "杭州市", "西湖区"]
    assert Region.objects.get(code="330000").contains(xihu)


def test_the_management_command_loads_a_given_file(tmp_path):
    csv_file = tmp_path / "zhejiang.csv"
    csv_file.write_text("code,name,level,parent_code\n330000,浙江省,province,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("load_regions", str(csv_file), stdout=out)
    assert "regions: 1" in out.getvalue()
    assert Region.objects.get(code="330000").name == "浙江省"


def test_loading_regions_twice_changes_nothing():
    load_regions()
    before = snapshot(Region, "id", "code", "name", "level", "parent_id", "path")
    load_regions()
    assert snapshot(Region, "id", "code", "name", "level", "parent_id", "path") == before


def test_a_renamed_region_is_updated_in_place(tmp_path):
    load_regions()
    csv_file = tmp_path / "rename.csv"
    csv_file.write_text("code,name,level,parent_code\n310115,浦东新区（新名）,district,310000\n", encoding="utf-8")
    pk = Region.objects.get(code="310115").pk
    load_regions(csv_file)
    assert Region.objects.get(code="310115").name == "浦东新区（新名）"
    assert Region.objects.get(code="310115").pk == pk and Region.objects.count() == 17


def test_occupations_load_at_least_100_rows_and_twice_changes_nothing():
    count = load_occupations()
    assert count >= 100
    assert Occupation.objects.count() == count
    fields = ("id", "code", "name", "work_type", "restricted", "has_standard", "edition")
    before = snapshot(Occupation, *fields)
    load_occupations()
    assert snapshot(Occupation, *fields) == before
    electrician = Occupation.objects.get(code="6-31-01-03", work_type="")
    assert electrician.name


def test_seed_demo_runs_twice_and_creates_a_user_of_every_role():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    models = [User, Region, Occupation, Agency, Filing]
    counts = [m.objects.count() for m in models]
    call_command("seed_demo", stdout=io.StringIO())
    assert [m.objects.count() for m in models] == counts
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    assert "演示账号" in out.getvalue()
