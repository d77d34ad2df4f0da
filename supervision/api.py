"""Complaints through the API at /api/v1/ as Open311 GeoReport v2 requests [SPEC §9, 002 §27], so that
a city hotline system (12333) can exchange them: the services (categories), filing a request, and
reading its status by its id and access code. No login; rate-limited per client address; the
access code is shown once, in the answer to the filing, and kept only as a hash."""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal.audit import client_ip
from portal.transitions import TransitionRefused
from supervision.models.complaints import ComplaintCategory
from supervision.services import complaints as services

CATEGORY_DESCRIPTIONS = {
    "fees": "超标准收费、收费不开票、另立名目收费",
    "out_of_scope": "超出备案的职业（工种）、等级或地域开展认定",
    "cheating": "替考、泄题、考评人员违规等考试舞弊",
    "fake_certificates": "伪造、变造证书或不考发证",
    "false_advertising": "“包过”“免考拿证”等虚假宣传",
    "other": "其他违规行为",
}
FIELDS = ("service_code", "description", "agency_name", "filing_number", "address_string", "occupation", "batch",
          "happened_on", "first_name", "last_name", "phone", "email", "anonymous")


def _json(data, status=200) -> HttpResponse:
    response = HttpResponse(orjson.dumps(data), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def _limited(request, scope: str):
    from supervision.views.complaints import over_limit
    seconds = over_limit(scope, client_ip(request))
    if seconds is None:
        return None
    response = _json({"detail": f"访问过于频繁，请 {seconds} 秒后再试。"}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_GET
def service_list(request):
    """GET /api/v1/complaints/services.json: the categories as Open311 services."""
    return _json([{"service_code": code, "service_name": str(label), "description": CATEGORY_DESCRIPTIONS.get(code, ""),
                   "metadata": False, "type": "realtime", "keywords": "", "group": "技能人才评价"}
                  for code, label in ComplaintCategory.choices])


def _body(request) -> dict | None:
    if request.content_type == "application/json":
        try:
            data = orjson.loads(request.body or b"{}")
        except orjson.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None
    return {k: request.POST.get(k) for k in request.POST}


@csrf_exempt
@require_http_methods(["POST"])
def request_create(request):
    """POST /api/v1/complaints/requests.json: file a complaint; answers the id and the access code."""
    if limited := _limited(request, "file_ip"):
        return limited
    data = _body(request)
    if data is None:
        return _json({"detail": "请求体须为 JSON 对象或表单。"}, status=400)
    values = {}
    for key in FIELDS:
        value = data.get(key)
        if key == "anonymous":
            if value not in (None, True, False, "true", "false", "1", "0"):
                return _json({"detail": "anonymous 须为 true 或 false。"}, status=400)
            values[key] = value in (True, "true", "1")
        elif value is not None and not isinstance(value, str):
            return _json({"detail": f"{key} 须为字符串。"}, status=400)
        else:
            values[key] = value or ""
    agency = None
    if values["filing_number"]:
        from filings.models import Filing
        filing = Filing.objects.filter(number=values["filing_number"][:40]).select_related("agency").first()
        if filing is None:
            return _json({"detail": "没有这个备案编号。"}, status=400)
        agency = filing.agency
    if not values["anonymous"] and not (values["phone"] or values["email"]):
        return _json({"detail": "请提供联系电话或电子邮箱，或设置 anonymous 为 true。"}, status=400)
    try:
        complaint, code = services.file_complaint(
            category=values["service_code"], description=values["description"], agency=agency,
            agency_name=values["agency_name"], occupation_text=values["occupation"], batch_text=values["batch"],
            happened_on=values["happened_on"], address_string=values["address_string"],
            anonymous=values["anonymous"], contact_name=f"{values['last_name']}{values['first_name']}"[:50],
            contact_phone=values["phone"], contact_email=values["email"], client_ip=client_ip(request),
            channel="api")
    except TransitionRefused as exc:
        return _json({"detail": str(exc)}, status=400)
    return _json([{"service_request_id": complaint.number, "access_code": code,
                   "service_notice": "请妥善保管查询码（只显示这一次），凭编号和查询码查询办理进度。",
                   "expected_datetime": complaint.acknowledge_due.isoformat()}], status=201)


@require_GET
def request_detail(request, service_request_id: str):
    """GET /api/v1/complaints/requests/{id}.json?code=…: the status; a wrong code is a 404 like an
    unknown id."""
    if limited := _limited(request, "status"):
        return limited
    complaint = services.find_by_code(service_request_id, request.GET.get("code", ""))
    if complaint is None:
        return _json({"detail": "没有这个受理编号，或查询码不正确。"}, status=404)
    return _json([complaint.as_open311()])


# ----- OpenAPI ---------------------------------------------------------------------------------------------

def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}}}}


def _limited_doc() -> dict:
    response = _error("访问过于频繁（按客户端 IP 限流）")
    response["headers"] = {"Retry-After": {"description": "几秒后可再试", "schema": {"type": "integer"}}}
    return response


def openapi_paths() -> tuple[dict, dict]:
    """(paths, component schemas, a sentence for info.description) for filings.api's document: the
    document no longer says the API only reads, since complaints are filed through it [002 §27]."""
    text = {"type": "string"}
    status = {
        "type": "object",
        "required": ["service_request_id", "status", "status_notes", "service_code", "service_name",
                     "agency_responsible", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string", "description": "受理编号"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_code": text, "status_label": text,
            "status_notes": {"type": "string", "description": "处理说明或答复意见"},
            "service_code": {"type": "string", "enum": list(ComplaintCategory.values)},
            "service_name": text, "description": text,
            "agency_responsible": {"type": "string", "description": "承办部门"},
            "agency_name": {"type": "string", "description": "被投诉机构"},
            "address_string": text,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time", "nullable": True},
            "expected_datetime": {"type": "string", "format": "date", "nullable": True},
            "outcome": {"type": "string", "nullable": True},
            "outcome_label": {"type": "string", "nullable": True},
            "may_reopen": {"type": "boolean"},
        },
    }
    service = {"type": "object", "required": ["service_code", "service_name", "metadata", "type"],
               "properties": {"service_code": text, "service_name": text, "description": text,
                              "metadata": {"type": "boolean"}, "type": {"type": "string"}, "keywords": text,
                              "group": text}}
    new = {"type": "object", "required": ["service_code", "description"], "properties": {
        "service_code": {"type": "string", "enum": list(ComplaintCategory.values), "description": "投诉类别"},
        "description": {"type": "string", "minLength": 10, "maxLength": 5000, "description": "投诉内容"},
        "filing_number": {"type": "string", "maxLength": 40, "description": "被投诉机构的备案编号（可选）"},
        "agency_name": {"type": "string", "maxLength": 100, "description": "机构名称（无备案编号时）"},
        "address_string": {"type": "string", "maxLength": 200}, "occupation": {"type": "string", "maxLength": 100},
        "batch": {"type": "string", "maxLength": 100}, "happened_on": {"type": "string", "maxLength": 50},
        "first_name": {"type": "string", "maxLength": 20}, "last_name": {"type": "string", "maxLength": 20},
        "phone": {"type": "string", "maxLength": 30}, "email": {"type": "string", "format": "email"},
        "anonymous": {"type": "boolean"}}}
    created = {"type": "array", "items": {"type": "object",
                                          "required": ["service_request_id", "access_code", "expected_datetime"],
                                          "properties": {"service_request_id": text, "access_code": text,
                                                         "service_notice": text,
                                                         "expected_datetime": {"type": "string", "format": "date"}}}}

    def ok(description, schema):
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    paths = {
        "/api/v1/complaints/services.json": {"get": {
            "operationId": "listComplaintServices", "summary": "投诉类别（Open311 services）",
            "responses": {"200": ok("投诉类别", {"type": "array",
                                                "items": {"$ref": "#/components/schemas/ComplaintService"}})}}},
        "/api/v1/complaints/requests.json": {"post": {
            "operationId": "createComplaint", "summary": "提交投诉举报（Open311 POST requests）",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ComplaintNew"}}}},
            "responses": {"201": ok("已提交：受理编号和查询码（只返回这一次）", created),
                          "400": _error("请求有误或重复投诉"), "429": _limited_doc()}}},
        "/api/v1/complaints/requests/{service_request_id}.json": {"get": {
            "operationId": "getComplaint", "summary": "凭受理编号和查询码查询办理进度",
            "parameters": [
                {"name": "service_request_id", "in": "path", "required": True, "description": "受理编号",
                 "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{1,24}$"}},
                {"name": "code", "in": "query", "required": True, "description": "查询码",
                 "schema": {"type": "string", "maxLength": 32}}],
            "responses": {"200": ok("办理进度", {"type": "array",
                                                "items": {"$ref": "#/components/schemas/ComplaintStatus"}}),
                          "404": _error("没有这个受理编号，或查询码不正确"), "429": _limited_doc()}}},
    }
    described = ("投诉举报（/api/v1/complaints/，字段遵循 Open311 GeoReport v2）不只是读取：可提交投诉举报"
                 "（POST，返回受理编号和只显示一次的查询码），并凭受理编号和查询码查询办理进度；按客户端 IP 限制频率。")
    return paths, {"ComplaintStatus": status, "ComplaintService": service, "ComplaintNew": new}, described
