//! The sandbox survives clients that misbehave: slow-loris headers and bodies are cut off, the
//! connections it serves at once are capped, and running out of file descriptors makes it back off and
//! recover instead of spinning. Waits here are liveness bounds (a hang fails the test), never timings.

use crate::common;
use daodao_check::sandbox::{self, Limits, Options, Sandbox};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Generous: only a sandbox that never closes or never answers runs into it.
const LIVENESS: Duration = Duration::from_secs(20);

fn tight() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        max_connections: 4,
    }
}

async fn serve(limits: Limits) -> (sandbox::Running, String, tempfile::TempDir) {
    let dir = common::real_project();
    let config = common::config_for(dir.path(), "http://127.0.0.1:1/api/v1", "");
    let catalog = common::catalog(&config);
    let options = Options {
        limits,
        ..Options::default()
    };
    let sb = Sandbox::new(catalog, &config.contracts_dir, options).expect("sandbox");
    let running = sandbox::start(Arc::new(sb), ([127, 0, 0, 1], 0).into())
        .await
        .expect("listens");
    let addr = running.addr.to_string();
    (running, addr, dir)
}

/// Reads until the server closes the connection; what it sent, if anything. Fails the test when the
/// server keeps it open past the liveness bound.
fn read_to_close(mut s: TcpStream) -> String {
    s.set_read_timeout(Some(LIVENESS)).expect("timeout");
    let mut out = vec![];
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the sandbox kept the connection open: {e}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The status of `GET /api/v1/health`, sent whole; 0 when no answer came.
fn health(addr: &str) -> u16 {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return 0;
    };
    let request = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if s.write_all(request).is_err() {
        return 0;
    }
    let mut out = vec![];
    let _ = s.set_read_timeout(Some(LIVENESS));
    let _ = s.read_to_end(&mut out);
    let answer = String::from_utf8_lossy(&out);
    answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_loris_headers_are_cut_off_and_a_real_client_is_still_served() {
    let (_running, addr, _dir) = serve(tight()).await;
    let addr2 = addr.clone();
    tokio::task::spawn_blocking(move || {
        // More half-sent requests than the sandbox serves at once.
        let loris: Vec<TcpStream> = (0..12)
            .map(|_| {
                let mut s = TcpStream::connect(&addr2).expect("connects");
                s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
                    .expect("half a request");
                s
            })
            .collect();
        // Someone who sends a whole request gets an answer while they hang.
        assert_eq!(health(&addr2), 200);
        for s in loris {
            // The server closes each of them: read_to_end returns instead of waiting forever.
            read_to_close(s);
        }
    })
    .await
    .expect("joins");
    assert_eq!(health(&addr), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_is_answered_with_400() {
    let (_running, addr, _dir) = serve(tight()).await;
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(&addr).expect("connects");
        s.write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"pho",
        )
        .expect("headers and a bit of the body");
        read_to_close(s)
    })
    .await
    .expect("joins");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("请求体过大或读取失败"), "{answer}");
}

#[test]
fn out_of_file_descriptors_it_backs_off_and_recovers() {
    let dir = common::real_project();
    // A low descriptor limit: the catalogue loads first, then every connection costs one.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec {} sandbox --addr 127.0.0.1:0",
            env!("CARGO_BIN_EXE_daodao-check")
        ))
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sandbox starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let addr = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|w| w.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    // Far more idle connections than descriptors: the process runs out.
    let held: Vec<TcpStream> = (0..200)
        .filter_map(|_| TcpStream::connect(&addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    drop(held);
    // Once they are gone it serves again.
    let mut status = 0;
    for _ in 0..40 {
        status = health(&addr);
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let _ = child.kill();
    let _ = child.wait();
    let log = log.join().expect("log");
    assert_eq!(status, 200, "{log:#?}");
    let backed_off = log.iter().filter(|l| l.contains("backing off")).count();
    assert!(backed_off >= 1, "it ran out and said so: {log:#?}");
    assert!(
        backed_off <= 5,
        "it says so once per spell, not once per failed accept: {backed_off}"
    );
}
