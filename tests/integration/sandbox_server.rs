//! The sandbox as the mini-program team uses it: a separate process on loopback, called over HTTP the way
//! the mini-program (or curl) would: log in, browse, create an order, read it back, and be refused without
//! a token.

use crate::common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `daodao-check sandbox` on a free port and reads the address it announces.
fn start() -> Server {
    start_seeded("7")
}

fn start_seeded(seed: &str) -> Server {
    let dir = common::real_project();
    let mut child = Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args(["sandbox", "--addr", "127.0.0.1:0", "--seed", seed])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sandbox starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    // Keep draining the request log so the pipe never fills.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base,
        _dir: dir,
    }
}

async fn call(
    client: &reqwest::Client,
    method: &str,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("sandbox answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn the_mini_programs_login_browse_order_flow() {
    let server = start();
    let b = &server.base;
    let c = reqwest::Client::new();

    let (s, v) = call(
        &c,
        "POST",
        format!("{b}/auth/send-code"),
        None,
        Some(json!({"phone": "13912345678", "type": "login"})),
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (200, Some(0)), "{v}");
    let (s, v) = call(
        &c,
        "POST",
        format!("{b}/auth/login-with-code"),
        None,
        Some(json!({"phone": "13912345678", "code": "123456"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let token = v["data"]["token"].as_str().expect("a token").to_string();
    assert_eq!(v["data"]["user"]["phone"], "13912345678");

    let q = "pickupCity=%E6%9D%AD%E5%B7%9E&pickupStoreId=store_001&pickupDate=2026-12-01T10:00:00%2B08:00&returnDate=2026-12-03T10:00:00%2B08:00";
    let (s, v) = call(&c, "GET", format!("{b}/vehicles?{q}"), None, None).await;
    assert_eq!(s, 200, "{v}");
    let vehicle = v["data"]["list"][0]["id"]
        .as_str()
        .expect("a vehicle")
        .to_string();

    let order = json!({
        "vehicleId": vehicle, "pickupStoreId": "store_001", "returnStoreId": "store_001",
        "pickupDate": "2026-12-01T10:00:00+08:00", "returnDate": "2026-12-03T10:00:00+08:00",
        "insuranceType": "standard", "selectedServices": [], "useWalletBalance": false,
        "contactInfo": {"name": "张三", "phone": "13912345678", "idCard": "11010519491231002X", "driverLicense": "11010519491231002X"}
    });
    let (s, v) = call(
        &c,
        "POST",
        format!("{b}/orders"),
        Some(&token),
        Some(order.clone()),
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (200, Some(0)), "{v}");
    let order_id = v["data"]["orderId"]
        .as_str()
        .expect("an order id")
        .to_string();

    let (s, v) = call(
        &c,
        "GET",
        format!("{b}/orders/{order_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["orderId"], order_id.as_str());
    let (_, v) = call(&c, "GET", format!("{b}/orders"), Some(&token), None).await;
    assert!(
        v["data"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["orderId"] == order_id.as_str()),
        "{v}"
    );

    // Without a token, with a forged one, and after logout: 401 in the envelope and in HTTP.
    let (s, v) = call(&c, "POST", format!("{b}/orders"), None, Some(order.clone())).await;
    assert_eq!((s, v["code"].as_i64()), (401, Some(401)));
    let (s, _) = call(
        &c,
        "GET",
        format!("{b}/orders/{order_id}"),
        Some("forged"),
        None,
    )
    .await;
    assert_eq!(s, 401);
    // Invalid input names the parameter.
    let (s, v) = call(
        &c,
        "POST",
        format!("{b}/orders"),
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (400, Some(400)));
    assert!(
        v["message"].as_str().unwrap_or("").contains("vehicleId"),
        "{v}"
    );
    // An unknown id is an envelope 404; an unknown route is the framework's page.
    let (s, v) = call(
        &c,
        "GET",
        format!("{b}/orders/no-such-order"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (404, Some(404)));
    let (s, v) = call(&c, "GET", format!("{b}/no/such/route"), None, None).await;
    assert_eq!(s, 404);
    assert!(
        v.as_str()
            .unwrap_or("")
            .contains("Cannot GET /api/v1/no/such/route"),
        "{v}"
    );

    call(&c, "POST", format!("{b}/auth/logout"), Some(&token), None).await;
    let (s, _) = call(&c, "GET", format!("{b}/users/profile"), Some(&token), None).await;
    assert_eq!(s, 401, "a logged-out token is refused");
}

#[tokio::test]
async fn wechat_test_codes_are_first_then_returning_users_and_cors_is_open() {
    let server = start();
    let b = &server.base;
    let c = reqwest::Client::new();
    let (_, first) = call(
        &c,
        "POST",
        format!("{b}/auth/wechat-login"),
        None,
        Some(json!({"code": "wx-test-alice"})),
    )
    .await;
    let (_, again) = call(
        &c,
        "POST",
        format!("{b}/auth/wechat-login"),
        None,
        Some(json!({"code": "wx-test-alice"})),
    )
    .await;
    let (_, other) = call(
        &c,
        "POST",
        format!("{b}/auth/wechat-login"),
        None,
        Some(json!({"code": "wx-test-bob"})),
    )
    .await;
    assert_eq!(first["code"], 0, "{first}");
    assert_eq!(first["data"]["user"]["id"], again["data"]["user"]["id"]);
    assert_ne!(first["data"]["user"]["id"], other["data"]["user"]["id"]);
    let (s, v) = call(
        &c,
        "POST",
        format!("{b}/auth/wechat-login"),
        None,
        Some(json!({"code": "real-wx-code"})),
    )
    .await;
    assert_eq!((s, v["code"].as_i64()), (401, Some(401)));

    let resp = c
        .request(reqwest::Method::OPTIONS, format!("{b}/orders"))
        .header("Origin", "http://localhost:8080")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("Authorization"));
}

#[tokio::test]
async fn the_same_seed_issues_the_same_tokens_and_ids() {
    let mut seen = vec![];
    for seed in ["7", "7", "8"] {
        let server = start_seeded(seed);
        let b = &server.base;
        let c = reqwest::Client::new();
        call(
            &c,
            "POST",
            format!("{b}/auth/send-code"),
            None,
            Some(json!({"phone": "13700000001", "type": "register"})),
        )
        .await;
        let (_, v) = call(
            &c,
            "POST",
            format!("{b}/auth/register"),
            None,
            Some(json!({"phone": "13700000001", "code": "123456"})),
        )
        .await;
        seen.push((v["data"]["token"].clone(), v["data"]["user"]["id"].clone()));
    }
    assert!(seen[0].0.is_string(), "{seen:?}");
    assert_eq!(
        seen[0], seen[1],
        "--seed 7 twice gives the same token and user id"
    );
    assert_ne!(seen[0].0, seen[2].0, "another seed, other tokens");
}
