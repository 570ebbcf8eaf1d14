//! The proxy benchmark's load: CONNECTIONS keep-alive connections, each sending requests one after the
//! other, TOTAL requests in all, over a mix of the mini-program's reads (one of them with a token it
//! gets by logging in first). Prints JSON: the latencies' p50/p99 as the client saw them, throughput.
//! Used by bench/proxy.py; the same load goes to the sandbox directly and through the proxy.
//!
//! Without RATE the connections send as fast as they are answered (the throughput, and latencies that
//! are mostly queueing); with RATE (requests per second in all) request i is due at i/RATE and its
//! latency counts from then, so time spent behind schedule is not hidden.
//!
//! `cargo run --release --example proxy_load -- http://127.0.0.1:PORT/api/v1 CONNECTIONS TOTAL [RATE]`

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The reads, as the mini-program makes them while browsing; `None` is the one that needs the token.
const READS: [Option<&str>; 6] = [
    Some("/stores/cities"),
    Some("/orders/statuses"),
    Some("/help/categories"),
    Some("/health"),
    Some("/vehicles?pickupCity=%E6%9D%AD%E5%B7%9E&pickupStoreId=store_001&pickupDate=2026-12-01T10:00:00%2B08:00&returnDate=2026-12-03T10:00:00%2B08:00"),
    None,
];

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(authority: &str) -> Sender {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .unwrap_or_else(|e| fail(&format!("connect {authority}: {e}")));
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap_or_else(|e| fail(&format!("handshake: {e}")));
    tokio::spawn(conn);
    sender
}

fn fail(message: &str) -> ! {
    eprintln!("proxy_load: {message}");
    std::process::exit(2)
}

/// One request; the status and the time to the whole answer.
async fn send(sender: &mut Sender, req: Request<Full<Bytes>>) -> (u16, f64) {
    // The connection takes the next request once it has finished the last.
    if sender.ready().await.is_err() {
        return (0, 0.0);
    }
    let start = Instant::now();
    let resp = match sender.send_request(req).await {
        Ok(r) => r,
        Err(_) => return (0, start.elapsed().as_secs_f64() * 1000.0),
    };
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    (if body.is_ok() { status } else { 0 }, ms)
}

fn request(
    method: &str,
    authority: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority)
        .header("accept", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    b.body(Full::new(Bytes::from(body.unwrap_or_default().to_string())))
        .unwrap_or_else(|e| fail(&e.to_string()))
}

/// Logs in through the target: send-code, then login-with-code (the sandbox's code is 123456).
async fn login(authority: &str, base: &str) -> String {
    let mut s = connect(authority).await;
    let phone = r#"{"phone":"13900000001","type":"login"}"#;
    send(
        &mut s,
        request(
            "POST",
            authority,
            &format!("{base}/auth/send-code"),
            None,
            Some(phone),
        ),
    )
    .await;
    let req = request(
        "POST",
        authority,
        &format!("{base}/auth/login-with-code"),
        None,
        Some(r#"{"phone":"13900000001","code":"123456"}"#),
    );
    if let Err(e) = s.ready().await {
        fail(&format!("login: {e}"));
    }
    let resp = s
        .send_request(req)
        .await
        .unwrap_or_else(|e| fail(&format!("login: {e}")));
    let body = resp
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    json["data"]["token"]
        .as_str()
        .unwrap_or_else(|| fail("login gave no token"))
        .to_string()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(url) = args.get(1).and_then(|u| reqwest::Url::parse(u).ok()) else {
        fail("usage: proxy_load BASE_URL [CONNECTIONS] [TOTAL]");
    };
    let connections: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(50);
    let total: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let rate: f64 = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(0.0);
    let authority = format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(80)
    );
    let base = url.path().trim_end_matches('/').to_string();
    let token = Arc::new(login(&authority, &base).await);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (authority, base, token, next) =
                (authority.clone(), base.clone(), token.clone(), next.clone());
            tokio::spawn(async move {
                let mut sender = connect(&authority).await;
                let mut seen = vec![];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return seen;
                    }
                    let req = match READS[i % READS.len()] {
                        Some(path) => {
                            request("GET", &authority, &format!("{base}{path}"), None, None)
                        }
                        None => request(
                            "GET",
                            &authority,
                            &format!("{base}/users/profile"),
                            Some(&token),
                            None,
                        ),
                    };
                    let late_ms = if rate > 0.0 {
                        let due = start + std::time::Duration::from_secs_f64(i as f64 / rate);
                        tokio::time::sleep_until(due.into()).await;
                        due.elapsed().as_secs_f64() * 1000.0
                    } else {
                        0.0
                    };
                    let (status, ms) = send(&mut sender, req).await;
                    seen.push((status, ms + late_ms));
                }
            })
        })
        .collect();
    let mut seen = vec![];
    for w in workers {
        seen.extend(w.await.unwrap_or_default());
    }
    let seconds = start.elapsed().as_secs_f64();
    let mut latencies: Vec<f64> = seen.iter().map(|(_, ms)| *ms).collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let pct =
        |p: f64| latencies[((p / 100.0) * latencies.len() as f64).ceil().max(1.0) as usize - 1];
    let failed = seen.iter().filter(|(s, _)| *s != 200).count();
    println!(
        "{}",
        serde_json::json!({
            "requests": seen.len(), "connections": connections, "rate": rate, "seconds": seconds,
            "throughput": seen.len() as f64 / seconds, "p50_ms": pct(50.0), "p99_ms": pct(99.0),
            "not_200": failed,
        })
    );
}
