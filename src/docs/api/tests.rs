use super::*;

const DOC: &str = "\
# 叨叨房车API
说明文字
## 1. 用户认证模块 (auth)

### 1.1 发送验证码

**接口**: `POST /api/v1/auth/send-code`
**请求头**: `Authorization: Bearer <token>`

**请求参数**:
- phone: string (必填) - 手机号
- type: string (可选) - 类型
- 这一行不是参数

**响应格式**:
```json
{ \"code\": 0 }
```

**联调结果**: 待测试

### 1.2 说明

没有接口。

## 2. 房车模块 (vehicles)

### 2.1 房车列表

**接口**: `GET /api/v1/vehicles`

#### 查询

**请求参数**:
- page: number (必填) - 页码

**响应格式**: 同注册接口

**联调结果**: 联调成功 (2026-01-06)
";

fn section<'a>(doc: &'a ApiDoc, number: &str) -> &'a Section {
    doc.sections
        .iter()
        .find(|s| s.number.as_deref() == Some(number))
        .unwrap_or_else(|| panic!("section {number}"))
}

#[test]
fn sections_have_their_heading_line_number_title_and_chapter() {
    let doc = ApiDoc::parse(DOC);
    let titles: Vec<(usize, usize, Option<&str>, &str, usize)> = doc
        .sections
        .iter()
        .map(|s| {
            (
                s.heading_line,
                s.level,
                s.number.as_deref(),
                s.title.as_str(),
                s.chapter,
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            (0, 0, None, "", 0),
            (1, 1, None, "叨叨房车API", 1),
            (3, 2, None, "1. 用户认证模块 (auth)", 2),
            (5, 3, Some("1.1"), "发送验证码", 2),
            (22, 3, Some("1.2"), "说明", 2),
            (26, 2, None, "2. 房车模块 (vehicles)", 3),
            (28, 3, Some("2.1"), "房车列表", 3),
        ]
    );
}

#[test]
fn endpoint_lines_and_result_fields_carry_their_lines() {
    let doc = ApiDoc::parse(DOC);
    let s = section(&doc, "1.1");
    assert_eq!(s.endpoint_fields.len(), 1);
    let e = &s.endpoint_fields[0];
    assert_eq!(e.line, 7);
    assert_eq!(e.value, "`POST /api/v1/auth/send-code`");
    assert_eq!(
        e.route.as_ref().map(|r| r.spelling()),
        Some("POST /api/v1/auth/send-code".to_string())
    );
    assert!(s.auth_user);
    assert_eq!(
        s.result_fields,
        [ResultField {
            line: 20,
            prefix: "**联调结果**: ".into(),
            value: "待测试".into(),
            endpoint: Some(0),
        }]
    );
    assert!(section(&doc, "1.2").endpoint_fields.is_empty());
}

#[test]
fn parameter_lists_say_required_and_where_the_parameter_goes() {
    let doc = ApiDoc::parse(DOC);
    let s = section(&doc, "1.1");
    let params: Vec<(usize, &str, bool, ParamLocation)> = s
        .params
        .iter()
        .map(|p| (p.line, p.name.as_str(), p.required, p.location))
        .collect();
    assert_eq!(
        params,
        [
            (11, "phone", true, ParamLocation::Body),
            (12, "type", false, ParamLocation::Body),
        ]
    );
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(s.warnings[0].line, 13);
    assert_eq!(
        s.response_json,
        Some(Located {
            line: 17,
            text: "{ \"code\": 0 }".into()
        })
    );
    // The parameters of a GET are its query.
    let g = section(&doc, "2.1");
    assert_eq!(g.params.len(), 1);
    assert_eq!(g.params[0].location, ParamLocation::Query);
}

#[test]
fn a_deeper_heading_stays_in_the_section_of_its_endpoint() {
    let doc = ApiDoc::parse(DOC);
    let s = section(&doc, "2.1");
    assert_eq!(s.params[0].line, 35);
    assert_eq!(
        s.response_prose,
        Some(Located {
            line: 37,
            text: "同注册接口".into()
        })
    );
    assert_eq!(s.result_fields.len(), 1);
    assert_eq!(s.result_fields[0].endpoint, Some(0));
    assert!(!doc.sections.iter().any(|x| x.title == "查询"));
}

#[test]
fn a_deeper_heading_before_any_endpoint_opens_its_own_section() {
    let doc = ApiDoc::parse("### 1.1 登录\n#### 接口\n**接口**: `POST /api/v1/auth/login`\n");
    assert!(doc.sections[1].endpoint_fields.is_empty());
    assert_eq!(doc.sections[2].level, 4);
    assert_eq!(doc.sections[2].endpoint_fields[0].line, 3);
}

#[test]
fn code_blocks_hide_fields_and_an_unclosed_one_is_reported_at_its_start() {
    let doc = ApiDoc::parse(
        "### 1.1 a\n**接口**: `GET /api/v1/a`\n~~~\n**接口**: `GET /api/v1/b`\n~~~\n```json\n{}\n",
    );
    let s = &doc.sections[1];
    assert_eq!(s.endpoint_fields.len(), 1);
    assert_eq!(doc.unclosed_fence, Some(6));
}

#[test]
fn unreadable_endpoints_and_fields_without_an_endpoint_are_kept_for_the_caller_to_judge() {
    let doc = ApiDoc::parse(
        "### 1.1 a\n**接口**: 待定\n**联调结果**: 待测试\n### 1.2 b\n**联调结果**: 待测试\n",
    );
    let a = &doc.sections[1];
    assert_eq!(a.endpoint_fields[0].route, None);
    assert_eq!(a.endpoint_fields[0].value, "待定");
    assert_eq!(a.result_fields[0].endpoint, Some(0));
    assert_eq!(doc.sections[2].result_fields[0].endpoint, None);
    assert_eq!(doc.sections[2].result_fields[0].line, 5);
}

#[test]
fn a_second_example_is_a_warning_and_multipart_and_prose_requests_are_noted() {
    let doc = ApiDoc::parse(
        "### 1.1 a\n**接口**: `POST /api/v1/a`\n**请求参数**: multipart/form-data\n- file: file (必填)\n**响应格式**:\n```\n{}\n```\n```json\n[]\n```\n### 1.2 b\n**接口**: `POST /api/v1/b`\n**请求参数**: 同1.1\n",
    );
    let a = &doc.sections[1];
    assert!(a.multipart);
    assert_eq!(a.params[0].ty, "file");
    assert_eq!(a.response_json.as_ref().map(|j| j.line), Some(7));
    assert_eq!(
        a.warnings,
        [Issue {
            line: 9,
            message: "a second response example in one section is ignored".into()
        }]
    );
    assert_eq!(
        doc.sections[2].request_prose,
        Some(Located {
            line: 14,
            text: "同1.1".into()
        })
    );
}

#[test]
fn crlf_and_a_byte_order_mark_read_the_same() {
    let crlf = format!("\u{feff}{}", DOC.replace('\n', "\r\n"));
    assert_eq!(ApiDoc::parse(&crlf), ApiDoc::parse(DOC));
}
