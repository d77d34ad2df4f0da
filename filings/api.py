"""Open data API, read-only, no login [SPEC §7]: the directory as JSON, with the same filters as
the search page, and its OpenAPI 3 description."""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from filings import directory
from filings.choices import IN_FORCE, AgencyKind
from filings.directory_marks import attach_marks
from filings.ratelimit import DEFAULT_LIMITS, rate_limited
from portal.models import SkillLevel

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_AGE = 60

# Other apps add paths to the OpenAPI document (supervision's complaints as Open311 requests):
# each provider returns (paths, component schemas).
_document_parts: list = []


def register_openapi(provider) -> None:
    if provider not in _document_parts:
        _document_parts.append(provider)


def _json(data, status=200, *, cache=True) -> HttpResponse:
    """UTF-8 JSON, Chinese as it is (orjson: a page of results encodes in a tenth of the time)."""
    response = HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
    if cache:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _positive_int(value, default: int, maximum: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    if not str(value).isdigit() or int(value) < 1 or (maximum and int(value) > maximum):
        return None
    return int(value)


@require_GET
@rate_limited("api", json=True)
def directory_list(request):
    """GET /api/v1/directory/: one page of the directory, filtered like the search page."""
    query = directory.DirectoryQuery.from_params(request.GET)
    errors = dict(query.errors)
    page_size = _positive_int(request.GET.get("page_size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if page_size is None:
        errors["page_size"] = f"每页条数须为 1 至 {MAX_PAGE_SIZE} 的整数。"
    page_number = _positive_int(request.GET.get("page"), 1)
    if page_number is None:
        errors["page"] = "页码须为正整数。"
    if errors:
        return _json({"detail": "查询参数有误。", "errors": errors}, status=400, cache=False)
    found = directory.find(query, page=page_number, page_size=page_size)
    if page_number > found.num_pages:
        return _json({"detail": f"页码超出范围（共 {found.num_pages} 页）。"}, status=404, cache=False)
    base = request.build_absolute_uri(reverse("api:directory"))
    params = request.GET.copy()

    def link(n):
        params["page"] = str(n)
        return f"{base}?{params.urlencode()}"

    return _json({
        "count": found.count,
        "page": page_number,
        "page_size": page_size,
        "num_pages": found.num_pages,
        "next": link(page_number + 1) if page_number < found.num_pages else None,
        "previous": link(page_number - 1) if page_number > 1 else None,
        "results": [_public(entry) for entry in attach_marks(found.entries)],
    })


def _public(entry: dict) -> dict:
    """An entry as the API documents it (the pages' `marked` is the status, said once)."""
    return {k: v for k, v in entry.items() if k != "marked"}


@require_GET
@rate_limited("api", json=True)
def directory_detail(request, filing_number: str):
    """GET /api/v1/directory/<filing_number>/: one listed agency; an ended filing answers 410."""
    filing = directory.get_listed(filing_number)
    if filing is not None:
        return _json(_public(attach_marks([directory.serialize(directory.attach_scope([filing])[0])])[0]))
    ended = directory.get_numbered(filing_number)
    if ended is None:
        return _json({"detail": "没有这个备案编号。"}, status=404)
    return _json({"detail": f"该备案状态为“{ended.get_state_display()}”，已移出机构目录。",
                  "status": ended.state}, status=410)


@require_GET
def openapi(request):
    return _json(openapi_document())


# ----- OpenAPI 3 ------------------------------------------------------------------------------

def _error(description: str, extra: dict | None = None) -> dict:
    schema = {"type": "object", "required": ["detail"],
              "properties": {"detail": {"type": "string"}, **(extra or {})}}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _limited() -> dict:
    response = _error("访问过于频繁（按客户端 IP 限流）")
    response["headers"] = {"Retry-After": {"description": "几秒后可再试", "schema": {"type": "integer"}}}
    return response


def _filters() -> list[dict]:
    def q(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    return [
        q("q", "机构名称中的字词（中文子串）", {"type": "string", "maxLength": 50}),
        q("occupation", "职业（工种）名称中的字词，或职业编码（可只写前段，如 6-31）", {"type": "string", "maxLength": 50}),
        q("level", "职业技能等级：" + "，".join(f"{v}={label}" for v, label in SkillLevel.choices),
          {"type": "integer", "enum": list(SkillLevel.values)}),
        q("region", "行政区划代码（6 位），含下级区划", {"type": "string", "pattern": "^[0-9]{6}$"}),
        q("kind", "机构类别：" + "，".join(f"{v}={label}" for v, label in AgencyKind.choices),
          {"type": "string", "enum": list(AgencyKind.values)}),
        q("status", "备案状态（目录只收录在有效期内的备案）", {"type": "string", "enum": [str(s) for s in IN_FORCE]}),
        q("sort", "排序", {"type": "string", "enum": list(directory.SORTS)}),
    ]


def openapi_document() -> dict:
    nullable_date = {"type": "string", "format": "date", "nullable": True}
    entry = {
        "type": "object",
        "required": ["name", "uscc", "kind", "filing_number", "valid_from", "valid_until", "status",
                     "region_code", "region_name", "scope"],
        "properties": {
            "name": {"type": "string", "description": "机构名称"},
            "uscc": {"type": "string", "description": "统一社会信用代码"},
            "kind": {"type": "string", "enum": list(AgencyKind.values), "description": "机构类别"},
            "kind_label": {"type": "string"},
            "filing_number": {"type": "string", "description": "备案编号"},
            "valid_from": nullable_date,
            "valid_until": nullable_date,
            "status": {"type": "string", "enum": [str(s) for s in IN_FORCE], "description": "备案状态"},
            "status_label": {"type": "string"},
            "region_code": {"type": "string", "description": "所在区县代码"},
            "region_name": {"type": "string", "description": "所在区县"},
            "address": {"type": "string"},
            "marks": {"type": "array", "description": "目录标记，如“整改中”、星级评定", "items": {
                "type": "object", "required": ["class", "label"],
                "properties": {"class": {"type": "string"}, "label": {"type": "string"}}}},
            "scope": {"type": "array", "description": "备案范围", "items": {
                "type": "object", "required": ["occupation_code", "occupation_name", "levels"],
                "properties": {
                    "occupation_code": {"type": "string"},
                    "occupation_name": {"type": "string"},
                    "work_type": {"type": "string"},
                    "levels": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 8}},
                    "levels_label": {"type": "string"},
                }}},
        },
    }
    page = {
        "type": "object",
        "required": ["count", "page", "page_size", "num_pages", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "num_pages": {"type": "integer", "minimum": 1},
            "next": {"type": "string", "nullable": True},
            "previous": {"type": "string", "nullable": True},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/DirectoryEntry"}},
        },
    }
    limit, window = DEFAULT_LIMITS["api"]
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": "技能人才评价机构目录开放数据接口",
            "version": "1.0.0",
            "description": ("无需登录。机构目录（/api/v1/directory/）只读：收录备案有效的评价机构（含暂停评价、限期整改）；"
                            f"已注销、期满终止的备案不在目录中。每个客户端 IP 默认每 {window} 秒最多 {limit} 次请求。"),
        },
        "paths": {
            "/api/v1/directory/": {"get": {
                "operationId": "listDirectory",
                "summary": "查询机构目录",
                "parameters": _filters() + [
                    {"name": "page", "in": "query", "required": False, "description": "页码",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
                    {"name": "page_size", "in": "query", "required": False, "description": "每页条数",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
                ],
                "responses": {
                    "200": {"description": "一页查询结果",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DirectoryPage"}}}},
                    "400": _error("查询参数有误", {"errors": {"type": "object",
                                                        "additionalProperties": {"type": "string"}}}),
                    "404": _error("页码超出范围"),
                    "429": _limited(),
                },
            }},
            "/api/v1/directory/{filing_number}/": {"get": {
                "operationId": "getDirectoryEntry",
                "summary": "按备案编号查看机构",
                "parameters": [{"name": "filing_number", "in": "path", "required": True, "description": "备案编号",
                                "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{1,40}$"}}],
                "responses": {
                    "200": {"description": "目录中的机构",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DirectoryEntry"}}}},
                    "404": _error("没有这个备案编号"),
                    "410": _error("备案已终止，已移出目录", {"status": {"type": "string"}}),
                    "429": _limited(),
                },
            }},
        },
        "components": {"schemas": {"DirectoryEntry": entry, "DirectoryPage": page}},
    }
    for provider in _document_parts:
        # (paths, schemas) or (paths, schemas, a sentence for info.description): a part that does
        # more than read (the complaints, which are filed through the API) says so there.
        paths, schemas, *more = provider()
        document["paths"].update(paths)
        document["components"]["schemas"].update(schemas)
        document["info"]["description"] += "".join(more)
    return document
