//! A backend that misbehaves on purpose, at the socket level: a raw TCP server on loopback (hyper would
//! refuse to send most of these). `GET /api/v1/h/<mode>` answers the way [`Mode`] says; any other path
//! is the catch-all's envelope 404. It runs on its own thread and runtime, so a test can run the CLI as a
//! process against it, and it stops (every connection with it) when dropped. Everything it does is
//! bounded: a trickle or an endless body stops when the client hangs up, or at its own limit.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const PREFIX: &str = "/api/v1/h/";

/// The misbehaviours, by the path segment that asks for them.
pub const MODES: &[&str] = &[
    "truncated",
    "cut_off",
    "html",
    "huge",
    "gzip_bomb",
    "endless",
    "slowloris",
    "silent",
    "reset",
    "no_content",
    "redirect_loop",
    "redirect_away",
    "rate_limited",
    "rate_limited_once",
    "bad_utf8",
    "deep",
    "huge_array",
    "control_chars",
    "text_plain",
    "many_missing",
    "secrets",
    "secrets_text",
];

/// Secrets the `secrets` modes plant, each of which must never appear in any output.
pub const PLANTED: &[&str] = &[
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzEiLCJwaG9uZSI6IjEzOTAwMDAxMTExIn0.c2lnbmF0dXJlLXNlY3JldA",
    "13900001111",
    "13800002222",
    "hunter2-pwd-value",
    "passwd-value-9f8e7d",
    "client-secret-5c4b3a",
    "842913",
    "13700003333",
    "rt_refresh_0a1b2c3d4e5f",
    "sk_live_text_body_77aa88bb",
];

pub struct HostileServer {
    pub base_url: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HostileServer {
    pub fn start() -> HostileServer {
        // Made before the first request, so no answer waits for another's body to be built.
        for body in [&HUGE, &HUGE_ARRAY, &GZIP_BOMB] {
            LazyLock::force(body);
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("address").port();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let seen = hits.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    _ = stopped => {}
                    _ = accept_loop(listener, seen) => {}
                }
            });
            // Dropping the runtime cancels every connection still open (a trickle, a silence).
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        HostileServer {
            base_url: format!("http://127.0.0.1:{port}/api/v1"),
            hits,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// How many requests asked for `mode`.
    pub fn hits(&self, mode: &str) -> usize {
        let hits = self.hits.lock().expect("hits");
        hits.get(mode).copied().unwrap_or(0)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(listener: TcpListener, hits: Arc<Mutex<HashMap<String, usize>>>) {
    while let Ok((socket, _)) = listener.accept().await {
        let hits = hits.clone();
        tokio::spawn(async move {
            let _ = serve(socket, hits).await;
        });
    }
}

/// Reads one request's head (64 KiB at most) and returns its path.
async fn read_path(socket: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let target = text.split_whitespace().nth(1).unwrap_or("/");
    Ok(target.split('?').next().unwrap_or("/").to_string())
}

async fn serve(
    mut socket: TcpStream,
    hits: Arc<Mutex<HashMap<String, usize>>>,
) -> std::io::Result<()> {
    let path = read_path(&mut socket).await?;
    let Some(mode) = path.strip_prefix(PREFIX).map(str::to_string) else {
        let body = r#"{"code":404,"message":"Route not found","data":null}"#;
        return reply(
            &mut socket,
            "404 Not Found",
            &json_headers(),
            body.as_bytes(),
        )
        .await;
    };
    let hit = {
        let mut hits = hits.lock().expect("hits");
        let n = hits.entry(mode.clone()).or_insert(0);
        *n += 1;
        *n
    };
    misbehave(&mut socket, &mode, &path, hit).await
}

fn json_headers() -> Vec<(&'static str, String)> {
    vec![("Content-Type", "application/json; charset=utf-8".into())]
}

fn envelope(data: &str) -> String {
    format!(r#"{{"code":0,"message":"ok","data":{data}}}"#)
}

/// One whole answer: status line, headers, `Content-Length`, body; then the connection closes.
async fn reply(
    socket: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body).await?;
    socket.shutdown().await
}

async fn misbehave(
    socket: &mut TcpStream,
    mode: &str,
    path: &str,
    hit: usize,
) -> std::io::Result<()> {
    let ok = "200 OK";
    match mode {
        "truncated" => {
            reply(
                socket,
                ok,
                &json_headers(),
                br#"{"code":0,"message":"ok","data":{"id":"i_"#,
            )
            .await
        }
        "cut_off" => {
            // Announces 1000 bytes, sends 20, hangs up.
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
            socket.write_all(head.as_bytes()).await?;
            socket.write_all(br#"{"code":0,"data":[1,"#).await?;
            socket.shutdown().await
        }
        "html" => {
            let page = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
            reply(
                socket,
                ok,
                &[("Content-Type", "text/html".into())],
                page.as_bytes(),
            )
            .await
        }
        "huge" => reply(socket, ok, &json_headers(), &HUGE).await,
        "gzip_bomb" => {
            let headers = [
                ("Content-Type", "application/json".to_string()),
                ("Content-Encoding", "gzip".to_string()),
            ];
            reply(socket, ok, &headers, &GZIP_BOMB).await
        }
        "endless" => endless(socket).await,
        "slowloris" => slowloris(socket).await,
        "silent" => silence(socket).await,
        "reset" => {
            // Linger zero makes the close a reset; with zero it never blocks the thread, which is
            // what the deprecation warns of.
            #[allow(deprecated)]
            socket.set_linger(Some(Duration::ZERO))?;
            Ok(())
        }
        "no_content" => reply(socket, "204 No Content", &[], b"").await,
        "redirect_loop" => reply(socket, "302 Found", &[("Location", path.to_string())], b"").await,
        "redirect_away" => {
            let to = "https://login.other-origin.invalid/sso?back=/api/v1/h/redirect_away";
            reply(
                socket,
                "307 Temporary Redirect",
                &[("Location", to.into())],
                b"",
            )
            .await
        }
        "rate_limited" => rate_limited(socket).await,
        "rate_limited_once" if hit == 1 => rate_limited(socket).await,
        "rate_limited_once" => reply(socket, ok, &json_headers(), ITEM.as_bytes()).await,
        "bad_utf8" => {
            let mut body = br#"{"code":0,"message":"caf"#.to_vec();
            body.push(0xe9); // Latin-1 é: not UTF-8
            body.extend_from_slice(br#"","data":{"id":"i_1","name":"n"}}"#);
            reply(socket, ok, &json_headers(), &body).await
        }
        "deep" => {
            let depth = 100_000;
            let body = format!(
                r#"{{"code":0,"message":"ok","data":{}{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            reply(socket, ok, &json_headers(), body.as_bytes()).await
        }
        "huge_array" => reply(socket, ok, &json_headers(), &HUGE_ARRAY).await,
        "control_chars" => {
            let body = r#"{"code":1,"message":"\u001b[2J\u001b[31m系统繁忙\u0007\r\n\u001b]0;pwned\u0007","data":null}"#;
            reply(socket, ok, &json_headers(), body.as_bytes()).await
        }
        "text_plain" => {
            reply(
                socket,
                ok,
                &[("Content-Type", "text/plain; charset=utf-8".into())],
                ITEM.as_bytes(),
            )
            .await
        }
        "many_missing" => reply(socket, ok, &json_headers(), envelope("{}").as_bytes()).await,
        "secrets" => reply(socket, ok, &json_headers(), secrets_json().as_bytes()).await,
        "secrets_text" => {
            let body = format!(
                "Internal error: token={} refresh={} phone {} key {}",
                PLANTED[0], PLANTED[8], PLANTED[7], PLANTED[9]
            );
            reply(
                socket,
                "500 Internal Server Error",
                &[("Content-Type", "text/plain".into())],
                body.as_bytes(),
            )
            .await
        }
        _ => {
            reply(
                socket,
                "404 Not Found",
                &json_headers(),
                br#"{"code":404,"message":"no such mode","data":null}"#,
            )
            .await
        }
    }
}

const ITEM: &str = r#"{"code":0,"message":"ok","data":{"id":"i_1","name":"n"}}"#;

async fn rate_limited(socket: &mut TcpStream) -> std::io::Result<()> {
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("Retry-After", "1".to_string()),
    ];
    reply(
        socket,
        "429 Too Many Requests",
        &headers,
        br#"{"code":429,"message":"too many requests","data":null}"#,
    )
    .await
}

/// A chunked list of `{}` that never ends: it stops when the client hangs up, or after 1 GiB.
async fn endless(socket: &mut TcpStream) -> std::io::Result<()> {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(b"1\r\n[\r\n").await?;
    let chunk = "{},".repeat(20_000);
    let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
    let mut sent = 0usize;
    while sent < 1 << 30 {
        socket.write_all(frame.as_bytes()).await?;
        sent += chunk.len();
    }
    Ok(())
}

/// The status line, then the headers one byte every 100 ms: the head never ends within a request
/// timeout (it stops when the client hangs up, or after a minute).
async fn slowloris(socket: &mut TcpStream) -> std::io::Result<()> {
    socket.write_all(b"HTTP/1.1 200 OK\r\n").await?;
    let header = "X-Trickle: ".to_string() + &"a".repeat(600);
    for b in header.bytes() {
        socket.write_all(&[b]).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Reads and never answers, until the client hangs up (or a minute passes).
async fn silence(socket: &mut TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        while socket.read(&mut buf).await.is_ok_and(|n| n > 0) {}
    })
    .await;
    Ok(())
}

/// Tokens under odd keys, a JWT and a phone number inside `message`, a refresh token: on a failed case
/// (code 1), so the response excerpt is in every report.
fn secrets_json() -> String {
    serde_json::json!({
        "code": 1,
        "message": format!("登录失败: token {} 已绑定手机 {}", PLANTED[0], PLANTED[1]),
        "data": {
            "jwt": PLANTED[0],
            "tel": PLANTED[2],
            "pwd": PLANTED[3],
            "passwd": PLANTED[4],
            "secret": PLANTED[5],
            "verificationCode": PLANTED[6],
            "mobilePhone": PLANTED[7],
            "refreshToken": PLANTED[8],
        }
    })
    .to_string()
}

/// About 8 MB: a list of `{}` where objects with required fields are expected.
static HUGE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let items = vec!["{}"; 2_666_000].join(",");
    envelope(&format!("[{items}]")).into_bytes()
});

/// A million items where an object is expected (just under the 2 MiB validation limit).
static HUGE_ARRAY: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let items = vec!["0"; 1_000_000].join(",");
    envelope(&format!("[{items}]")).into_bytes()
});

/// A gzip member that inflates to 64 MiB of zero bytes from about 420 KB: one fixed-Huffman deflate
/// block, a literal 0 and then length-258 copies at distance 1. Its CRC is left zero: a client that
/// decodes it would have read far past the read limit before it got there.
static GZIP_BOMB: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut bits = BitWriter::default();
    bits.value(1, 1); // BFINAL
    bits.value(1, 2); // BTYPE 01: fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let inflated: u32 = 64 << 20;
    for _ in 0..(inflated - 1) / 258 {
        bits.code(0xC5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
    }
    bits.code(0, 7); // end of block
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(bits.finish());
    out.extend(0u32.to_le_bytes()); // CRC32, unchecked by design
    out.extend((1 + (inflated - 1) / 258 * 258).to_le_bytes());
    out
});

/// Deflate's bit order: values least significant bit first, Huffman codes most significant bit first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    used: u32,
}

impl BitWriter {
    fn bit(&mut self, b: u32) {
        if self.used.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if b != 0 {
            *self.bytes.last_mut().expect("a byte") |= 1 << (self.used % 8);
        }
        self.used += 1;
    }
    fn value(&mut self, v: u32, n: u32) {
        (0..n).for_each(|i| self.bit((v >> i) & 1));
    }
    fn code(&mut self, c: u32, n: u32) {
        (0..n).rev().for_each(|i| self.bit((c >> i) & 1));
    }
    fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

#[test]
fn the_gzip_bomb_is_small_on_the_wire() {
    assert!(GZIP_BOMB.len() < 500_000, "{}", GZIP_BOMB.len());
    assert_eq!(&GZIP_BOMB[..3], &[0x1f, 0x8b, 8]);
}
