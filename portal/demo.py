"""Demo data for `manage.py seed_demo`. The portal seeds its own world (regions, occupations,
policy, staff of every role); each app registers a seeder for its own data. Everything is
idempotent: looked up by a natural key before it is created."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from portal.models import IndustryDepartment, PolicyProfile, Region, Role, User
from portal.reference_data import load_occupations, load_regions

DEMO_PASSWORD = "Demo-2026-pass"
_seeders: list[tuple[str, Callable[[], list[str]]]] = []


def register(name: str, seeder: Callable[[], list[str]]) -> None:
    if name not in {n for n, _ in _seeders}:
        _seeders.append((name, seeder))


def demo_user(username: str, *, role: str, full_name: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(DEMO_PASSWORD)
    user.role, user.full_name = role, full_name
    user.email = fields.pop("email", f"{username}@example.gov.cn")
    for key, value in fields.items():
        setattr(user, key, value)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.save()
    return user


def seed_people() -> list[str]:
    shanghai = Region.objects.get(code="310000")
    pudong, xuhui, minhang = (Region.objects.get(code=c) for c in ("310115", "310104", "310112"))
    economy, _ = IndustryDepartment.objects.get_or_create(name="上海市经济和信息化委员会", defaults={"region": shanghai})
    IndustryDepartment.objects.get_or_create(name="上海市商务委员会", defaults={"region": shanghai})
    people = [
        demo_user("admin", role=Role.ADMIN, full_name="系统管理员"),
        demo_user("city", role=Role.CITY, full_name="王建国（市职业技能鉴定中心）", region=shanghai),
        demo_user("pudong", role=Role.DISTRICT, full_name="李敏（浦东新区人社局）", region=pudong),
        demo_user("xuhui", role=Role.DISTRICT, full_name="张伟（徐汇区人社局）", region=xuhui),
        demo_user("minhang", role=Role.DISTRICT, full_name="陈静（闵行区人社局）", region=minhang),
        demo_user("industry", role=Role.INDUSTRY, full_name="刘洋（市经济信息化委）", industry_department=economy,
                  region=shanghai),
        demo_user("inspector", role=Role.INSPECTOR, full_name="赵磊（督导员）", region=shanghai),
    ]
    people += [demo_user(f"expert{i}", role=Role.EXPERT, full_name=name)
               for i, name in enumerate(["周晓峰", "吴丽华", "郑志刚", "孙海燕", "钱堃", "冯喆"], start=1)]
    return [f"{u.username:<12} {u.get_role_display():<10} {u.get_full_name()}" for u in people]


@transaction.atomic
def seed_all() -> list[str]:
    load_regions()
    load_occupations()
    PolicyProfile.ensure_presets()
    lines = seed_people()
    for _name, seeder in _seeders:
        lines += seeder()
    return lines
