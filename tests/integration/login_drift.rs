//! A backend whose login succeeds with its token under another name (`data.access_token` where the
//! config reads `data.token`): the run goes on with that token, says once how to configure it, and the
//! endpoints that need a login are judged instead of blocked.

use crate::cli::{cli, output};
use crate::common;
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-issued-under-another-name-1234";

fn example(dir: &std::path::Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join("contracts").join(file)).expect("contract");
    let contract: Value = serde_json::from_str(&text).expect("JSON");
    contract["example"]["response"].clone()
}

#[test]
fn a_token_under_another_name_is_used_and_the_run_says_how_to_configure_it() {
    let dir = common::real_project();
    let mut register = example(dir.path(), "auth/register.json");
    let data = register["data"].as_object_mut().expect("data");
    data.remove("token");
    data.insert("access_token".into(), json!(TOKEN));
    let profile = example(dir.path(), "users/profile.json");
    let runtime = common::runtime();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
        Mock::given(method("POST"))
            .and(path("/api/v1/auth/send-code"))
            .respond_with(ok(example(dir.path(), "auth/send-code.json")))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/v1/auth/register"))
            .respond_with(ok(register))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/users/profile"))
            .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ok(profile))
            .mount(&server)
            .await;
        // Everything else, the profile without that token included, is refused or unknown.
        Mock::given(method("GET"))
            .and(path("/api/v1/users/profile"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"code": 401, "message": "未登录"})),
            )
            .mount(&server)
            .await;
        server
    });
    let base = format!("{}/api/v1", server.uri());
    let (_, out, err) =
        output(cli(dir.path()).args(["run", "--endpoint", "users.profile", "--base-url", &base]));
    let result: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/last-run.json")).expect("result"),
    )
    .expect("JSON");
    let endpoint = &result["endpoints"][0];
    assert_eq!(endpoint["id"], "users.profile");
    assert_eq!(endpoint["status"], "passed", "{out}\n{err}");
    let note = "登录应答中没有 data.token, 本次运行使用了 data.access_token 处的 token: 在 daodao-check.toml [auth] 中设置 token = \"data.access_token\"";
    assert!(out.contains(note), "{out}");
    assert_eq!(result["notes"].as_array().map(Vec::len), Some(1));
    assert!(
        !out.contains(TOKEN) && !err.contains(TOKEN),
        "the token is masked"
    );
    drop(server);
}
