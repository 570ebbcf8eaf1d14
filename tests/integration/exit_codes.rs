//! One exit code per cause, through the binary: 0 passed, 1 a check failed, 2 nothing ran because the
//! command line, the config, a contract or a result file is wrong, 3 the backend is unreachable.

use crate::cli::{cli, output};
use crate::common;
use std::path::Path;

/// A cause: how to provoke it in a copy of the mini project, the exit code, and what stderr must say.
struct Cause {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    setup: fn(&Path),
    code: i32,
    says: &'static str,
}

fn nothing(_: &Path) {}

fn break_a_contract(root: &Path) {
    let p = root.join("contracts/demo/item.json");
    let text = std::fs::read_to_string(&p).expect("contract");
    std::fs::write(&p, text.replacen("\"phase\": 1", "\"phase\": \"one\"", 1)).expect("write");
}

fn an_old_result(root: &Path) {
    std::fs::create_dir_all(root.join("reports")).expect("reports dir");
    std::fs::write(
        root.join("reports/last-run.json"),
        "{\"schema_version\": 0, \"endpoints\": []}",
    )
    .expect("write");
}

fn causes() -> Vec<Cause> {
    vec![
        Cause {
            name: "a passing run",
            args: &["phase", "1", "--sandbox"],
            env: &[],
            setup: nothing,
            code: 0,
            says: "wrote reports/last-run.json",
        },
        Cause {
            name: "a failing check",
            args: &["phase", "1", "--sandbox-fault", "server-error=demo.item"],
            env: &[],
            setup: nothing,
            code: 1,
            says: "wrote reports/last-run.json",
        },
        Cause {
            name: "a config file that does not exist",
            args: &["lint", "--config", "nope.toml"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: nope.toml: config file not found",
        },
        Cause {
            name: "a config value of the wrong type",
            args: &["phase", "1", "--sandbox"],
            env: &[],
            setup: |root| {
                let p = root.join("daodao-check.toml");
                let text = std::fs::read_to_string(&p).expect("config");
                std::fs::write(&p, text.replace("jobs = 4", "jobs = \"four\"")).expect("write");
            },
            code: 2,
            says: "daodao-check.toml: line 3, column 8: invalid type: string \"four\"",
        },
        Cause {
            name: "an environment variable that is not a number",
            args: &["phase", "1", "--sandbox"],
            env: &[("DAODAO_JOBS", "many")],
            setup: nothing,
            code: 2,
            says: "error: environment variable DAODAO_JOBS=\"many\" is not a number",
        },
        Cause {
            name: "an unknown environment",
            args: &["phase", "1", "--env", "prod"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: unknown environment `prod` (configured: none)",
        },
        Cause {
            name: "a base URL without a scheme",
            args: &["phase", "1", "--base-url", "localhost:3001"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: base URL \"localhost:3001\" must start with http:// or https://",
        },
        Cause {
            name: "an unknown endpoint",
            args: &["run", "--endpoint", "demo.nothing"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: unknown endpoint `demo.nothing`",
        },
        Cause {
            name: "an unknown module",
            args: &["run", "--module", "payments"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: unknown module `payments` (modules: auth, demo)",
        },
        Cause {
            name: "an unknown scenario",
            args: &["run", "--scenario", "checkout"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: unknown scenario `checkout`",
        },
        Cause {
            name: "a phase the plan does not have",
            args: &["run", "--phase", "7"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: phase 7 is not in the plan (0–8)",
        },
        Cause {
            name: "a phase out of range (refused by argument parsing)",
            args: &["phase", "9"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "a phase is 1–8, 0 or `all`, not `9`",
        },
        Cause {
            name: "a partition that cannot be read",
            args: &["phase", "1", "--sandbox", "--partition", "hash:4/3"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "partition `hash:4/3`: M must be between 1 and N",
        },
        Cause {
            name: "two reports to standard output",
            args: &["phase", "1", "--sandbox", "--report", "json=-", "--report", "junit=-"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "both write to standard output",
        },
        Cause {
            name: "a run flag on a command that does not run",
            args: &["lint", "--jobs", "4"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "unexpected argument '--jobs'",
        },
        Cause {
            name: "an unknown sandbox fault",
            args: &["phase", "1", "--sandbox-fault", "gremlins"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "unknown fault `gremlins`",
        },
        Cause {
            name: "a contract with a problem",
            args: &["phase", "1", "--sandbox"],
            env: &[],
            setup: break_a_contract,
            code: 2,
            says: "error: 1 problem(s) found; nothing was run",
        },
        Cause {
            name: "a last run of another schema version",
            args: &["run", "--failed", "--sandbox"],
            env: &[],
            setup: an_old_result,
            code: 2,
            says: "schema_version Some(0) is not 3; re-run to regenerate it",
        },
        Cause {
            name: "a report without --input where the config cannot say",
            args: &["report", "--config", "nope.toml"],
            env: &[],
            setup: nothing,
            code: 2,
            says: "error: nope.toml: config file not found; give the result to render with --input PATH",
        },
        Cause {
            name: "an unreachable backend",
            args: &["phase", "1", "--base-url", "http://127.0.0.1:9/api/v1"],
            env: &[],
            setup: nothing,
            code: 3,
            says: "error: backend unreachable at http://127.0.0.1:9/api/v1: connection refused: nothing listens on 127.0.0.1:9",
        },
    ]
}

#[test]
fn each_cause_exits_with_its_code_and_says_why() {
    for cause in causes() {
        let dir = common::mini();
        (cause.setup)(dir.path());
        let mut command = cli(dir.path());
        command.env_remove("DAODAO_JOBS").args(cause.args);
        for (name, value) in cause.env {
            command.env(name, value);
        }
        let (code, out, err) = output(&mut command);
        assert_eq!(code, cause.code, "{}: exit code\n{out}\n{err}", cause.name);
        assert!(err.contains(cause.says), "{}: stderr\n{err}", cause.name);
    }
}

/// The cause of an unreachable backend in its own terms, about the base URL given, with what to do.
#[test]
fn an_unreachable_backend_says_why_and_what_to_do() {
    let dir = common::mini();
    let unreachable = |base_url: &str, extra: &[&str]| {
        let (code, _, err) = output(
            cli(dir.path())
                .args(["phase", "1", "--base-url", base_url])
                .args(extra),
        );
        assert_eq!(code, 3, "{err}");
        assert!(
            err.contains(&format!("error: backend unreachable at {base_url}: ")),
            "{err}"
        );
        assert!(err.contains("add --sandbox"), "{err}");
        assert!(
            !err.contains("__daodao"),
            "the probe's path is no news: {err}"
        );
        err
    };
    let dns = unreachable("http://no-such-host.invalid/api/v1", &[]);
    assert!(
        dns.contains("the host name `no-such-host.invalid` does not resolve (DNS)"),
        "{dns}"
    );
    // A socket that is listened on but never answered: the connection is made, no answer comes.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = silent.local_addr().expect("addr");
    let timeout = unreachable(
        &format!("http://{address}/api/v1"),
        &["--timeout-ms", "300"],
    );
    assert!(
        timeout.contains(&format!("no answer from {address} within 300 ms (timeout)")),
        "{timeout}"
    );
}
