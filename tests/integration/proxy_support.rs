//! Helpers of the proxy tests: the proxy as a process (started on a free port, stopped with Ctrl-C),
//! a raw HTTP server on loopback that records the bytes it gets and answers canned bytes, and a raw
//! client, so that forwarding can be compared byte for byte.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `daodao-check proxy …` running in `dir`, its stdout collected.
pub struct ProxyProcess {
    child: Child,
    /// `127.0.0.1:PORT`, as it announced.
    pub addr: String,
    /// Where it forwards to, as it announced.
    pub upstream: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// How a proxy process ended.
pub struct Ended {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

fn collect(
    pipe: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut s = into.lock().expect("lock");
            s.push_str(&line);
            s.push('\n');
        }
    })
}

impl ProxyProcess {
    /// Starts `daodao-check proxy --listen 127.0.0.1:0 ARGS` in `dir` and waits for its address.
    pub fn start(dir: &std::path::Path, args: &[&str]) -> ProxyProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_daodao-check"))
            .args(["proxy", "--color", "never", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the proxy starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut announced = String::new();
        let mut first = String::new();
        while first.is_empty() || !first.starts_with("daodao-check proxy:") {
            first.clear();
            if stderr.read_line(&mut first).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("the proxy ended before it listened: {announced}");
            }
            announced.push_str(&first);
        }
        let words: Vec<&str> = first.split_whitespace().collect();
        let addr = words
            .iter()
            .find_map(|w| {
                w.strip_prefix("http://127.0.0.1:")
                    .map(|p| format!("127.0.0.1:{p}"))
            })
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let upstream = words
            .iter()
            .skip_while(|w| **w != "→")
            .nth(1)
            .map(|w| w.to_string())
            .unwrap_or_default();
        let out = Arc::new(Mutex::new(String::new()));
        let err = Arc::new(Mutex::new(announced));
        let readers = vec![
            collect(child.stdout.take().expect("stdout"), out.clone()),
            collect(stderr, err.clone()),
        ];
        ProxyProcess {
            child,
            addr,
            upstream,
            stdout: out,
            stderr: err,
            readers,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Ctrl-C, then waits for it to write its report and exit.
    pub fn interrupt(mut self) -> Ended {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
        let status = self.child.wait().expect("the proxy ends");
        for r in std::mem::take(&mut self.readers) {
            let _ = r.join();
        }
        let out = self.stdout.lock().expect("lock").clone();
        let err = self.stderr.lock().expect("lock").clone();
        Ended {
            code: status.code(),
            stdout: out,
            stderr: err,
        }
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that records every request's raw bytes and answers each with `answer`, after `delay`.
pub struct RawServer {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl RawServer {
    pub fn start(answer: Vec<u8>, delay: Duration) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(vec![]));
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let log = log.clone();
                let answer = answer.clone();
                std::thread::spawn(move || serve(stream, &answer, delay, &log));
            }
        });
        RawServer { addr, received }
    }
}

/// Answers every request on one connection until the peer closes it.
fn serve(mut stream: TcpStream, answer: &[u8], delay: Duration, log: &Mutex<Vec<Vec<u8>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    while let Some(request) = read_message(&mut stream) {
        log.lock().expect("lock").push(request);
        std::thread::sleep(delay);
        if stream.write_all(answer).is_err() {
            return;
        }
    }
}

/// One HTTP/1.1 message (head and a `Content-Length` body) as raw bytes; `None` at the end.
pub fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut bytes = vec![];
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => bytes.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    bytes.extend(body);
    Some(bytes)
}

/// Sends raw request bytes to `addr` and returns the raw answer.
pub fn raw_exchange(addr: &str, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(request).expect("send");
    read_message(&mut stream).expect("an answer")
}

/// A canned answer: status line, headers as given (case and order kept), a `Content-Length` body.
pub fn answer(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for (k, v) in headers {
        out.extend(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend(body);
    out
}

/// The JSON results the session wrote.
pub fn last_run(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("reports/last-run.json")).expect("last-run.json");
    serde_json::from_str(&text).expect("JSON")
}

/// An endpoint of a result, by contract id.
pub fn endpoint<'r>(result: &'r serde_json::Value, id: &str) -> &'r serde_json::Value {
    result["endpoints"]
        .as_array()
        .and_then(|list| list.iter().find(|e| e["id"] == id))
        .unwrap_or_else(|| panic!("no endpoint {id} in the result"))
}

/// `(case name, side, check, path)` of every finding of an endpoint.
pub fn findings(endpoint: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    endpoint["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|case| {
            case["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |f| {
                    (
                        text(&case["name"]),
                        text(&f["side"]),
                        text(&f["check"]),
                        text(&f["path"]),
                    )
                })
        })
        .collect()
}
