//! The benchmark's floor: replays recorded requests (JSON lines from `daodao-check sandbox --record`) with a
//! bare HTTP client at a given concurrency, no checks, no reporting. Used by bench/bench.py.
//!
//! `cargo run --release --example replay -- REQUESTS.jsonl http://127.0.0.1:PORT JOBS`

use futures::StreamExt;
use serde_json::Value;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(origin)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: replay REQUESTS.jsonl ORIGIN [JOBS]");
        std::process::exit(2);
    };
    let jobs: usize = args.get(3).and_then(|j| j.parse().ok()).unwrap_or(8);
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(2)
    });
    let requests: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let client = reqwest::Client::new();
    let start = std::time::Instant::now();
    let statuses: Vec<u16> = futures::stream::iter(requests.iter().map(|r| {
        let client = client.clone();
        async move {
            let method =
                reqwest::Method::from_bytes(r["method"].as_str().unwrap_or("GET").as_bytes())
                    .unwrap_or(reqwest::Method::GET);
            let mut url = format!("{origin}{}", r["path"].as_str().unwrap_or("/"));
            if let Some(q) = r["query"].as_str() {
                url.push('?');
                url.push_str(q);
            }
            let mut req = client.request(method, url);
            if let Some(a) = r["authorization"].as_str() {
                req = req.header("Authorization", a);
            }
            if !r["body"].is_null() {
                req = req
                    .header("Content-Type", "application/json")
                    .body(r["body"].to_string());
            }
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let _ = resp.bytes().await;
                    status
                }
                Err(_) => 0,
            }
        }
    }))
    .buffer_unordered(jobs)
    .collect()
    .await;
    let elapsed = start.elapsed().as_secs_f64();
    let failed = statuses.iter().filter(|s| **s == 0).count();
    println!(
        "{{\"requests\": {}, \"transport_errors\": {failed}, \"seconds\": {elapsed:.4}}}",
        statuses.len()
    );
}
