//! The validating proxy as the mini-program meets it: a process on loopback in front of the embedded
//! sandbox (with a fault), driven by a scripted client that logs in, browses, orders, sends a bad body,
//! doubles the base path and calls a route that does not exist; then stopped with Ctrl-C. Its live
//! lines, the sides of its findings, the coverage, the HAR file and `check-har` of it are checked.

use crate::common;
use crate::proxy_support::{endpoint, findings, last_run, ProxyProcess};
use serde_json::{json, Value};

const PHONE: &str = "13912345678";

/// The client the mini-program would be: every call through the proxy's base URL.
struct MiniProgram {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl MiniProgram {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the proxy answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Logs in, browses, orders, uploads a picture; then the slips: a bad body, the base path twice,
    /// a route that does not exist.
    async fn session(&mut self) -> String {
        let (s, v) = self
            .call(
                "POST",
                "/api/v1/auth/send-code",
                Some(json!({"phone": PHONE, "type": "login"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (_, v) = self
            .call(
                "POST",
                "/api/v1/auth/login-with-code",
                Some(json!({"phone": PHONE, "code": "123456"})),
            )
            .await;
        let token = v["data"]["token"].as_str().expect("a token").to_string();
        self.token = Some(token.clone());
        let (s, _) = self.call("GET", "/api/v1/stores/cities", None).await;
        assert_eq!(s, 200);
        let q = "pickupCity=%E6%9D%AD%E5%B7%9E&pickupStoreId=store_001&pickupDate=2026-12-01T10:00:00%2B08:00&returnDate=2026-12-03T10:00:00%2B08:00";
        let (_, v) = self
            .call("GET", &format!("/api/v1/vehicles?{q}"), None)
            .await;
        let vehicle = v["data"]["list"][0]["id"]
            .as_str()
            .expect("a vehicle")
            .to_string();
        let order = json!({
            "vehicleId": vehicle, "pickupStoreId": "store_001", "returnStoreId": "store_001",
            "pickupDate": "2026-12-01T10:00:00+08:00", "returnDate": "2026-12-03T10:00:00+08:00",
            "insuranceType": "standard", "selectedServices": [], "useWalletBalance": false,
            "contactInfo": {"name": "张三", "phone": PHONE, "idCard": "11010519491231002X",
                            "driverLicense": "11010519491231002X"}
        });
        let (s, v) = self.call("POST", "/api/v1/orders", Some(order)).await;
        assert_eq!((s, v["code"].as_i64()), (200, Some(0)), "{v}");
        let (s, _) = self.call("GET", "/api/v1/orders", None).await;
        assert_eq!(
            s, 200,
            "the fault breaks the answer's shape, not its status"
        );
        self.upload().await;
        let (s, _) = self
            .call(
                "POST",
                "/api/v1/orders",
                Some(json!({"vehicleId": 7, "insuranceType": "platinum"})),
            )
            .await;
        assert_eq!(s, 400, "the sandbox refuses the bad body");
        let (s, _) = self.call("GET", "/api/v1/api/v1/orders", None).await;
        assert_eq!(s, 404);
        let (s, _) = self.call("GET", "/api/v1/no/such/route", None).await;
        assert_eq!(s, 404);
        token
    }

    async fn upload(&self) {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G', 0, 1, 2])
                .file_name("photo.png")
                .mime_str("image/png")
                .expect("a type"),
        );
        let resp = self
            .http
            .post(format!("{}/api/v1/community/upload-image", self.base))
            .bearer_auth(self.token.as_deref().unwrap_or_default())
            .multipart(form)
            .send()
            .await
            .expect("answered");
        assert_eq!(resp.status().as_u16(), 200);
    }
}

/// `(case, side, check)` of each finding.
type Sides = Vec<(String, String, String)>;

fn sides(result: &Value, id: &str) -> Sides {
    findings(endpoint(result, id))
        .into_iter()
        .map(|(case, side, check, _)| (case, side, check))
        .collect()
}

#[tokio::test]
async fn the_mini_programs_session_through_the_proxy_is_judged_side_by_side() {
    let dir = common::real_project();
    let har = dir.path().join("session.har");
    let proxy = ProxyProcess::start(
        dir.path(),
        &[
            "--upstream",
            "sandbox",
            "--sandbox-fault",
            "missing-field=orders.list",
            "--record",
            har.to_str().expect("utf-8"),
        ],
    );
    let mut mini = MiniProgram {
        http: reqwest::Client::new(),
        base: proxy.url(),
        token: None,
    };
    let token = mini.session().await;
    let ended = proxy.interrupt();
    assert_eq!(
        ended.code,
        Some(1),
        "findings fail the session: {}",
        ended.stderr
    );
    let out = &ended.stdout;
    for secret in [token.as_str(), PHONE] {
        assert!(!out.contains(secret), "a secret on the terminal");
        assert!(
            !std::fs::read_to_string(&har).expect("har").contains(secret),
            "a secret in the HAR"
        );
    }
    check_the_live_lines(out);
    let result = last_run(dir.path());
    check_the_sides(&result);
    check_the_coverage(&result, out);
    check_the_recording(dir.path(), &har, &result);
}

/// One live line per exchange, in order, with the verdict.
fn check_the_live_lines(out: &str) {
    let live: Vec<&str> = out
        .lines()
        .take_while(|l| !l.starts_with("daodao-check ·"))
        .collect();
    assert_eq!(live.len(), 10, "{out}");
    let expected = [
        (0, "POST    /api/v1/auth/send-code", "✓ 发送验证码"),
        (5, "GET     /api/v1/orders ", "✗ 后端 schema at /data/"),
        (6, "/api/v1/community/upload-image", "✓ 上传图片"),
        (7, " 400 ", "✗ 前端 request at /body/"),
        (
            8,
            "GET     /api/v1/api/v1/orders",
            "✗ 未登记接口 → GET /api/v1/orders 获取用户订单列表 (基础路径重复: /api/v1/api/v1)",
        ),
        (
            9,
            "GET     /api/v1/no/such/route",
            "✗ 未登记接口 (没有相近的合约)",
        ),
    ];
    for (i, request, verdict) in expected {
        assert!(
            live[i].contains(request) && live[i].contains(verdict),
            "{}",
            live[i]
        );
    }
}

/// The findings' sides, in the results.
fn check_the_sides(result: &Value) {
    assert_eq!(result["selection"], "proxy");
    assert_eq!(result["sandbox"], "clean");
    let order = sides(result, "orders.create");
    assert!(!order.is_empty());
    assert!(order
        .iter()
        .all(|(case, side, check)| case == "前端请求" && side == "frontend" && check == "request"));
    let backend = ("后端响应".to_string(), "backend".to_string());
    assert_eq!(
        sides(result, "orders.list"),
        [(backend.0, backend.1, "schema".to_string())]
    );
    assert_eq!(
        endpoint(result, "community.upload-image")["status"],
        "passed"
    );
}

/// What was exercised, passed or not, what never was, and the routes no contract describes; the
/// terminal's coverage table says the same.
fn check_the_coverage(result: &Value, out: &str) {
    let coverage = result["proxy"]["coverage"].as_array().expect("coverage");
    let counts = |id: &str| {
        let row = coverage.iter().find(|c| c["id"] == id).expect("a row");
        (row["exchanges"].as_u64(), row["failed"].as_u64())
    };
    assert_eq!(counts("stores.cities"), (Some(1), Some(0)));
    assert_eq!(counts("orders.create"), (Some(2), Some(1)));
    assert_eq!(counts("payments.create"), (Some(0), Some(0)));
    let unregistered = result["proxy"]["unregistered"]
        .as_array()
        .expect("unregistered");
    assert_eq!(unregistered.len(), 2);
    assert_eq!(unregistered[0]["suggestion"]["id"], "orders.list");
    assert!(
        out.contains("联调覆盖: 前端调用了 7/131 个接口 (5 个联调通过, 2 个有问题) · 交换 10 次 · 未登记接口 2 个"),
        "{out}"
    );
    let table_row = out
        .lines()
        .find(|l| l.starts_with('│') && l.contains("POST /api/v1/orders") && l.contains("创建订单"))
        .expect("a coverage row");
    assert!(table_row.contains("❌ 有问题"), "{table_row}");
    assert!(out.contains("未调用 (124 个):"), "{out}");
}

/// The recording read back offline gives the same verdicts.
fn check_the_recording(dir: &std::path::Path, har: &std::path::Path, live: &Value) {
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(har).expect("read")).expect("a HAR");
    assert_eq!(json["log"]["version"], "1.2");
    assert_eq!(json["log"]["entries"].as_array().map(Vec::len), Some(10));
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args(["check-har", "--color", "never"])
        .arg(har)
        .current_dir(dir)
        .output()
        .expect("check-har runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let offline = last_run(dir);
    assert_eq!(offline["selection"], "har");
    let verdicts = |r: &Value| -> Vec<(String, String, Sides)> {
        r["endpoints"]
            .as_array()
            .expect("endpoints")
            .iter()
            .map(|e| {
                let id = e["id"].as_str().unwrap_or_default().to_string();
                (
                    id.clone(),
                    e["status"].as_str().unwrap_or_default().to_string(),
                    sides(r, &id),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&offline), verdicts(live));
    assert_eq!(
        offline["proxy"]["unregistered"],
        live["proxy"]["unregistered"]
    );
}

#[tokio::test]
async fn progress_writes_a_proxy_session_into_the_plan() {
    let dir = common::real_project();
    let proxy = ProxyProcess::start(dir.path(), &["--upstream", "sandbox"]);
    let http = reqwest::Client::new();
    let cities = http
        .get(format!("{}/api/v1/stores/cities", proxy.url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(cities.status().as_u16(), 200);
    let ended = proxy.interrupt();
    assert_eq!(ended.code, Some(0), "{}", ended.stderr);
    let plan = dir.path().join("plan.md");
    let original =
        std::fs::read_to_string(common::repo().join("../shared/docs/API对接联调计划.md"))
            .expect("the plan");
    std::fs::write(&plan, &original).expect("copy");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args(["progress", "--allow-sandbox", "--doc"])
        .arg(&plan)
        .current_dir(dir.path())
        .output()
        .expect("progress runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let updated = std::fs::read_to_string(&plan).expect("read");
    // Each endpoint line, by the endpoint it names: only the exercised one changed.
    let lines = |text: &str| -> std::collections::BTreeMap<String, String> {
        text.lines()
            .filter_map(|l| {
                let endpoint = l.split('`').nth(1)?;
                endpoint
                    .contains(" /api/v1/")
                    .then(|| (endpoint.to_string(), l.to_string()))
            })
            .collect()
    };
    let before = lines(&original);
    let changed: Vec<String> = lines(&updated)
        .into_iter()
        .filter(|(endpoint, line)| before.get(endpoint) != Some(line))
        .map(|(_, line)| line)
        .collect();
    assert_eq!(
        changed.len(),
        1,
        "only the exercised endpoint's line: {changed:?}"
    );
    assert!(
        changed[0].contains("✅") && changed[0].ends_with("(联调通过)"),
        "{}",
        changed[0]
    );
    // Results from the embedded sandbox are refused without --allow-sandbox, as a run's.
    let refused = assert_cmd::Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args(["progress", "--doc"])
        .arg(&plan)
        .current_dir(dir.path())
        .output()
        .expect("progress runs");
    assert_eq!(refused.status.code(), Some(2));
}
