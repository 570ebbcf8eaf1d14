use super::*;
use crate::http::{TransportError, TransportErrorKind};
use crate::proxy::observed::Observed;
use crate::proxy::test_support::{exchange, with_json, with_token};
use crate::redact::{Redactor, SecretKind};
use serde_json::{json, Value};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzEifQ.c2lnbmF0dXJl";

fn login() -> Observed {
    let answer = json!({"code": 0, "message": "success",
        "data": {"token": TOKEN, "user": {"id": "u_1", "phone": "13912345678"}}});
    with_json(
        exchange(
            "POST",
            "/api/v1/auth/login?from=13912345678",
            200,
            &answer.to_string(),
        ),
        json!({"phone": "13912345678", "password": "s3cret-pw"}),
    )
}

fn upload() -> Observed {
    let body = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
                Content-Type: image/png\r\n\r\n\u{0}\u{1}PNG\r\n--B\r\n\
                Content-Disposition: form-data; name=\"phone\"\r\n\r\n13912345678\r\n--B--\r\n";
    let mut o = with_token(
        exchange("POST", "/api/v1/community/upload-image", 200, "{}"),
        TOKEN,
    );
    o.request_headers.push((
        "Content-Type".into(),
        "multipart/form-data; boundary=B".into(),
    ));
    o.request_body = bytes::Bytes::from(body);
    if let Ok(a) = &mut o.response {
        a.headers = vec![("Content-Type".into(), "image/png".into())];
        a.body = bytes::Bytes::from_static(&[0x89, b'P', b'N', b'G', 0xff, 0x00]);
    }
    o
}

fn down() -> Observed {
    let mut o = exchange("GET", "/api/v1/orders", 0, "");
    o.response = Err(TransportError {
        kind: TransportErrorKind::Refused,
        message: "connection refused".into(),
    });
    o
}

/// Writes `exchanges` to a HAR file and returns its path (in `dir`) and its JSON.
async fn recorded(
    dir: &std::path::Path,
    exchanges: &[Observed],
    masked: bool,
) -> (std::path::PathBuf, Value) {
    let path = dir.join("session.har");
    let redactor = Redactor::new();
    redactor.add(TOKEN, SecretKind::Token);
    let mut har = HarWriter::create(&path, masked).expect("created");
    for o in exchanges {
        har.entry(o, &redactor).await.expect("written");
    }
    assert_eq!(har.finish().expect("closed"), exchanges.len() as u64);
    let json = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
    (path, json)
}

#[tokio::test]
async fn a_recording_is_har_1_2_and_reads_back_as_the_same_exchanges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exchanges = [login(), upload(), down()];
    let (path, json) = recorded(dir.path(), &exchanges, false).await;
    assert_eq!(json["log"]["version"], "1.2");
    assert_eq!(json["log"]["creator"]["name"], "daodao-check");
    assert_eq!(json["log"]["_daodao"]["masked"], false);
    let entry = &json["log"]["entries"][0];
    assert_eq!(
        entry["request"]["queryString"],
        json!([{"name": "from", "value": "13912345678"}])
    );
    assert_eq!(entry["response"]["statusText"], "OK");
    let har = read(&path).expect("reads");
    assert!(!har.masked);
    assert_eq!(har.entries.len(), 3);
    let back = &har.entries[0];
    assert_eq!(
        (back.method.as_str(), back.path.as_str()),
        ("POST", "/api/v1/auth/login")
    );
    assert_eq!(back.query.as_deref(), Some("from=13912345678"));
    assert_eq!(back.request_body, exchanges[0].request_body);
    assert_eq!(back.started, exchanges[0].started);
    let answer = back.response.as_ref().expect("answered");
    assert_eq!(
        answer.body,
        exchanges[0].response.as_ref().expect("answered").body
    );
    // The upload: its fields as params (the file by name), its binary answer as base64.
    let post = &json["log"]["entries"][1]["request"]["postData"];
    assert_eq!(post["params"][0]["fileName"], "a.png");
    assert_eq!(
        json["log"]["entries"][1]["response"]["content"]["encoding"],
        "base64"
    );
    let form = har.entries[1].form.as_ref().expect("a form");
    assert_eq!(form[0].file_name.as_deref(), Some("a.png"));
    assert_eq!(form[1].value, "13912345678");
    let image = &har.entries[1].response.as_ref().expect("answered").body;
    assert_eq!(image.as_ref(), [0x89, b'P', b'N', b'G', 0xff, 0x00]);
    // A request that got no answer: status 0 with the error, read back as a transport error.
    assert_eq!(json["log"]["entries"][2]["response"]["status"], 0);
    let failed = har.entries[2].response.as_ref().expect_err("no answer");
    assert_eq!(failed.kind, TransportErrorKind::Refused);
}

#[tokio::test]
async fn a_masked_recording_keeps_no_secret_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, json) = recorded(dir.path(), &[login(), upload()], true).await;
    let text = std::fs::read_to_string(&path).expect("read");
    for secret in [TOKEN, "13912345678", "s3cret-pw"] {
        assert!(!text.contains(secret), "{secret} in the recording");
    }
    assert_eq!(json["log"]["_daodao"]["masked"], true);
    let headers = &json["log"]["entries"][1]["request"]["headers"];
    assert!(headers
        .as_array()
        .expect("list")
        .contains(&json!({"name": "Authorization", "value": "Bearer «token»"})));
    let har = read(&path).expect("reads");
    assert!(har.masked);
    assert_eq!(har.entries[0].bearer(), None);
    assert_eq!(har.entries[1].bearer(), Some("«token»"));
}

#[test]
fn masked_values_are_recognised() {
    for masked in ["139****5678", "«token»", "Bearer «token»", "«sms-code»"] {
        assert!(is_masked(masked), "{masked}");
    }
    for plain in ["13912345678", "12345", "a**b", "token"] {
        assert!(!is_masked(plain), "{plain}");
    }
}

fn write(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("export.har");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn exports_of_other_tools_are_read_leniently() {
    let dir = tempfile::tempdir().expect("tempdir");
    let har = json!({"log": {"version": "1.2", "entries": [
        {"startedDateTime": "2026-01-09T10:00:00.000Z", "time": 35.5,
         "request": {"method": "POST", "url": "http://localhost:3000/api/v1/orders?x=1",
                     "headers": [{"name": ":authority", "value": "localhost:3000"}],
                     "postData": {"mimeType": "application/json", "text": "{\"a\":1}"}},
         "response": {"status": 200, "content": {"mimeType": "application/json", "text": "e30=",
                      "encoding": "base64"}}},
        {"startedDateTime": "2026-01-09T10:00:01.000Z",
         "request": {"method": "GET", "url": "data:image/png;base64,AAAA"},
         "response": {"status": 200}},
        {"startedDateTime": "2026-01-09T10:00:02.000Z", "time": 3,
         "request": {"method": "GET", "url": "http://localhost:3000/api/v1/slow"},
         "response": {"status": 0, "_error": "net::ERR_TIMED_OUT"}}
    ]}});
    let path = write(dir.path(), &format!("\u{feff}{har}"));
    let read = read(&path).expect("reads");
    assert_eq!(read.skipped, 1, "a data: URL is no request");
    assert_eq!(read.entries.len(), 2);
    let first = &read.entries[0];
    assert_eq!(
        first.request_headers,
        [("content-type".to_string(), "application/json".to_string())]
    );
    assert_eq!(first.request_body.as_ref(), b"{\"a\":1}");
    assert_eq!(
        first.response.as_ref().expect("answered").body.as_ref(),
        b"{}"
    );
    assert_eq!(first.elapsed_ms, 35.5);
    let timeout = read.entries[1].response.as_ref().expect_err("no answer");
    assert_eq!(timeout.kind, TransportErrorKind::Timeout);
}

#[test]
fn what_is_not_a_har_is_an_error_naming_the_file_and_the_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("{\"log\": ", "line 1, column 8", "not JSON"),
        ("{\"entries\": []}", "log", "missing: not a HAR file"),
        (
            "{\"log\": {\"entries\": {}}}",
            "log.entries",
            "missing or not a list",
        ),
        (
            r#"{"log": {"entries": [{"startedDateTime": "2026-01-09T10:00:00Z", "request": {"method": "GET"}, "response": {"status": 200}}]}}"#,
            "log.entries[0].request.url",
            "missing or not text",
        ),
        (
            r#"{"log": {"entries": [{"startedDateTime": "yesterday", "request": {"method": "GET", "url": "http://h/x"}, "response": {"status": 200}}]}}"#,
            "log.entries[0].startedDateTime",
            "not a date-time",
        ),
        (
            r#"{"log": {"entries": [{"startedDateTime": "2026-01-09T10:00:00Z", "request": {"method": "GET", "url": "http://h/x"}, "response": {"status": 70000}}]}}"#,
            "log.entries[0].response.status",
            "70000 is not an HTTP status",
        ),
    ];
    for (text, place, message) in cases {
        let path = write(dir.path(), text);
        let e = read(&path).expect_err(text);
        assert_eq!(e.place, place, "{text}");
        assert!(e.message.starts_with(message), "{}", e.message);
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
    }
}
