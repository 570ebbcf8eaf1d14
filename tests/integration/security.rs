//! The security checks and the production guard, end to end: a production environment gets reads
//! only (the sandbox records every request it was sent), the checks switch off by config and by
//! contract, a backend that trusts a JWT without its signature serves tokens for nobody, and the
//! marks of the contract format are linted. Each check's fault is in fault_matrix.rs.

use crate::cli::{cli, output};
use crate::common;
use daodao_check::catalog::Catalog;
use daodao_check::config::{self, Config, Overrides};
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::{CaseKind, CheckKind, RunResult, Status};
use daodao_check::sandbox::{options_for, start, Sandbox};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use wiremock::matchers::{header, header_regex, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The shipped project's configuration, with an environment `prod` marked production and selected.
fn production_config(root: &Path, base_url: &str) -> Config {
    let file = root.join("daodao-check.toml");
    let mut text = std::fs::read_to_string(&file).expect("config");
    text.push_str(&format!(
        "\n[env.prod]\nbase_url = \"{base_url}\"\nproduction = true\n"
    ));
    let parsed = config::parse(&file, &text).expect("config parses");
    let cli = Overrides {
        env: Some("prod".into()),
        ..Default::default()
    };
    config::resolve(parsed, root.to_path_buf(), Some(file), &cli, &common::NoEnv)
        .expect("config resolves")
}

/// Phases 1 and 2 against a sandbox served on its own (not the run's embedded one, which is never
/// production), every request it gets recorded: the run's result and the methods it was sent.
async fn production_run(allow_writes: bool) -> (RunResult, Vec<String>) {
    let dir = common::real_project();
    let log = dir.path().join("requests.jsonl");
    let mut config = production_config(dir.path(), "http://127.0.0.1:1/api/v1");
    config.allow_writes = allow_writes;
    let catalog = common::catalog(&config);
    let mut options = options_for(&config, 1, &[], false).expect("options");
    options.record = Some(log.clone());
    let sandbox = Sandbox::new(catalog.clone(), &config.contracts_dir, options).expect("sandbox");
    let running = start(Arc::new(sandbox), ([127, 0, 0, 1], 0).into())
        .await
        .expect("sandbox starts");
    config.base_url = running.base_url("/api/v1");
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        phases: Some(vec![1, 2]),
        include_endpoints: true,
        include_scenarios: true,
        ..Default::default()
    };
    let result = runner.run(&selection, &SilentObserver).await.expect("run");
    let text = std::fs::read_to_string(&log).expect("the recording");
    let methods = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .map(|v| v["method"].as_str().unwrap_or_default().to_string())
        .collect();
    (result, methods)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_environment_gets_reads_only_and_every_skip_says_why() {
    let (r, methods) = production_run(false).await;
    assert!(!methods.is_empty(), "the reads were sent");
    assert!(
        methods.iter().all(|m| m == "GET"),
        "only reads reach production: {methods:?}"
    );
    let shipped = common::catalog(&common::config_for(
        &common::repo(),
        "http://127.0.0.1:1",
        "",
    ));
    let skipped_anyway = |id: &str| shipped.contract(id).is_some_and(|c| c.skip.is_some());
    for e in &r.endpoints {
        let reason = e.reason.as_deref().unwrap_or_default();
        if e.method != "GET" && !skipped_anyway(&e.id) {
            assert_eq!(e.status, Status::Skipped, "{}", e.id);
            assert!(
                reason.contains("prod: production = true") && reason.contains("--allow-writes"),
                "{}: {reason}",
                e.id
            );
        }
    }
    // A read whose setup creates its record is skipped too, naming the write.
    let detail = r
        .endpoints
        .iter()
        .find(|e| e.id == "orders.detail")
        .expect("ran");
    assert_eq!(detail.status, Status::Skipped);
    assert!(
        (detail.reason.as_deref())
            .is_some_and(|r| r.starts_with("准备步骤 order 是写请求 (POST /api/v1/orders)")),
        "{:?}",
        detail.reason
    );
    // A test user is never registered there: a read that needs a login says how to log in instead.
    let profile = r
        .endpoints
        .iter()
        .find(|e| e.id == "users.profile")
        .expect("ran");
    assert!(
        (profile.reason.as_deref()).is_some_and(|r| r.contains("flow = \"password\"")),
        "{:?}",
        profile.reason
    );
    // A scenario that writes is not run; each of its steps says why.
    let auth_flow = r
        .scenarios
        .iter()
        .find(|s| s.name == "auth-flow")
        .expect("ran");
    assert_eq!(auth_flow.status, Status::Skipped);
    assert!(
        auth_flow
            .steps
            .iter()
            .all(|k| k.status == Status::Skipped
                && k.reason.as_deref().is_some_and(|r| !r.is_empty()))
    );
    let public_read = r
        .endpoints
        .iter()
        .find(|e| e.id == "vehicles.list")
        .expect("ran");
    assert_eq!(public_read.status, Status::Passed);
    // Its derived negative inputs are not sent there: one case says why.
    let negative: Vec<_> = (public_read.cases.iter())
        .filter(|k| k.kind == CaseKind::NegativeInput)
        .collect();
    assert_eq!(negative.len(), 1, "{negative:?}");
    assert_eq!(negative[0].status, Status::Skipped);
    assert!(
        (negative[0].reason.as_deref())
            .is_some_and(|r| r.contains("--allow-writes") && r.ends_with("负向输入不发送")),
        "{:?}",
        negative[0].reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowing_writes_sends_them_but_never_the_security_checks() {
    let (r, methods) = production_run(true).await;
    assert!(methods.iter().any(|m| m == "POST"), "writes were sent");
    let security_kinds = [
        CaseKind::Isolation,
        CaseKind::MalformedInput,
        CaseKind::SessionSecurity,
        CaseKind::ClientControlled,
    ];
    let security: Vec<_> = (r.endpoints.iter().flat_map(|e| &e.cases))
        .filter(|k| security_kinds.contains(&k.kind))
        .collect();
    assert!(!security.is_empty(), "the checks that apply are listed");
    for k in &security {
        assert_eq!(k.status, Status::Skipped, "{}", k.name);
        assert!(
            (k.reason.as_deref()).is_some_and(|r| r.contains("安全检查会用测试账号创建数据")),
            "{:?}",
            k.reason
        );
    }
    let detail = r
        .endpoints
        .iter()
        .find(|e| e.id == "orders.detail")
        .expect("ran");
    assert_eq!(detail.status, Status::Passed, "{:?}", detail.reason);
    assert!(detail.cases.iter().any(|k| k.name == "安全检查 isolation"));
    // With writes allowed the derived negative inputs are sent, like any other case.
    let negative: Vec<_> = (detail.cases.iter())
        .filter(|k| k.kind == CaseKind::NegativeInput)
        .collect();
    assert!(!negative.is_empty());
    assert!(negative
        .iter()
        .all(|k| k.status == Status::Passed && k.http_status.is_some()));
}

/// A run of one endpoint of the shipped catalogue against the embedded sandbox, with a fault.
async fn one_endpoint(root: &Path, id: &str, fault: &str) -> RunResult {
    let mut config = common::config_for(root, "http://127.0.0.1:1/api/v1", "");
    let catalog = common::catalog(&config);
    let embedded = daodao_check::sandbox::Embedded {
        faults: vec![fault.to_string()],
        ..Default::default()
    };
    let _sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), &embedded)
        .await
        .expect("sandbox starts");
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        endpoints: vec![id.into()],
        include_endpoints: true,
        ..Default::default()
    };
    runner.run(&selection, &SilentObserver).await.expect("run")
}

fn checks_found(r: &RunResult) -> Vec<CheckKind> {
    (r.endpoints.iter().flat_map(|e| &e.cases))
        .flat_map(|k| k.findings.iter().map(|f| f.check))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_switched_off_in_the_config_or_the_contract_sends_nothing() {
    let fault = "isolation-off=orders.detail";
    let dir = common::real_project();
    let on = one_endpoint(dir.path(), "orders.detail", fault).await;
    assert_eq!(checks_found(&on), [CheckKind::Isolation]);
    let config = dir.path().join("daodao-check.toml");
    let shipped = std::fs::read_to_string(&config).expect("config");
    let switched = shipped.replace("isolation = true", "isolation = false");
    assert_ne!(switched, shipped, "the shipped config lists the switch");
    std::fs::write(&config, switched).expect("write config");
    let off = one_endpoint(dir.path(), "orders.detail", fault).await;
    assert!(checks_found(&off).is_empty());
    assert!(off.endpoints[0]
        .cases
        .iter()
        .all(|k| k.kind != CaseKind::Isolation));
    std::fs::write(&config, shipped).expect("write config");
    // The contract says the order is anyone's to read.
    let file = dir.path().join("contracts/orders/detail.json");
    let mut contract: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("contract")).expect("JSON");
    contract["security"] = json!({"off": {"isolation": "订单公开 (测试)"}});
    std::fs::write(&file, contract.to_string()).expect("write");
    let marked = one_endpoint(dir.path(), "orders.detail", fault).await;
    assert!(checks_found(&marked).is_empty());
    assert_eq!(marked.endpoints[0].status, Status::Passed);
}

#[test]
fn a_mark_naming_an_unknown_endpoint_or_a_bad_owner_is_a_lint_problem() {
    let dir = common::mini();
    let file = dir.path().join("contracts/demo/item.json");
    let mut contract: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("contract")).expect("JSON");
    contract["security"] = json!({
        "owner": ["nope"],
        "own_list": {"created_by": "demo.nowhere", "id": "data.id", "item": "id"}
    });
    std::fs::write(&file, contract.to_string()).expect("write");
    let config = common::config_for(dir.path(), "http://127.0.0.1:1/api/v1", "");
    let (_, problems) = Catalog::load(&config);
    let places: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.place.as_str(), p.message.as_str()))
        .collect();
    assert!(
        places.contains(&(
            "security.own_list.created_by",
            "names unknown endpoint `demo.nowhere`"
        )),
        "{places:?}"
    );
    assert!(
        places.contains(&(
            "security.owner[0]",
            "`nope` is not a path parameter of this contract"
        )),
        "{places:?}"
    );
}

#[test]
fn the_embedded_sandbox_is_never_production_and_run_takes_allow_writes() {
    let dir = common::real_project();
    let config = dir.path().join("daodao-check.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text = text.replace("default_env = \"local\"", "default_env = \"prod\"");
    text.push_str("\n[env.prod]\nbase_url = \"http://127.0.0.1:1/api/v1\"\nproduction = true\n");
    std::fs::write(&config, text).expect("write config");
    let (code, out, err) = output(cli(dir.path()).args(["phase", "1", "--sandbox"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("production = true"), "{out}");
    let (code, out, err) = output(cli(dir.path()).args([
        "run",
        "--endpoint",
        "health.check",
        "--sandbox",
        "--allow-writes",
    ]));
    assert_eq!(code, 0, "{out}\n{err}");
}

/// `header.claims.signature` with a fixed signature: what the backend issues.
fn jwt(claims: Value) -> String {
    let b64 = |v: Value| {
        let text = v.to_string();
        base64url(text.as_bytes())
    };
    format!(
        "{}.{}.c2lnbmVkLWJ5LXRoZS1iYWNrZW5k",
        b64(json!({"alg": "HS256", "typ": "JWT"})),
        b64(claims)
    )
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            (chunk.iter().enumerate()).fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The mini project with a plain read that needs a token (`demo.me`, `GET /me`): the token probe.
fn mini_with_me() -> tempfile::TempDir {
    let dir = common::mini();
    let me = json!({
        "id": "demo.me", "method": "GET", "path": "/me", "phase": 1, "module": "demo",
        "name": "我的资料", "auth": "user",
        "response": {"data": {"type": "object", "required": ["id"],
                              "properties": {"id": {"type": "string"}}}},
        "example": {"response": {"code": 0, "message": "ok", "data": {"id": "u1"}}}
    });
    std::fs::write(dir.path().join("contracts/demo/me.json"), me.to_string()).expect("write");
    dir
}

/// A backend issuing a JWT; `trusts_claims`: it serves any JWT-shaped token without checking the
/// signature, else only the one it issued.
async fn jwt_backend(token: &str, trusts_claims: bool) -> MockServer {
    let server = MockServer::start().await;
    let ok = |data: Value| {
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "message": "ok", "data": data}))
    };
    Mock::given(path("/api/v1/auth/send-code"))
        .respond_with(ok(json!({"expireIn": 300})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/auth/register"))
        .respond_with(ok(json!({"token": token, "refreshToken": "rt-1",
            "user": {"id": "u1", "phone": "1", "nickname": "n", "avatar": "a", "userType": "CUSTOMER"}})))
        .mount(&server)
        .await;
    let served = Mock::given(method("GET")).and(path("/api/v1/me"));
    let served = if trusts_claims {
        served.and(header_regex("Authorization", "^Bearer eyJ"))
    } else {
        served.and(header("Authorization", format!("Bearer {token}").as_str()))
    };
    served
        .respond_with(ok(json!({"id": "u1"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/me"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"code": 401, "message": "未登录", "data": null})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn run_me(server: &MockServer) -> RunResult {
    let dir = mini_with_me();
    let config = common::config_for(dir.path(), &format!("{}/api/v1", server.uri()), "");
    let catalog = common::catalog(&config);
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    let selection = Selection {
        endpoints: vec!["demo.me".into()],
        include_endpoints: true,
        ..Default::default()
    };
    runner.run(&selection, &SilentObserver).await.expect("run")
}

#[tokio::test]
async fn tokens_for_nobody_are_refused_only_by_a_backend_that_checks_the_signature() {
    let token = jwt(json!({"sub": "u1", "exp": 4102444800u64}));
    let nobody = |r: &RunResult| -> Vec<(String, Status)> {
        (r.endpoints[0].cases.iter())
            .filter(|k| k.kind == CaseKind::SessionSecurity)
            .map(|k| (k.name.clone(), k.status))
            .collect()
    };
    let correct = run_me(&jwt_backend(&token, false).await).await;
    assert_eq!(
        nobody(&correct),
        [
            (
                "不存在的用户的令牌 (篡改用户, 原签名)".to_string(),
                Status::Passed
            ),
            (
                "不存在的用户的令牌 (alg=none, 无签名)".to_string(),
                Status::Passed
            ),
        ]
    );
    assert_eq!(correct.endpoints[0].status, Status::Passed);
    let trusting = run_me(&jwt_backend(&token, true).await).await;
    assert!(nobody(&trusting).iter().all(|(_, s)| *s == Status::Failed));
    let found: Vec<CheckKind> = (trusting.endpoints[0].cases.iter())
        .filter(|k| k.kind == CaseKind::SessionSecurity)
        .flat_map(|k| k.findings.iter().map(|f| f.check))
        .collect();
    assert_eq!(
        found,
        [CheckKind::SessionSecurity, CheckKind::SessionSecurity]
    );
    // The crafted tokens are tokens: never shown.
    let text = serde_json::to_string(&trusting).expect("JSON");
    assert!(!text.contains("eyJ"), "a token in the result");
}
