//! What the proxy forwards: every request reaches the upstream byte for byte as it reached the proxy
//! (only `Host` names the upstream), every answer reaches the client byte for byte as the upstream
//! sent it; a missing upstream is the team's envelope with a 502, a slow one is waited for up to
//! `--timeout-ms`.

use crate::common;
use crate::proxy_support::{
    answer, endpoint, findings, last_run, raw_exchange, ProxyProcess, RawServer,
};
use std::time::Duration;

/// The bytes a server got, without the proxy's own probes of the backend's catch-all.
fn forwarded(server: &RawServer) -> Vec<Vec<u8>> {
    server
        .received
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| !String::from_utf8_lossy(r).contains("__daodao_check_no_such_route"))
        .cloned()
        .collect()
}

fn requests(host: &str) -> Vec<Vec<u8>> {
    let json = br#"{"vehicleId": "v_1",  "price": 1.50, "note": "\u623f\u8f66"}"#;
    let mut post = format!(
        "POST /api/v1/orders?city=%E6%9D%AD%E5%B7%9E&a=1+2 HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer abc.DEF-123\r\nContent-Type: application/json\r\nX-Trace-Id: MiXeD-Case\r\n\
         Content-Length: {}\r\n\r\n",
        json.len()
    )
    .into_bytes();
    post.extend_from_slice(json);
    let mut file =
        b"--BoUnDaRy\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
                     Content-Type: image/png\r\n\r\n"
            .to_vec();
    file.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x00, 0xff, 0x0d, 0x0a, 0x1b]);
    file.extend_from_slice(b"\r\n--BoUnDaRy--\r\n");
    let mut upload = format!(
        "POST /api/v1/community/upload-image HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer abc.DEF-123\r\n\
         Content-Type: multipart/form-data; boundary=BoUnDaRy\r\nContent-Length: {}\r\n\r\n",
        file.len()
    )
    .into_bytes();
    upload.extend_from_slice(&file);
    let get = format!("GET /api/v1/stores/cities HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n")
        .into_bytes();
    let preflight = format!(
        "OPTIONS /api/v1/orders HTTP/1.1\r\nHost: {host}\r\nOrigin: http://127.0.0.1:9999\r\n\
         Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n"
    )
    .into_bytes();
    vec![post, upload, get, preflight]
}

#[test]
fn requests_and_answers_cross_the_proxy_byte_for_byte() {
    let body =
        "{\"code\": 0,  \"message\":\"成功\" ,\"data\":{\"price\":1.50,\"list\":[ ]}}".as_bytes();
    let canned = answer(
        "201 Created",
        &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-Request-Id", "Abc-123"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2"),
            ("Access-Control-Allow-Origin", "*"),
            ("Date", "Fri, 09 Jan 2026 02:00:00 GMT"),
        ],
        body,
    );
    let server = RawServer::start(canned.clone(), Duration::ZERO);
    let upstream = format!("http://{}/api/v1", server.addr);
    let dir = common::real_project();
    let proxy = ProxyProcess::start(dir.path(), &["--upstream", &upstream]);
    let direct: Vec<Vec<u8>> = requests(&server.addr.to_string())
        .iter()
        .map(|r| raw_exchange(&server.addr.to_string(), r))
        .collect();
    let sent_directly = forwarded(&server);
    server.received.lock().expect("lock").clear();
    let proxied: Vec<Vec<u8>> = requests(&proxy.addr)
        .iter()
        .map(|r| raw_exchange(&proxy.addr, r))
        .collect();
    let ended = proxy.interrupt();
    let sent_through = forwarded(&server);
    assert_eq!(sent_through.len(), 4, "{}", ended.stderr);
    for (through, direct) in sent_through.iter().zip(&sent_directly) {
        assert_eq!(
            String::from_utf8_lossy(through),
            String::from_utf8_lossy(direct),
            "the upstream got another request through the proxy"
        );
        assert_eq!(through, direct);
    }
    for answer in direct.iter().chain(&proxied) {
        assert_eq!(answer, &canned, "{}", String::from_utf8_lossy(answer));
    }
}

#[test]
fn a_missing_upstream_answers_the_teams_envelope_and_is_a_transport_finding() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let dir = common::real_project();
    let upstream = format!("http://127.0.0.1:{port}/api/v1");
    let proxy = ProxyProcess::start(dir.path(), &["--upstream", &upstream]);
    let got = raw_exchange(
        &proxy.addr,
        format!(
            "GET /api/v1/orders/statuses HTTP/1.1\r\nHost: {}\r\n\r\n",
            proxy.addr
        )
        .as_bytes(),
    );
    let ended = proxy.interrupt();
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{text}");
    let body: serde_json::Value =
        serde_json::from_str(text.split("\r\n\r\n").nth(1).expect("a body")).expect("JSON");
    assert_eq!(body["code"], 502);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("上游不可达: ")),
        "{body}"
    );
    assert!(
        ended.stderr.contains("warning: 上游暂不可达"),
        "{:?} {} {}",
        ended.code,
        ended.stderr,
        ended.stdout
    );
    assert!(
        ended.stdout.contains(" 502 ") && ended.stdout.contains("✗ 后端 transport: refused"),
        "{}",
        ended.stdout
    );
    let result = last_run(dir.path());
    let statuses = endpoint(&result, "orders.statuses");
    assert_eq!(
        findings(statuses),
        [(
            "后端响应".into(),
            "backend".into(),
            "transport".into(),
            String::new()
        )]
    );
}

#[test]
fn a_slow_upstream_is_waited_for_up_to_the_timeout() {
    let body = br#"{"code":0,"message":"success","data":[]}"#;
    let slow = RawServer::start(
        answer("200 OK", &[("Content-Type", "application/json")], body),
        Duration::from_millis(600),
    );
    let upstream = format!("http://{}/api/v1", slow.addr);
    let dir = common::real_project();
    let patient = ProxyProcess::start(dir.path(), &["--upstream", &upstream]);
    let request =
        |addr: &str| format!("GET /api/v1/orders/statuses HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let got = raw_exchange(&patient.addr, request(&patient.addr).as_bytes());
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200 OK"));
    patient.interrupt();
    let hasty = ProxyProcess::start(
        dir.path(),
        &["--upstream", &upstream, "--timeout-ms", "100"],
    );
    let got = raw_exchange(&hasty.addr, request(&hasty.addr).as_bytes());
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 504 Gateway Timeout"), "{text}");
    assert!(
        text.contains("\"code\":504") && text.contains("上游超时"),
        "{text}"
    );
    hasty.interrupt();
}

#[test]
fn a_session_can_end_by_itself_and_bad_arguments_are_usage_errors() {
    let dir = common::real_project();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let upstream = format!("http://{}/api/v1", closed.local_addr().expect("addr"));
    drop(closed);
    let run = |args: &[&str]| {
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_daodao-check"))
            .args(args)
            .current_dir(dir.path())
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs")
    };
    let ended = run(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--duration",
        "300ms",
    ]);
    assert_eq!(
        ended.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ended.stderr)
    );
    assert_eq!(last_run(dir.path())["proxy"]["exchanges"], 0);
    let idle = run(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--until-idle",
        "300ms",
    ]);
    assert_eq!(idle.status.code(), Some(0));
    let https = run(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        "https://example.com/api/v1",
    ]);
    assert_eq!(https.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&https.stderr).contains("plain http://"));
    let duration = run(&["proxy", "--duration", "5 days"]);
    assert_eq!(duration.status.code(), Some(2));
    let missing = run(&["check-har", "nothing.har"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nothing.har: cannot read"));
}
