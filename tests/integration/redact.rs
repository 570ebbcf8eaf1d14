//! Secrets in excerpts and curl reproductions: masked by value and by field name.

use daodao_check::exec::http::HttpRequest;
use daodao_check::redact::{Redactor, SecretKind};
use serde_json::json;

fn request(body: serde_json::Value) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        url: "http://127.0.0.1:3001/api/v1/auth/login".into(),
        path: "/auth/login".into(),
        headers: vec![
            ("Authorization".into(), "Bearer live-token-123456".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(body),
        multipart_files: None,
    }
}

#[test]
fn curl_uses_variables_for_secret_fields_and_known_secrets() {
    let r = Redactor::new();
    r.add("live-token-123456", SecretKind::Token);
    let curl = r.curl(&request(json!({"phone": "13800138000", "password": "p@ss \"word\"", "type": "login", "note": "live-token-123456"})));
    assert!(curl.contains(r#"\"phone\":\"${DAODAO_PHONE}\""#), "{curl}");
    assert!(
        curl.contains(r#"\"password\":\"${DAODAO_PASSWORD}\""#),
        "{curl}"
    );
    assert!(curl.contains(r#"\"type\":\"login\""#), "{curl}");
    assert!(curl.contains(r#"\"note\":\"${DAODAO_TOKEN}\""#), "{curl}");
    assert!(
        curl.contains(r#"-H "Authorization: Bearer ${DAODAO_TOKEN}""#),
        "{curl}"
    );
    for secret in ["13800138000", "p@ss", "live-token-123456"] {
        assert!(!curl.contains(secret), "{secret} leaked: {curl}");
    }
}

#[test]
fn excerpts_mask_phones_partially_and_keep_the_envelope_code() {
    let r = Redactor::new();
    r.add("13912345678", SecretKind::Phone);
    let req = r.request_excerpt(
        &request(json!({"phone": "13912345678", "code": "654321"})),
        500,
    );
    assert!(
        req.contains("139****5678") && req.contains("«sms-code»") && !req.contains("654321"),
        "{req}"
    );
    let body = json!({"code": 401, "message": "手机号 13912345678 未注册", "data": {"token": "abc-secret"}});
    let resp = r.response_excerpt(401, "", Some(&body), 500);
    assert!(
        resp.contains("\"code\":401"),
        "the envelope code stays readable: {resp}"
    );
    assert!(
        resp.contains("139****5678") && !resp.contains("abc-secret"),
        "{resp}"
    );
}
