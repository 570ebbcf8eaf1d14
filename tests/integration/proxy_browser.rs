//! `check-har` on a HAR a real browser wrote: headless Chromium (Debian's `/usr/bin/chromium`) loads a
//! page that calls the sandbox with `fetch`, as the mini-program would, and Playwright records the HAR
//! (`recordHar`). Needs node, chromium and the npm package playwright-core (installed once under
//! target/npm-tools, as .ci/run does); without them the test says so and skips.

use crate::common;
use crate::proxy_support::{endpoint, findings, last_run};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Where playwright-core is (or gets) installed.
fn tools() -> PathBuf {
    std::env::var_os("DAODAO_NPM_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target/npm-tools"))
}

/// playwright-core's directory, installing it when missing; `None` when it cannot be had.
fn playwright() -> Option<PathBuf> {
    let dir = tools();
    let package = dir.join("node_modules/playwright-core");
    if !package.join("package.json").exists() {
        let installed = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg("playwright-core@1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !installed.is_ok_and(|s| s.success()) {
            return None;
        }
    }
    package.join("package.json").exists().then_some(package)
}

fn skip_reason() -> Option<String> {
    if !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMIUM} is missing (apt-get install chromium)"));
    }
    if !Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("node is missing".into());
    }
    None
}

/// `daodao-check sandbox` with a fault, on a free port; its base URL.
fn sandbox(dir: &Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args([
            "sandbox",
            "--addr",
            "127.0.0.1:0",
            "--quiet",
            "--fault",
            "wrong-type=orders.statuses",
        ])
        .current_dir(dir)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sandbox starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// The page's script: what the mini-program does, with fetch.
const SCRIPT: &str = r#"
const [playwright, base, har] = process.argv.slice(2);
const { chromium } = require(playwright);
(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const context = await browser.newContext({ recordHar: { path: har } });
  const page = await context.newPage();
  // The page comes from the sandbox's origin (served by the browser itself): Chromium keeps pages
  // of other origins from calling loopback addresses.
  const page_url = new URL('/index.html', base).href;
  await page.route(page_url, route =>
    route.fulfill({ contentType: 'text/html', body: '<html><body>叨叨房车</body></html>' }));
  await page.goto(page_url);
  const statuses = await page.evaluate(async (base) => {
    const call = async (method, path, body, token) => {
      const headers = {};
      if (body) headers['Content-Type'] = 'application/json';
      if (token) headers['Authorization'] = 'Bearer ' + token;
      const r = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
      return [r.status, await r.text()];
    };
    const out = [];
    out.push((await call('POST', '/auth/send-code', { phone: '13912345678', type: 'login' }))[0]);
    const [s, text] = await call('POST', '/auth/login-with-code', { phone: '13912345678', code: '123456' });
    out.push(s);
    const token = JSON.parse(text).data.token;
    out.push((await call('GET', '/stores/cities'))[0]);
    out.push((await call('GET', '/orders/statuses'))[0]);
    out.push((await call('GET', '/users/profile', null, token))[0]);
    out.push((await call('POST', '/orders', { vehicleId: 7 }, token))[0]);
    out.push((await call('GET', '/api/v1/orders', null, token))[0]);
    return out;
  }, base);
  await context.close();
  await browser.close();
  console.log(JSON.stringify(statuses));
})().catch(e => { console.error(e); process.exit(1); });
"#;

/// The page's calls recorded by Chromium against a faulty sandbox: the HAR and the sandbox's base URL.
fn record(dir: &Path, playwright: &Path) -> (PathBuf, String) {
    let (mut server, base) = sandbox(dir);
    let har = dir.join("chromium.har");
    let script = dir.join("record.js");
    std::fs::write(&script, SCRIPT).expect("script");
    let recorded = Command::new("node")
        .arg(&script)
        .arg(playwright)
        .arg(&base)
        .arg(&har)
        .output()
        .expect("node runs");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&recorded.stdout);
    assert!(
        recorded.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    assert_eq!(stdout.trim(), "[200,200,200,200,200,400,404]");
    let text = std::fs::read_to_string(&har).expect("the HAR");
    assert!(text.contains("\"creator\""), "a HAR file");
    (har, base)
}

#[test]
fn a_har_recorded_by_chromium_is_checked_offline() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: the browser HAR test needs node and chromium: {why}");
        return;
    }
    let Some(playwright) = playwright() else {
        eprintln!(
            "skipped: playwright-core could not be installed under {}",
            tools().display()
        );
        return;
    };
    let dir = common::real_project();
    let (har, base) = record(dir.path(), &playwright);
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_daodao-check"))
        .args(["check-har", "--color", "never", "--base-url", &base])
        .arg(&har)
        .current_dir(dir.path())
        .output()
        .expect("check-har runs");
    let lines = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{lines}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        lines.contains("/index.html") && lines.contains("· 非接口请求, 未校验"),
        "{lines}"
    );
    assert!(!lines.contains("13912345678"), "a phone on the terminal");
    let result = last_run(dir.path());
    for passed in [
        "auth.send-code",
        "auth.login-with-code",
        "stores.cities",
        "users.profile",
    ] {
        assert_eq!(
            endpoint(&result, passed)["status"],
            "passed",
            "{passed}: {lines}"
        );
    }
    let statuses = findings(endpoint(&result, "orders.statuses"));
    assert!(
        statuses
            .iter()
            .all(|(case, side, check, _)| case == "后端响应"
                && side == "backend"
                && check == "schema"),
        "{statuses:?}"
    );
    let order = findings(endpoint(&result, "orders.create"));
    assert!(
        !order.is_empty() && order.iter().all(|(_, side, _, _)| side == "frontend"),
        "{order:?}"
    );
    let unregistered = &result["proxy"]["unregistered"][0];
    assert_eq!(unregistered["path"], "/api/v1/api/v1/orders");
    assert_eq!(unregistered["suggestion"]["id"], "orders.list");
}
