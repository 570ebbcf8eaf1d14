//! No secret of a run leaves the process unmasked: every secret the run saw (its session files list them)
//! is searched for in every output of faulted runs — terminal, stderr, last-run.json and every report.

use crate::cli::{cli, output};
use crate::common;
use std::path::Path;

/// The values `reports/session.env` exports: the run's tokens, phones, passwords and SMS codes.
fn session_secrets(dir: &Path) -> Vec<String> {
    let env =
        std::fs::read_to_string(dir.join("reports/session.env")).expect("session.env written");
    env.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once("='"))
        .map(|(_, v)| v.trim_end_matches('\'').to_string())
        .collect()
}

fn scan(fault: &str) {
    let dir = common::real_project();
    let out = dir.path().join("out");
    let mut args = vec![
        "phase".to_string(),
        "all".into(),
        "--sandbox-fault".into(),
        fault.into(),
    ];
    for (format, file) in [
        ("json", "r.json"),
        ("junit", "r.xml"),
        ("markdown", "r.md"),
        ("html", "r.html"),
    ] {
        args.push("--report".into());
        args.push(format!("{format}={}", out.join(file).display()));
    }
    let (code, stdout, stderr) = output(cli(dir.path()).args(&args));
    assert_eq!(code, 1, "{fault}: the faulted run fails\n{stderr}");
    let secrets = session_secrets(dir.path());
    assert!(
        secrets.len() >= 4,
        "{fault}: the run saw its accounts' secrets: {secrets:?}"
    );
    let mut outputs = vec![
        ("stdout".to_string(), stdout),
        ("stderr".to_string(), stderr),
        (
            "last-run.json".to_string(),
            std::fs::read_to_string(dir.path().join("reports/last-run.json")).expect("result"),
        ),
    ];
    for entry in std::fs::read_dir(&out).expect("reports").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("report");
        outputs.push((entry.file_name().to_string_lossy().into_owned(), text));
    }
    for (name, text) in &outputs {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{fault}: {name} carries a secret of the run"
            );
        }
        // The numbers the run generates (199…) are phones wherever they were generated, whether or
        // not an account logged in with one.
        let generated = generated_phones(text);
        assert!(
            generated.is_empty(),
            "{fault}: {name} carries generated phone numbers: {generated:?}"
        );
    }
}

/// Standalone 11-digit numbers of the range the run's `{{phone}}` draws from.
fn generated_phones(text: &str) -> Vec<String> {
    let digits: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = vec![];
    let mut i = 0;
    while i < digits.len() {
        let run = digits[i..]
            .iter()
            .take_while(|(_, c)| c.is_ascii_digit())
            .count();
        if run == 11 {
            let number: String = digits[i..i + 11].iter().map(|(_, c)| c).collect();
            if number.starts_with("199") {
                found.push(number);
            }
        }
        i += run.max(1);
    }
    found
}

#[test]
fn a_run_whose_logins_answer_broken_json_leaks_no_secret() {
    scan("invalid-json");
}

#[test]
fn a_run_whose_answers_drift_leaks_no_secret() {
    scan("wrong-type");
}

#[test]
fn a_phone_number_a_template_generated_is_masked_in_the_reproduction_of_a_failed_case() {
    // send-code's valid request carries a fresh `{{phone}}`; failing it keeps its curl line.
    scan("success-code=auth.send-code");
}

#[test]
fn the_session_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::real_project();
    let (code, _, err) = output(cli(dir.path()).args(["run", "--module", "auth", "--sandbox"]));
    assert_eq!(code, 0, "{err}");
    for file in ["reports/session.env", "reports/session.ps1"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .expect(file)
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    assert!(!session_secrets(dir.path()).is_empty());
}

/// `-vv` prints every exchange, the logins' included: masked like every excerpt.
#[test]
fn a_very_verbose_run_shows_every_exchange_and_leaks_no_secret() {
    let dir = common::real_project();
    let (code, stdout, stderr) = output(cli(dir.path()).args(["phase", "all", "--sandbox", "-vv"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("✓ POST /api/v1/auth/login  密码登录") && stdout.contains("«token»"),
        "the logins are shown, their tokens masked"
    );
    let secrets = session_secrets(dir.path());
    assert!(secrets.len() >= 4, "{secrets:?}");
    for secret in &secrets {
        assert!(
            !carries(&stdout, secret),
            "stdout carries a secret of the run"
        );
        assert!(
            !carries(&stderr, secret),
            "stderr carries a secret of the run"
        );
    }
}

/// The secret as a value of its own: the SMS code `123456` inside the contracts' example bank card
/// `6222021234567890123` is not it.
fn carries(text: &str, secret: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(secret).any(|(at, _)| {
        !alnum(text[..at].chars().next_back()) && !alnum(text[at + secret.len()..].chars().next())
    })
}
