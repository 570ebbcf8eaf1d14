//! The derived inputs of whole requests: which, in which order, judged how.

use super::*;
use crate::contract::schema::Compiled;
use serde_json::json;

fn validator(schema: Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a schema")
}

/// A request's schemas and valid parts, and the inputs derived from them.
struct Endpoint {
    method: &'static str,
    schemas: RequestParts,
    valid: RequestParts,
}

impl Endpoint {
    fn new(method: &'static str) -> Endpoint {
        Endpoint {
            method,
            schemas: RequestParts::default(),
            valid: RequestParts::default(),
        }
    }
    fn path(mut self, schema: Value, valid: Value) -> Self {
        self.schemas.path_params = Some(schema);
        self.valid.path_params = Some(valid);
        self
    }
    fn query(mut self, schema: Value, valid: Value) -> Self {
        self.schemas.query = Some(schema);
        self.valid.query = Some(valid);
        self
    }
    fn body(mut self, schema: Value, valid: Value) -> Self {
        self.schemas.body = Some(schema);
        self.valid.body = Some(valid);
        self
    }
    fn compiled(&self) -> Compiled {
        Compiled {
            path_params: self.schemas.path_params.clone().map(validator),
            query: self.schemas.query.clone().map(validator),
            body: self.schemas.body.clone().map(validator),
            data: None,
        }
    }
    fn with<T>(&self, f: impl FnOnce(&Request) -> T) -> T {
        let compiled = self.compiled();
        let docs = SchemaDocs::default();
        let req = Request {
            method: self.method,
            valid: &self.valid,
            compiled: &compiled,
            schemas: &self.schemas,
            docs: &docs,
            json_body: true,
        };
        f(&req)
    }
    fn inputs(&self) -> Vec<Input> {
        self.with(derive)
    }
}

fn rules(inputs: &[Input]) -> Vec<&str> {
    inputs.iter().map(|i| i.rule.as_str()).collect()
}

fn string_id() -> Value {
    json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "minLength": 1}}})
}

#[test]
fn a_read_by_id_gets_letters_first_then_ids_that_name_nothing() {
    let inputs = Endpoint::new("GET")
        .path(string_id(), json!({"id": "vehicle_001"}))
        .inputs();
    assert_eq!(
        rules(&inputs),
        [
            "非数字 ID",
            "数字 ID",
            "ID 为负数",
            "ID 为 0",
            "超长 ID",
            "ID 含 ../ 与 %2F"
        ]
    );
    assert_eq!(inputs[0].shown, "path id = \"abc\"");
    assert_eq!(inputs[0].place.pointer(), "/path/id");
    assert_eq!(inputs[0].sent, Sent::Param(json!("abc")));
    // A text id: every one is of the right shape and names nothing.
    assert!(inputs.iter().all(|i| i.due == Due::NotFound), "{inputs:?}");
    assert_eq!(
        inputs[4].shown,
        "path id = \"xxxxxxxxxxxxxxxx…\" (256 个字符)"
    );
    assert_eq!(inputs[5].sent, Sent::Param(json!("../../etc/passwd")));
}

#[test]
fn a_numeric_id_refuses_letters_and_a_bounded_one_its_length() {
    let schema = json!({"type": "object", "properties": {
        "orderNo": {"type": "string", "pattern": "^[0-9]{1,12}$"}}});
    let inputs = Endpoint::new("GET")
        .path(schema, json!({"orderNo": "100003"}))
        .inputs();
    let due: Vec<(&str, Due)> = inputs.iter().map(|i| (i.rule.as_str(), i.due)).collect();
    assert_eq!(
        due,
        [
            ("非数字 ID", Due::Refused),
            ("数字 ID", Due::NotFound),
            ("ID 为负数", Due::Refused),
            ("ID 为 0", Due::NotFound),
            ("ID 超过 12 个字符", Due::Refused),
            ("ID 含 ../ 与 %2F", Due::Refused),
        ]
    );
    assert_eq!(inputs[4].sent, Sent::Param(json!("1000031000031")));
    assert!(inputs[4].from_valid);
}

#[test]
fn a_write_keeps_the_id_its_valid_request_used() {
    let inputs = Endpoint::new("POST")
        .path(string_id(), json!({"id": "order_1"}))
        .inputs();
    assert!(inputs.is_empty(), "{inputs:?}");
}

fn page_query() -> Value {
    json!({"type": "object", "properties": {
        "page": {"type": "string", "pattern": "^[1-9][0-9]*$"},
        "limit": {"type": "string", "pattern": "^([1-9]|[1-9][0-9]|100)$"},
        "status": {"type": "string", "enum": ["PAID", "CANCELLED"]}
    }})
}

#[test]
fn a_list_gets_each_bound_broken_then_kept_most_informative_first() {
    let inputs = Endpoint::new("GET")
        .query(page_query(), json!({"page": "1", "limit": "20"}))
        .inputs();
    assert_eq!(
        rules(&inputs),
        [
            "page=0",
            "limit=0",
            "limit=101",
            "page=abc",
            "limit=abc",
            "status 不在枚举内",
            "page 为空",
            "page 重复出现",
            "limit 为空",
            "limit 重复出现",
            "status 为空",
            "limit=1",
            "limit=100",
            "page=999999999999",
        ]
    );
    let due = |rule: &str| inputs.iter().find(|i| i.rule == rule).map(|i| i.due);
    assert_eq!(due("page=0"), Some(Due::Refused));
    assert_eq!(due("limit=100"), Some(Due::Served));
    assert_eq!(due("page=999999999999"), Some(Due::Served));
    let shown: Vec<&str> = inputs.iter().map(|i| i.shown.as_str()).collect();
    assert_eq!(shown[0], "query page = 0");
    assert_eq!(shown[6], "query page = \"\"");
    assert_eq!(shown[7], "query page = 1, 1 (重复)");
    let (parts, raw) = apply(&RequestParts::default(), &inputs[7]);
    assert_eq!(parts.query, Some(json!({"page": ["1", "1"]})));
    assert!(raw.is_none());
}

#[test]
fn where_zero_is_a_page_it_must_be_served() {
    let schema = json!({"type": "object", "properties": {"page": {"type": "string", "pattern": "^[0-9]+$"}}});
    let inputs = Endpoint::new("GET")
        .query(schema, json!({"page": "1"}))
        .inputs();
    let page_zero = inputs.iter().find(|i| i.rule == "page=0").expect("page=0");
    assert_eq!(page_zero.due, Due::Served);
    assert_eq!(page_zero.rank, Rank::Inside);
    assert_eq!(inputs[0].rule, "page=-1");
}

fn recharge() -> Value {
    json!({"type": "object", "required": ["amount", "paymentMethod"], "properties": {
        "amount": {"type": "number", "minimum": 10, "maximum": 5000},
        "paymentMethod": {"type": "string", "enum": ["wechat", "alipay"]},
        "remark": {"type": "string", "minLength": 1, "maxLength": 20},
        "day": {"type": "string", "format": "date"},
        "phone": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"}
    }})
}

#[test]
fn a_body_gets_nothing_then_each_field_past_its_bounds() {
    let valid = json!({"amount": 100, "paymentMethod": "wechat", "remark": "充值",
                       "day": "2026-12-01", "phone": "13800138000"});
    let inputs = Endpoint::new("POST").body(recharge(), valid).inputs();
    assert_eq!(
        rules(&inputs),
        [
            "空请求体",
            "amount = 9",
            "amount = 0",
            "amount = 5001",
            "remark 超过 20 个字符",
            "remark 为空字符串",
            "paymentMethod 不在枚举内",
            "day 日期格式错误",
            "phone 手机号格式错误",
            "请求体为 null",
        ]
    );
    assert!(inputs.iter().all(|i| i.due == Due::Refused));
    assert_eq!(inputs[1].shown, "body.amount = 9");
    assert_eq!(inputs[1].place.pointer(), "/body/amount");
    let long = &inputs[4];
    assert_eq!(long.sent, Sent::Field(json!("充值".repeat(10) + "充")));
    assert!(long.from_valid && !inputs[5].from_valid);
    let (parts, raw) = apply(&RequestParts::default(), &inputs[0]);
    assert_eq!(parts.body, None);
    assert_eq!(
        raw,
        Some(Body::Raw {
            content_type: "application/json".into(),
            text: String::new()
        })
    );
    let (parts, _) = apply(&RequestParts::default(), &inputs[1]);
    assert_eq!(parts.body, Some(json!({"amount": 9})));
}

#[test]
fn a_schema_that_forbids_other_fields_gets_one() {
    let schema = json!({"type": "object", "additionalProperties": false,
                        "properties": {"note": {"type": "string"}}});
    let inputs = Endpoint::new("PUT")
        .body(schema, json!({"note": "x"}))
        .inputs();
    assert_eq!(rules(&inputs), ["未定义字段", "请求体为 null"]);
    assert_eq!(
        inputs[0].place,
        Place::Body(Some("daodaoCheckUnknownField".into()))
    );
}

#[test]
fn the_same_catalogue_gives_the_same_inputs() {
    let endpoint = Endpoint::new("GET")
        .path(string_id(), json!({"id": "v1"}))
        .query(page_query(), json!({"page": "2"}));
    assert_eq!(endpoint.inputs(), endpoint.inputs());
}

#[test]
fn a_documented_error_case_matches_by_field_and_by_how_the_schema_judges_it() {
    let endpoint = Endpoint::new("GET")
        .path(string_id(), json!({"id": "vehicle_001"}))
        .query(page_query(), json!({"page": "1", "limit": "20"}));
    let errors = [
        // Not found: the id changed to one of the right shape.
        RequestParts {
            path_params: Some(json!({"id": "no-such-vehicle-0000"})),
            ..Default::default()
        },
        // Bad input: the page changed to one the schema refuses.
        RequestParts {
            path_params: Some(json!({"id": "vehicle_001"})),
            query: Some(json!({"page": "abc", "limit": "20"})),
            body: None,
        },
    ];
    let inputs = endpoint.inputs();
    let find = |rule: &str| inputs.iter().find(|i| i.rule == rule).expect(rule);
    endpoint.with(|req| {
        assert_eq!(documented(req, find("非数字 ID"), &errors), Some(0));
        assert_eq!(documented(req, find("page=0"), &errors), Some(1));
        // The limit is not what either changed; a value to be served matches nothing.
        assert_eq!(documented(req, find("limit=0"), &errors), None);
        assert_eq!(documented(req, find("limit=100"), &errors), None);
    });
}

#[test]
fn an_unknown_level_in_a_contract_names_its_place() {
    let text = r#"{"id": "a.b", "method": "GET", "path": "/a", "phase": 1, "module": "a",
        "name": "a", "auth": "none", "example": {"response": {}},
        "run": {"negative": "sometimes"}}"#;
    let err = crate::contract::parse_contract(text).expect_err("unknown level");
    assert!(
        err.place.starts_with("run.negative (line 3"),
        "{}",
        err.place
    );
    assert!(
        err.message
            .contains("unknown variant `sometimes`, expected one of `off`, `basic`, `all`"),
        "{}",
        err.message
    );
    let ok = text.replace("sometimes", "off");
    let c = crate::contract::parse_contract(&ok).expect("off is known");
    assert_eq!(
        c.run.and_then(|r| r.negative),
        Some(crate::config::NegativeMode::Off)
    );
}

#[test]
fn query_text_gets_its_format_its_pattern_and_its_length() {
    let schema = json!({"type": "object", "required": ["keyword"], "properties": {
        "keyword": {"type": "string", "minLength": 2, "maxLength": 10},
        "pickupDate": {"type": "string", "format": "date"},
        "priceRange": {"type": "string", "pattern": "^[0-9]+-[0-9]+$"},
        "note": {"type": "string"},
        "city": {"type": "string"}
    }});
    let valid =
        json!({"keyword": "房车", "pickupDate": "2026-12-01", "priceRange": "1-2", "note": "x"});
    let inputs = Endpoint::new("GET").query(schema, valid).inputs();
    assert_eq!(
        rules(&inputs),
        [
            "keyword 超过 10 个字符",
            "keyword 少于 2 个字符",
            "pickupDate 日期格式错误",
            "priceRange 取值无效",
            "keyword 为空",
            "keyword 重复出现",
            "pickupDate 为空",
            "pickupDate 重复出现",
            "priceRange 为空",
            "priceRange 重复出现",
            "note 重复出现",
            "keyword 恰为 10 个字符",
        ]
    );
    assert_eq!(inputs[1].sent, Sent::Param(json!("房")));
}

#[test]
fn a_valid_request_its_schema_refuses_gets_nothing_from_that_part() {
    // A backend that drifted answered an id as a number, and the valid request sends it back.
    let inputs = Endpoint::new("POST")
        .body(
            recharge(),
            json!({"amount": "100", "paymentMethod": "wechat"}),
        )
        .inputs();
    assert!(inputs.is_empty(), "{inputs:?}");
    let inputs = Endpoint::new("GET")
        .query(page_query(), json!({"page": "first"}))
        .path(string_id(), json!({"id": ""}))
        .inputs();
    assert!(inputs.is_empty(), "{inputs:?}");
}
