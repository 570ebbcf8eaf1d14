//! `daodao-check import apidoc`: small inline docs for each rule, and the real 小程序端API.md.

use daodao_check::contract::schema::{violations, SchemaSet};
use daodao_check::contract::{parse_contract, structural_problems};
use daodao_check::import::{import_apidoc, naming::contract_name, Summary};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Writes `markdown` as `api.md` in a fresh temp dir; returns the dir, the doc and the out dir.
fn doc(markdown: &str) -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("api.md");
    std::fs::write(&path, markdown).expect("write doc");
    let out = dir.path().join("contracts");
    (dir, path, out)
}

fn import(markdown: &str) -> (TempDir, PathBuf, Summary) {
    let (dir, path, out) = doc(markdown);
    let summary = import_apidoc(&path, &out, false).expect("import");
    (dir, out, summary)
}

fn read(out: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(out.join(file))
        .unwrap_or_else(|e| panic!("{file} was not written: {e}"));
    serde_json::from_str(&text).expect("contract is JSON")
}

/// One `### 1.N` section with the given endpoint line and body.
fn section(n: usize, title: &str, endpoint: &str, body: &str) -> String {
    format!("### 1.{n} {title}\n\n**接口**: `{endpoint}`\n\n**开发状态**: 待后端开发\n\n{body}\n")
}

fn response(data: &str) -> String {
    format!(
        "**响应格式**:\n```json\n{{\n  \"code\": 0,\n  \"message\": \"success\",\n  \"data\": {data}\n}}\n```\n"
    )
}

fn chapter(sections: &[String]) -> String {
    format!(
        "# 测试API\n\n## 1. 测试模块 (test)\n\n{}",
        sections.join("\n")
    )
}

fn data_schema(c: &Value) -> &Value {
    &c["response"]["data"]
}

fn prop<'a>(schema: &'a Value, name: &str) -> &'a Value {
    &schema["properties"][name]
}

fn required(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn placeholders_become_types_and_examples_become_literals_of_that_type() {
    let md = chapter(&[section(
        1,
        "房车详情",
        "GET /api/v1/vehicles/{id}",
        &response(
            r#"{
    "id": "string",
    "year": "number",
    "price": "number",
    "basePrice": 580,
    "discountRate": 0.8,
    "count": 3,
    "flag": "boolean",
    "images": ["string"],
    "gender": "MALE|FEMALE|UNKNOWN",
    "status": "PENDING_PAYMENT"
  }"#,
        ),
    )]);
    let (_d, out, _) = import(&md);
    let c = read(&out, "vehicles/detail.json");
    let s = data_schema(&c);
    assert_eq!(prop(s, "id"), &json!({ "type": "string" }));
    assert_eq!(prop(s, "year"), &json!({ "type": "integer" }));
    assert_eq!(
        prop(s, "price"),
        &json!({ "type": "number" }),
        "money names are number"
    );
    assert_eq!(prop(s, "basePrice"), &json!({ "type": "number" }));
    assert_eq!(prop(s, "discountRate"), &json!({ "type": "number" }));
    assert_eq!(prop(s, "count"), &json!({ "type": "integer" }));
    assert_eq!(prop(s, "flag"), &json!({ "type": "boolean" }));
    assert_eq!(
        prop(s, "images"),
        &json!({ "type": "array", "items": { "type": "string" } })
    );
    assert_eq!(
        prop(s, "gender"),
        &json!({ "type": "string", "enum": ["MALE", "FEMALE", "UNKNOWN"] })
    );
    assert_eq!(
        prop(s, "status"),
        &json!({ "type": "string" }),
        "one value is no enum"
    );
    let ex = &c["example"]["response"]["data"];
    assert!(
        ex["year"].is_i64(),
        "year example is an integer: {}",
        ex["year"]
    );
    assert!(ex["price"].is_number());
    assert_eq!(ex["basePrice"], json!(580), "real values are kept");
    assert_eq!(ex["flag"], json!(true));
    assert_eq!(ex["gender"], json!("MALE"));
    assert!(ex["id"].is_string() && ex["id"] != json!("string"));
    assert!(ex["images"][0].is_string() && ex["images"][0] != json!("string"));
}

#[test]
fn string_formats_are_recognised_and_only_valid_ones() {
    let md = chapter(&[section(
        1,
        "格式",
        "GET /api/v1/things/formats",
        &response(
            r#"{
    "createdAt": "2025-11-20T10:00:00+08:00",
    "paidAt": "2025-12-27T10:00:00Z",
    "day": "2025-12-01",
    "link": "https://example.com/coupon/123",
    "local": "/static/images/store1.jpg",
    "spaced": "2025-11-28 10:30:00",
    "badDay": "2025-13-45",
    "month": "2025-11"
  }"#,
        ),
    )]);
    let (_d, out, _) = import(&md);
    let s = data_schema(&read(&out, "things/formats.json")).clone();
    let format = |k: &str| prop(&s, k).get("format").cloned();
    assert_eq!(format("createdAt"), Some(json!("date-time")));
    assert_eq!(format("paidAt"), Some(json!("date-time")));
    assert_eq!(format("day"), Some(json!("date")));
    assert_eq!(format("link"), Some(json!("uri")));
    assert_eq!(format("local"), None);
    assert_eq!(format("spaced"), None, "RFC 3339 needs the T");
    assert_eq!(format("badDay"), None, "not a calendar date");
    assert_eq!(format("month"), None);
}

#[test]
fn every_field_present_is_required_unless_its_placeholder_says_otherwise() {
    let md = chapter(&[section(
        1,
        "设置密码",
        "POST /api/v1/users/password/set",
        &format!(
            "**请求参数**:\n```json\n{}\n```\n\n{}",
            r#"{
  "oldPassword": "string (修改时必填)",
  "newPassword": "string (6位数字)",
  "profile": { "name": "string", "age": 3 }
}"#,
            response(r#"{ "success": true, "items": [{ "a": 1, "b": 2 }, { "a": 1.5 }] }"#)
        ),
    )]);
    let (_d, out, _) = import(&md);
    let c = read(&out, "users/password-set.json");
    let body = &c["request"]["body"];
    assert_eq!(required(body), vec!["newPassword", "profile"]);
    assert_eq!(
        prop(body, "oldPassword")["description"],
        json!("修改时必填")
    );
    assert_eq!(prop(body, "newPassword")["description"], json!("6位数字"));
    assert_eq!(required(prop(body, "profile")), vec!["name", "age"]);
    // Array items: the first element's fields, widened so every element validates.
    let items = &prop(data_schema(&c), "items")["items"];
    assert_eq!(
        required(items),
        vec!["a"],
        "b is missing from the second element"
    );
    assert_eq!(
        prop(items, "a"),
        &json!({ "type": "number" }),
        "1 and 1.5 → number"
    );
    assert_eq!(required(data_schema(&c)), vec!["success", "items"]);
}

#[test]
fn a_parameter_list_becomes_the_body_of_a_post_and_the_query_of_a_get() {
    let md = chapter(&[
        section(
            1,
            "发送验证码",
            "POST /api/v1/auth/send-code",
            &format!(
                "**请求参数**:\n\n- phone: string (必填) - 手机号\n- type: string (可选) - 验证码类型：login/register/reset_password\n- count: number (可选) - 次数\n\n{}",
                response(r#"{ "codeId": "string", "expireIn": 300 }"#)
            ),
        ),
        section(
            2,
            "房车列表",
            "GET /api/v1/vehicles",
            &format!(
                "**查询参数**:\n\n- pickupCity: string (必填) - 取车城市\n- pickupDate: string (必填) - 取车时间 (ISO 8601)\n- page: number (可选) - 页码，默认1\n- limit: number (可选) - 每页数量，默认20\n\n{}",
                response(r#"{ "list": [] }"#)
            ),
        ),
        section(
            3,
            "邀请记录",
            "GET /api/v1/share/invite-records",
            &format!(
                "**请求参数**:\n\n- status: string (可选) - 状态筛选：pending/completed\n\n**业务说明**:\n\n- total: 不是参数\n\n{}",
                response(r#"{ "total": 1 }"#)
            ),
        ),
    ]);
    let (_d, out, summary) = import(&md);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);

    let send = read(&out, "auth/send-code.json");
    let body = &send["request"]["body"];
    assert_eq!(required(body), vec!["phone"]);
    assert_eq!(
        prop(body, "phone"),
        &json!({ "type": "string", "description": "手机号" })
    );
    assert_eq!(prop(body, "count")["type"], json!("number"));
    assert!(send["request"].get("query").is_none());
    assert_eq!(send["example"]["request"]["body"]["type"], json!("login"));
    assert_eq!(
        send["example"]["request"]["body"]["phone"],
        json!("13800138000")
    );

    let list = read(&out, "vehicles/list.json");
    let q = &list["request"]["query"];
    assert!(list["request"].get("body").is_none());
    assert_eq!(required(q), vec!["pickupCity", "pickupDate"]);
    assert_eq!(prop(q, "pickupDate")["format"], json!("date-time"));
    assert_eq!(
        prop(q, "page")["type"],
        json!("string"),
        "query values are strings"
    );
    let qex = &list["example"]["request"]["query"];
    assert_eq!(qex["page"], json!("1"), "from 默认1");
    assert_eq!(qex["limit"], json!("20"), "from 默认20");

    let inv = read(&out, "share/invite-records.json");
    let q = &inv["request"]["query"];
    assert!(
        inv["request"].get("body").is_none(),
        "GET params go to the query"
    );
    assert!(prop(q, "status").is_object());
    assert!(
        prop(q, "total").is_null(),
        "lists under **业务说明** are not params"
    );
}

#[test]
fn path_parameters_come_from_the_path_and_auth_from_the_header() {
    let md = chapter(&[
        section(
            1,
            "购买份额",
            "POST /api/v1/crowdfunding/shares/buy/{transactionId}",
            &format!(
                "**请求头**: `Authorization: Bearer <token>`\n\n{}",
                response(r#"{ "ok": true }"#)
            ),
        ),
        section(
            2,
            "房车详情",
            "GET /api/v1/vehicles/{id}",
            &format!(
                "**路径参数**:\n\n- id: string (必填) - 房车ID\n\n{}",
                response(r#"{ "id": "v1" }"#)
            ),
        ),
    ]);
    let (_d, out, _) = import(&md);
    let buy = read(&out, "crowdfunding/shares-buy.json");
    assert_eq!(buy["auth"], json!("user"));
    assert_eq!(
        required(&buy["request"]["path_params"]),
        vec!["transactionId"]
    );
    assert_eq!(
        buy["example"]["request"]["path_params"]["transactionId"],
        json!("transaction_001")
    );
    let detail = read(&out, "vehicles/detail.json");
    assert_eq!(detail["auth"], json!("none"));
    assert_eq!(
        prop(&detail["request"]["path_params"], "id"),
        &json!({ "type": "string", "minLength": 1, "description": "房车ID" })
    );
    assert_eq!(
        detail["example"]["request"]["path_params"]["id"],
        json!("vehicle_001")
    );
}

#[test]
fn comments_and_trailing_commas_in_json_blocks_are_accepted() {
    let md = chapter(&[section(
        1,
        "用户信息",
        "GET /api/v1/users/profile",
        "**响应格式**:\n```json\n{\n  \"code\": 0, // 成功\n  \"message\": \"success\",\n  \"data\": {\n    \"tags\": [],  // 标签，如 [\"PLUS会员\"]\n    /* 块注释 */\n    \"site\": \"https://example.com/a//b\",\n    \"list\": [1, 2,],\n  },\n}\n```\n",
    )]);
    let (_d, out, summary) = import(&md);
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let c = read(&out, "users/profile.json");
    let data = &c["example"]["response"]["data"];
    assert_eq!(
        data["site"],
        json!("https://example.com/a//b"),
        "`//` inside a string stays"
    );
    assert_eq!(data["list"], json!([1, 2]));
    assert_eq!(required(data_schema(&c)), vec!["tags", "site", "list"]);
}

#[test]
fn a_broken_json_block_is_reported_with_its_doc_line_and_the_rest_is_imported() {
    let md = chapter(&[
        section(
            1,
            "坏例子",
            "GET /api/v1/things/broken",
            "**响应格式**:\n```json\n{\n  \"code\": 0,\n  \"data\": {\n    \"a\": 1\n    \"b\": 2\n  }\n}\n```\n",
        ),
        section(2, "好例子", "GET /api/v1/things/good", &response(r#"{ "a": 1 }"#)),
    ]);
    let bad_line = md
        .lines()
        .position(|l| l.contains("\"b\": 2"))
        .expect("the broken line")
        + 1;
    let (_d, path, out) = doc(&md);
    let summary = import_apidoc(&path, &out, false).expect("import");
    let w: Vec<_> = summary
        .warnings
        .iter()
        .filter(|w| w.message.contains("response example is not JSON"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", summary.warnings);
    assert_eq!(w[0].line, bad_line);
    assert!(summary
        .render()
        .contains(&format!("api.md:{bad_line}: response example is not JSON")));
    // Not fatal: both contracts are written, the broken one with a permissive data schema.
    assert_eq!(summary.written.len(), 2);
    let broken = read(&out, "things/broken.json");
    assert!(broken["response"]["data"].get("type").is_none());
    // And the command still exits 0.
    let status = assert_cmd::Command::cargo_bin("daodao-check")
        .expect("binary")
        .args(["import", "apidoc"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .arg("--force")
        .output()
        .expect("runs")
        .status;
    assert_eq!(status.code(), Some(0));
}

#[test]
fn existing_contracts_are_kept_unless_force() {
    let md = chapter(&[
        section(
            1,
            "详情",
            "GET /api/v1/things/{id}",
            &response(r#"{ "a": 1 }"#),
        ),
        section(2, "列表", "GET /api/v1/things", &response(r#"{ "b": 1 }"#)),
    ]);
    let (_d, path, out) = doc(&md);
    let detail = out.join("things/detail.json");
    std::fs::create_dir_all(detail.parent().expect("dir")).expect("mkdir");
    std::fs::write(&detail, "hand-written\n").expect("write");

    let s = import_apidoc(&path, &out, false).expect("import");
    assert_eq!(s.skipped, vec![detail.clone()]);
    assert_eq!(s.written, vec![out.join("things/list.json")]);
    assert_eq!(
        std::fs::read_to_string(&detail).expect("read"),
        "hand-written\n"
    );
    assert!(s.render().contains("skipped (exists)"));

    // A second import without --force writes nothing at all.
    let again = import_apidoc(&path, &out, false).expect("import");
    assert!(again.written.is_empty());
    assert_eq!(again.skipped.len(), 2);

    let forced = import_apidoc(&path, &out, true).expect("import");
    assert_eq!(forced.written.len(), 2);
    assert!(forced.skipped.is_empty());
    assert_eq!(
        read(&out, "things/detail.json")["id"],
        json!("things.detail")
    );
}

#[test]
fn a_route_already_described_under_another_name_is_that_contract() {
    let md = chapter(&[section(
        1,
        "钱包余额",
        "GET /api/v1/users/wallet",
        &response(r#"{ "balance": 1.5 }"#),
    )]);
    let (_d, path, out) = doc(&md);
    let mine = out.join("wallet/balance.json");
    std::fs::create_dir_all(mine.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &mine,
        r#"{ "id": "wallet.balance", "method": "GET", "path": "/users/wallet" }"#,
    )
    .expect("write");
    let s = import_apidoc(&path, &out, false).expect("import");
    assert_eq!(s.skipped, vec![mine.clone()]);
    assert!(
        !out.join("users").exists(),
        "no second contract for the route"
    );
    let forced = import_apidoc(&path, &out, true).expect("import");
    assert_eq!(forced.written, vec![mine]);
    assert_eq!(
        read(&out, "wallet/balance.json")["id"],
        json!("wallet.balance")
    );
}

#[test]
fn duplicate_endpoints_keep_the_first_and_report_the_others_with_their_lines() {
    let md = chapter(&[
        section(
            1,
            "钱包一",
            "GET /api/v1/users/wallet",
            &response(r#"{ "first": 1 }"#),
        ),
        section(
            2,
            "钱包二",
            "GET /api/v1/users/wallet",
            &response(r#"{ "second": 1 }"#),
        ),
    ]);
    let lines: Vec<usize> = md
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("**接口**"))
        .map(|(i, _)| i + 1)
        .collect();
    let (_d, out, s) = import(&md);
    assert_eq!(s.endpoints, 1);
    let dup: Vec<_> = s
        .warnings
        .iter()
        .filter(|w| w.message.contains("duplicate"))
        .collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].line, lines[1]);
    assert!(dup[0].message.contains(&format!("line {}", lines[0])));
    let c = read(&out, "users/wallet.json");
    assert_eq!(c["name"], json!("钱包一"));
    assert!(prop(data_schema(&c), "first").is_object());
}

#[test]
fn prose_responses_are_permissive_and_same_as_references_reuse_the_sibling() {
    let md = chapter(&[
        section(
            1,
            "用户注册",
            "POST /api/v1/auth/register",
            &response(r#"{ "token": "jwt_token" }"#),
        ),
        section(
            2,
            "用户登录",
            "POST /api/v1/auth/login",
            "**请求参数**:\n\n- phone: string (必填) - 手机号\n\n**响应格式**: 同注册接口\n",
        ),
        section(
            3,
            "收藏列表",
            "GET /api/v1/vehicles/favorites",
            "**响应格式**: 类似车辆列表，但包含收藏时间。\n",
        ),
    ]);
    let prose_line = md
        .lines()
        .position(|l| l.contains("类似车辆列表"))
        .expect("line")
        + 1;
    let (_d, out, s) = import(&md);
    let login = read(&out, "auth/login.json");
    assert_eq!(
        data_schema(&login),
        &json!({ "type": "object", "required": ["token"], "properties": { "token": { "type": "string" } } })
    );
    assert!(s
        .notes
        .iter()
        .any(|n| n.message.contains("reuses 1.1 用户注册")));
    let fav = read(&out, "vehicles/favorites.json");
    assert!(data_schema(&fav).get("type").is_none(), "permissive");
    assert!(s
        .notes
        .iter()
        .any(|n| n.line == prose_line && n.message.contains("only as prose")));
}

#[test]
fn output_is_pretty_json_in_contract_key_order_with_a_trailing_newline() {
    let md = chapter(&[section(
        1,
        "上传图片",
        "POST /api/v1/ratings/upload-image",
        &format!(
            "**请求头**: `Authorization: Bearer <token>`\n\n**请求参数**: multipart/form-data\n\n- file: File (必填) - 图片文件\n\n{}",
            response(r#"{ "url": "https://example.com/a.jpg" }"#)
        ),
    )]);
    let (_d, out, _) = import(&md);
    let text = std::fs::read_to_string(out.join("ratings/upload-image.json")).expect("read");
    assert!(text.ends_with("}\n"));
    assert!(text.starts_with("{\n  \"id\": \"ratings.upload-image\",\n  \"method\": \"POST\",\n"));
    let c: Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<&str> = c
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "method",
            "path",
            "phase",
            "module",
            "name",
            "auth",
            "body_format",
            "request",
            "response",
            "example",
            "errors"
        ]
    );
    assert_eq!(
        c["request"]["body"]["properties"]["file"]["format"],
        json!("binary")
    );
    assert_eq!(
        c["example"]["request"]["body"]["file"],
        json!("images/upload.png")
    );
    assert_eq!(c["errors"], json!([]));
    assert_eq!(c["phase"], json!(0));
    assert_eq!(c["name"], json!("上传图片"));
}

#[test]
fn a_plan_in_the_out_dir_gives_phase_module_and_name() {
    let md = chapter(&[
        section(
            1,
            "邀请码",
            "POST /api/v1/invite/generate-code",
            &response("{}"),
        ),
        section(2, "不在计划", "GET /api/v1/about", &response("{}")),
    ]);
    let (_d, path, out) = doc(&md);
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(
        out.join("plan.toml"),
        r#"prefix = "/api/v1"
[[module]]
id = "coupons"
name = "优惠券模块"
[[phase]]
number = 7
name = "营销"
table_name = "营销"
priority = 2
modules = ["coupons"]
endpoints = [{ endpoint = "POST /api/v1/invite/generate-code", name = "生成邀请码", module = "coupons" }]
"#,
    )
    .expect("plan");
    let s = import_apidoc(&path, &out, false).expect("import");
    let c = read(&out, "coupons/invite-generate-code.json");
    assert_eq!(
        (&c["id"], &c["phase"], &c["module"], &c["name"]),
        (
            &json!("coupons.invite-generate-code"),
            &json!(7),
            &json!("coupons"),
            &json!("生成邀请码")
        )
    );
    let about = read(&out, "about/detail.json");
    assert_eq!(about["phase"], json!(0));
    assert!(s
        .notes
        .iter()
        .any(|n| n.message.contains("not in plan.toml")));
}

#[test]
fn the_naming_rule() {
    let cases = [
        ("GET", "/vehicles", "vehicles", "list"),
        ("POST", "/orders", "orders", "create"),
        ("GET", "/vehicles/{id}", "vehicles", "detail"),
        ("PUT", "/ratings/{id}", "ratings", "update"),
        ("DELETE", "/ratings/{id}", "ratings", "delete"),
        ("POST", "/vehicles/{id}/favorite", "vehicles", "favorite"),
        ("GET", "/hosting/vehicles/{id}", "hosting", "vehicle-detail"),
        ("GET", "/hosting/income/detail", "hosting", "income-detail"),
        ("POST", "/community/posts", "community", "create-post"),
        ("GET", "/community/posts", "community", "posts"),
        (
            "POST",
            "/community/posts/{id}/comments",
            "community",
            "create-post-comment",
        ),
        ("PUT", "/orders/{orderNo}/status", "orders", "update-status"),
        (
            "POST",
            "/users/payment-password/set",
            "users",
            "payment-password-set",
        ),
        (
            "POST",
            "/crowdfunding/shares/buy/{transactionId}",
            "crowdfunding",
            "shares-buy",
        ),
        ("GET", "/help/categories", "help", "categories"),
        (
            "POST",
            "/invite/generate-code",
            "coupons",
            "invite-generate-code",
        ),
        ("GET", "/about", "about", "detail"),
    ];
    for (method, path, module, name) in cases {
        assert_eq!(contract_name(method, path, module), name, "{method} {path}");
    }
}

#[test]
fn unreadable_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let import = |doc: &Path| {
        assert_cmd::Command::cargo_bin("daodao-check")
            .expect("binary")
            .args(["import", "apidoc"])
            .arg(doc)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("runs")
    };
    let missing = import(&dir.path().join("no-such.md"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such.md"));
    let binary = dir.path().join("binary.md");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).expect("write");
    let not_utf8 = import(&binary);
    assert_eq!(not_utf8.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_utf8.stderr).contains("not UTF-8"));
    assert!(!out.exists());
}

/// Every contract written parses as a contract, is structurally sound, and its examples validate against
/// its own schemas (with formats on, through the engine's own schema set, no shared schemas).
fn assert_all_valid(out: &Path, written: &[PathBuf]) {
    let empty = tempfile::tempdir().expect("temp dir");
    let (set, problems) = SchemaSet::load(empty.path(), empty.path());
    assert!(problems.is_empty(), "{problems:?}");
    let mut checked = 0;
    for file in written {
        let text = std::fs::read_to_string(file).expect("read");
        let c = parse_contract(&text).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        let rel = file.strip_prefix(out).expect("under out");
        let expected_id = format!(
            "{}.{}",
            rel.parent().expect("module dir").display(),
            rel.file_stem().expect("stem").to_string_lossy()
        );
        let problems = structural_problems(&c, &file.display().to_string(), Some(&expected_id));
        assert!(problems.is_empty(), "{problems:?}");
        let pairs = [
            (&c.request.path_params, &c.example.request.path_params),
            (&c.request.query, &c.example.request.query),
            (&c.request.body, &c.example.request.body),
        ];
        for (schema, example) in pairs {
            if let Some(schema) = schema {
                let v = set.compile(&c.id, schema).expect("request schema compiles");
                let instance = example.clone().unwrap_or(json!({}));
                assert_eq!(violations(&v, &instance), vec![], "{}", file.display());
            }
        }
        let data = c.response.data.as_ref().expect("a data schema");
        let v = set.compile(&c.id, data).expect("data schema compiles");
        let instance = c
            .example
            .response
            .get("data")
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(violations(&v, &instance), vec![], "{}", file.display());
        assert_eq!(c.example.response["code"], json!(0));
        checked += 1;
    }
    assert_eq!(checked, written.len());
}

const REAL_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/docs/小程序端API.md");

#[test]
fn the_real_doc_imports_every_endpoint_and_every_contract_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("contracts");
    let s = import_apidoc(Path::new(REAL_DOC), &out, false).expect("import the real doc");

    // 146 `**接口**` lines, three of them routes given twice (users/wallet, stores, stores/{id}).
    assert_eq!(s.endpoints, 143);
    assert_eq!(s.written.len(), 143);
    let dup_lines: Vec<usize> = s
        .warnings
        .iter()
        .filter(|w| w.message.contains("duplicate"))
        .map(|w| w.line)
        .collect();
    assert_eq!(dup_lines, vec![5432, 5720, 5778]);
    assert_eq!(s.warnings.len(), 3, "{:?}", s.warnings);

    let list = read(&out, "vehicles/list.json");
    let data = data_schema(&list);
    assert_eq!(required(data), vec!["list", "pagination"]);
    let item = &prop(data, "list")["items"];
    assert_eq!(prop(item, "basePrice")["type"], json!("number"));
    assert_eq!(prop(item, "year")["type"], json!("integer"));
    assert_eq!(
        prop(prop(item, "store"), "distance")["type"],
        json!("number")
    );
    let pagination = prop(data, "pagination");
    assert_eq!(
        required(pagination),
        vec!["page", "limit", "total", "totalPages"]
    );
    assert_eq!(prop(pagination, "total")["type"], json!("integer"));
    assert_eq!(
        required(&list["request"]["query"]),
        vec!["pickupCity", "pickupStoreId", "pickupDate", "returnDate"]
    );

    let send = read(&out, "auth/send-code.json");
    assert_eq!(required(&send["request"]["body"]), vec!["phone"]);
    assert_eq!(send["auth"], json!("none"));

    let profile = read(&out, "users/profile.json");
    assert_eq!(profile["auth"], json!("user"));
    assert_eq!(
        prop(data_schema(&profile), "tags"),
        &json!({ "type": "array" })
    );

    let update = read(&out, "users/update-profile.json");
    assert_eq!(
        prop(&update["request"]["body"], "gender")["enum"],
        json!(["MALE", "FEMALE", "UNKNOWN"])
    );

    let login = read(&out, "auth/login.json");
    assert_eq!(
        data_schema(&login),
        data_schema(&read(&out, "auth/register.json"))
    );

    let booking = read(&out, "tours/create-booking.json");
    assert!(!required(&booking["request"]["body"]).contains(&"couponId".to_string()));

    assert!(
        s.notes.iter().any(|n| n.line == 547),
        "类似车辆列表 is noted"
    );
    assert_all_valid(&out, &s.written);
}

#[test]
fn unreadable_endpoint_and_parameter_lines_are_reported_with_their_lines() {
    let md = chapter(&[
        section(1, "旧版本", "GET /api/v2/legacy", &response("{}")),
        section(
            2,
            "参数",
            "POST /api/v1/things/create-one",
            &format!(
                "**请求参数**:\n\n- name: string (必填) - 名称\n- 这一行不是参数\n\n{}",
                response("{}")
            ),
        ),
    ]);
    let line_of = |needle: &str| md.lines().position(|l| l.contains(needle)).expect(needle) + 1;
    let (_d, out, s) = import(&md);
    let at = |line: usize| s.warnings.iter().find(|w| w.line == line);
    assert!(at(line_of("/api/v2/legacy")).is_some_and(|w| w.message.contains("/api/v1")));
    assert!(at(line_of("这一行不是参数")).is_some_and(|w| w.message.contains("parameter line")));
    assert_eq!(s.endpoints, 1);
    let c = read(&out, "things/create-one.json");
    assert_eq!(required(&c["request"]["body"]), vec!["name"]);
}

#[test]
fn a_doc_without_endpoints_is_unreadable_input() {
    let (_d, path, out) = doc("# 说明\n\n没有接口。\n");
    let e = import_apidoc(&path, &out, false).expect_err("no endpoint");
    assert!(e.to_string().contains("no endpoint found"), "{e}");
    assert_eq!(daodao_check::error::Error::from(e).exit_code(), 2);
    assert!(!out.exists());
}
