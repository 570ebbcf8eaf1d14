use super::command::LONG_RUN;
use super::*;
use serde_json::json;

fn request(body: Value) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        url: "http://127.0.0.1:3001/api/v1/auth/login".into(),
        path: "/auth/login".into(),
        headers: vec![
            ("Authorization".into(), "Bearer live-token-abcdef".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(body),
        multipart_files: None,
        raw_body: None,
    }
}

fn redactor() -> Redactor {
    let r = Redactor::new();
    r.add_owned("live-token-abcdef", SecretKind::Token, Some("primary"));
    r.add("19912345678", SecretKind::Phone);
    r.add("Dd123456x9", SecretKind::Password);
    r.add("123456", SecretKind::SmsCode);
    r
}

#[test]
fn curl_puts_variables_only_where_a_value_is_the_runs_secret() {
    let r = redactor();
    let curl = r.curl(&request(json!({
        "phone": "19912345678", "password": "Dd123456x9", "code": "123456",
        "idCard": "330106199001011234", "contactPhone": "13800138000", "note": "live-token-abcdef"
    })));
    assert!(curl.contains(r#"\"phone\":\"${DAODAO_PHONE}\""#), "{curl}");
    assert!(
        curl.contains(r#"\"password\":\"${DAODAO_PASSWORD}\""#),
        "{curl}"
    );
    assert!(
        curl.contains(r#"\"code\":\"${DAODAO_SMS_CODE}\""#),
        "{curl}"
    );
    assert!(curl.contains(r#"\"note\":\"${DAODAO_TOKEN}\""#), "{curl}");
    assert!(
        curl.contains(r#"-H "Authorization: Bearer ${DAODAO_TOKEN}""#),
        "{curl}"
    );
    // Values that are not the run's secrets are sent as they were: the same request as the one that failed.
    assert!(
        curl.contains(r#"\"idCard\":\"330106199001011234\""#),
        "{curl}"
    );
    assert!(
        curl.contains(r#"\"contactPhone\":\"13800138000\""#),
        "{curl}"
    );
}

#[test]
fn a_forged_token_is_reproduced_as_it_was_sent() {
    let r = Redactor::new();
    let mut req = request(json!({}));
    req.headers[0].1 = "Bearer daodao-check.forged.token".into();
    assert!(r
        .curl(&req)
        .contains(r#"-H "Authorization: Bearer daodao-check.forged.token""#));
}

#[test]
fn the_curl_line_becomes_a_powershell_line_with_env_variables() {
    let r = redactor();
    let curl = r.curl(&request(json!({"phone": "19912345678", "a": "x$y `q`"})));
    let ps = powershell_from_curl(&curl);
    assert!(ps.starts_with("curl.exe -sS -X POST \"http://"), "{ps}");
    assert!(
        ps.contains("-H \"Authorization: Bearer $env:DAODAO_TOKEN\""),
        "{ps}"
    );
    assert!(ps.contains(r#"`"phone`":`"$env:DAODAO_PHONE`""#), "{ps}");
    assert!(
        ps.contains("x`$y ``q``"),
        "literal dollars and backticks are escaped: {ps}"
    );
    assert!(!ps.contains("${"), "{ps}");
}

#[test]
fn short_numeric_secrets_are_masked_only_as_whole_numbers() {
    let r = redactor();
    assert_eq!(
        r.text("prepay_id=wx01103000123456789, card 6222123456789, code 123456."),
        "prepay_id=wx01103000123456789, card 6222123456789, code «sms-code»."
    );
}

#[test]
fn data_under_code_keys_stays_and_an_sms_code_beside_a_phone_is_masked() {
    let r = Redactor::new();
    let policy = JsonPolicy {
        by_key: true,
        envelope: true,
    };
    let masked = r.json(
        &json!({"code": 0, "data": {"list": [{"code": "HZ", "name": "杭州"}], "coupon": {"code": "SAVE10"}}}),
        policy,
    );
    assert_eq!(masked["data"]["list"][0]["code"], "HZ");
    assert_eq!(masked["data"]["coupon"]["code"], "SAVE10");
    assert_eq!(masked["code"], 0);
    let request = JsonPolicy {
        by_key: true,
        envelope: false,
    };
    let login = r.json(&json!({"phone": "13912345678", "code": "654321"}), request);
    assert_eq!(login, json!({"phone": "139****5678", "code": "«sms-code»"}));
    let echoed = r.json(
        &json!({"code": 0, "data": {"phone": "13912345678", "code": 654321}}),
        policy,
    );
    assert_eq!(echoed["data"]["code"], "«sms-code»");
}

#[test]
fn odd_secret_keys_and_numbers_are_masked_by_key() {
    let r = Redactor::new();
    let policy = JsonPolicy {
        by_key: true,
        envelope: true,
    };
    let masked = r.json(
        &json!({"data": {"jwt": "abc.def.ghi", "pwd": "hunter2", "passwd": "x1", "secret": "s3",
                         "verificationCode": 987654, "tel": 13912345678u64, "mobilePhone": "13812345678",
                         "emergencyPhone": "13712345678", "idCard": "33010619900101123X",
                         "bankCard": "6222021234567890"}}),
        policy,
    );
    let text = masked.to_string();
    for leaked in [
        "abc.def.ghi",
        "hunter2",
        "x1\"",
        "s3\"",
        "987654",
        "13912345678",
        "13812345678",
        "13712345678",
        "33010619900101123X",
        "6222021234567890",
    ] {
        assert!(!text.contains(leaked), "{leaked} leaked: {text}");
    }
}

#[test]
fn invalid_values_sent_on_purpose_stay_readable() {
    let r = Redactor::new();
    let request_policy = JsonPolicy {
        by_key: true,
        envelope: false,
    };
    let masked = r.json(
        &json!({"phone": "12345", "idCard": "123", "contactPhone": "not-a-phone"}),
        request_policy,
    );
    assert_eq!(
        masked,
        json!({"phone": "12345", "idCard": "123", "contactPhone": "not-a-phone"})
    );
}

#[test]
fn secrets_in_text_bodies_and_messages_are_masked() {
    let r = redactor();
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
    let body = format!("<html>token={jwt}&pwd=hunter2 call 13912345678 live-token-abcdef</html>");
    let excerpt = r.response_excerpt(500, &body, None, 2000);
    for leaked in [jwt, "hunter2", "13912345678", "live-token-abcdef"] {
        assert!(!excerpt.contains(leaked), "{leaked}: {excerpt}");
    }
    let message =
        json!({"code": 401, "message": format!("手机号 19912345678 的 token {jwt} 已过期")});
    let excerpt = r.response_excerpt(401, "", Some(&message), 2000);
    assert!(excerpt.contains("\"code\":401"), "{excerpt}");
    assert!(
        !excerpt.contains("19912345678") && !excerpt.contains(jwt),
        "{excerpt}"
    );
}

#[test]
fn masking_happens_before_the_cut() {
    let r = Redactor::new();
    let token = format!("opaque-{}", "x".repeat(200));
    r.add(&token, SecretKind::Token);
    let excerpt = r.response_excerpt(200, "", Some(&json!({"data": {"t": token}})), 60);
    assert!(!excerpt.contains("xxxxxxxxxx"), "{excerpt}");
    let line = cut_line(&r.line(&format!("actual {token}")), 30);
    assert_eq!(line, "actual «token»");
}

#[test]
fn control_characters_from_a_backend_are_escaped() {
    let r = Redactor::new();
    let excerpt = r.response_excerpt(
        200,
        "",
        Some(&json!({"message": "ok\u{1b}]0;pwned\u{7}"})),
        500,
    );
    assert!(!excerpt.contains('\u{1b}'), "{excerpt:?}");
    let raw = r.response_excerpt(200, "a\u{1b}[2Jb\rPASS 通过", None, 500);
    assert!(raw.contains("a\\e[2Jb\\rPASS"), "{raw:?}");
    assert_eq!(r.line("x\nPASS 通过"), "x\\nPASS 通过");
}

#[test]
fn session_files_define_every_variable_the_commands_use() {
    let r = redactor();
    r.add_owned("second-token-zzzz", SecretKind::Token, Some("secondary"));
    let secrets = r.secrets();
    let env = session_env(&secrets);
    assert!(
        env.contains("# primary\nexport DAODAO_TOKEN='live-token-abcdef'\n"),
        "{env}"
    );
    assert!(
        env.contains("# secondary\nexport DAODAO_TOKEN_2='second-token-zzzz'\n"),
        "{env}"
    );
    assert!(env.contains("export DAODAO_PHONE='19912345678'"), "{env}");
    let ps = session_ps1(&secrets);
    assert!(
        ps.contains("$env:DAODAO_TOKEN_2 = 'second-token-zzzz'"),
        "{ps}"
    );
    let curl = r.curl(&request(json!({"t": "second-token-zzzz"})));
    assert!(curl.contains("${DAODAO_TOKEN_2}"), "{curl}");
}

#[test]
fn keyed_secrets_in_escaped_or_cut_text_are_masked() {
    let r = Redactor::new();
    // The start of a body that is not JSON, as a finding quotes it.
    let quoted = format!(
        "{:?}",
        r#"{"code":0,"data":{"token":"opaque-abcdef-123","pwd":"x"#
    );
    let masked = r.text(&quoted);
    assert!(!masked.contains("opaque-abcdef"), "{masked}");
    assert!(masked.contains("token"), "{masked}");
    assert_eq!(r.text("pwd=hunter2&name=x"), "pwd=«secret»&name=x");
    assert_eq!(r.text("token 已过期"), "token 已过期");
}

#[test]
fn a_long_run_of_one_letter_is_written_back_by_the_shell_and_the_request_is_the_same() {
    let r = Redactor::new();
    let long = "长".repeat(10_000);
    let body = json!({"title": long, "note": "a".repeat(LONG_RUN - 1), "x": "$1 `q` \"z\""});
    let line = r.curl(&request(body.clone()));
    assert!(line.len() < 400, "{} bytes", line.len());
    assert!(line.contains("$(printf '长%.0s' $(seq 10000))"), "{line}");
    // A POSIX shell runs the line with `curl` standing for a command that prints its last argument:
    // what the shell hands to curl is the body that was sent.
    let script = format!("curl() {{ for a; do last=$a; done; printf '%s' \"$last\"; }}; {line}");
    let sent = std::process::Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("sh runs");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let sent: serde_json::Value = serde_json::from_slice(&sent.stdout).expect("the body as JSON");
    assert_eq!(sent, body);
    let ps = powershell_from_curl(&line);
    assert!(ps.contains("$('长' * 10000)"), "{ps}");
    assert!(!ps.contains("printf"), "{ps}");
}
