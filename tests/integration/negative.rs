//! The derived negative and boundary inputs (`negative_input`) against the embedded sandbox: the
//! budget and its switches (the run, the contract, the command line), and no request sent twice.
//! Against a backend that crashes on them: `negative_backend.rs`.

mod backend;

use crate::cli::{cli, output};
use crate::common;
use daodao_check::exec::{Excerpts, Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::result::{CaseKind, CaseResult, EndpointResult, RunResult, Status};
use daodao_check::sandbox::Embedded;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// A run of `selection` against the embedded sandbox serving the project at `root`.
async fn run(root: &Path, extra_toml: &str, selection: Selection, excerpts: Excerpts) -> RunResult {
    let mut config = common::config_for(root, "http://127.0.0.1:1/api/v1", extra_toml);
    let catalog = common::catalog(&config);
    let _sandbox = daodao_check::sandbox::embed(&mut config, catalog.clone(), &Embedded::default())
        .await
        .expect("sandbox starts");
    let mut runner = Runner::new(Arc::new(config), catalog).expect("runner");
    runner.options.excerpts = excerpts;
    runner.run(&selection, &SilentObserver).await.expect("run")
}

fn endpoints(ids: &[&str]) -> Selection {
    Selection {
        endpoints: ids.iter().map(|s| s.to_string()).collect(),
        include_endpoints: true,
        ..Default::default()
    }
}

fn negative(e: &EndpointResult) -> Vec<&CaseResult> {
    (e.cases.iter())
        .filter(|k| k.kind == CaseKind::NegativeInput)
        .collect()
}

fn endpoint<'r>(r: &'r RunResult, id: &str) -> &'r EndpointResult {
    (r.endpoints.iter())
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("{id} ran"))
}

const SOME: [&str; 3] = ["vehicles.detail", "orders.list", "wallet.recharge"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_takes_the_most_informative_eight_and_all_takes_every_one() {
    let repo = common::repo();
    let basic = run(&repo, "", endpoints(&SOME), Excerpts::Failures).await;
    let all = run(
        &repo,
        "[env.local.run]\nnegative = \"all\"\n",
        endpoints(&SOME),
        Excerpts::Failures,
    )
    .await;
    for id in SOME {
        let (b, a) = (negative(endpoint(&basic, id)), negative(endpoint(&all, id)));
        assert!(!b.is_empty() && b.len() <= 8, "{id}: {}", b.len());
        assert!(a.len() >= b.len(), "{id}");
        // The budget keeps the first ones: basic is where all begins.
        let names =
            |cases: &[&CaseResult]| cases.iter().map(|k| k.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&b), names(&a)[..b.len()], "{id}");
        assert!(
            (a.iter()).all(|k| k.status == Status::Passed),
            "{id}: the clean sandbox answers each"
        );
        assert_eq!(endpoint(&all, id).status, Status::Passed);
    }
    let detail = negative(endpoint(&basic, "vehicles.detail"));
    assert_eq!(detail[0].name, "负向输入: path id = \"abc\"");
    assert_eq!(
        detail[0].code,
        Some(404),
        "the documented error case's code"
    );
    let list = negative(endpoint(&all, "orders.list"));
    assert!(list.len() > 8, "{}", list.len());
    // `^[0-9]+$`: page 0 is inside the schema, and served.
    let page_zero = (list.iter()).find(|k| k.name == "负向输入: query page = 0");
    assert_eq!(page_zero.and_then(|k| k.code), Some(0));
    let recharge = negative(endpoint(&basic, "wallet.recharge"));
    let names: Vec<&str> = recharge.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names[..3],
        [
            "负向输入: body = (空)",
            "负向输入: body.amount = 9",
            "负向输入: body.amount = 0"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_or_the_contract_turns_them_off() {
    let dir = common::real_project();
    let off = run(
        dir.path(),
        "[env.local.run]\nnegative = \"off\"\n",
        endpoints(&SOME),
        Excerpts::Failures,
    )
    .await;
    for id in SOME {
        assert!(negative(endpoint(&off, id)).is_empty(), "{id}");
    }
    let file = dir.path().join("contracts/orders/list.json");
    let mut contract: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("contract")).expect("JSON");
    contract["run"] = serde_json::json!({"negative": "off"});
    std::fs::write(&file, contract.to_string()).expect("write");
    let r = run(dir.path(), "", endpoints(&SOME), Excerpts::Failures).await;
    assert!(negative(endpoint(&r, "orders.list")).is_empty());
    assert!(!negative(endpoint(&r, "vehicles.detail")).is_empty());
    // The contract's level wins over the run's either way.
    contract["run"] = serde_json::json!({"negative": "all"});
    std::fs::write(&file, contract.to_string()).expect("write");
    let r = run(
        dir.path(),
        "[env.local.run]\nnegative = \"off\"\n",
        endpoints(&SOME),
        Excerpts::Failures,
    )
    .await;
    assert!(negative(endpoint(&r, "orders.list")).len() > 8);
    assert!(negative(endpoint(&r, "vehicles.detail")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_of_an_endpoint_is_sent_twice() {
    let selection = Selection {
        include_endpoints: true,
        ..Default::default()
    };
    let r = run(
        &common::repo(),
        "[env.local.run]\nnegative = \"all\"\n",
        selection,
        Excerpts::All,
    )
    .await;
    let mut derived = 0;
    for e in &r.endpoints {
        let others: Vec<&str> = (e.cases.iter())
            .filter(|k| k.kind != CaseKind::NegativeInput)
            .filter_map(|k| k.curl.as_deref())
            .collect();
        let mut seen: Vec<&str> = vec![];
        for k in negative(e) {
            let curl = k.curl.as_deref().expect("every case keeps its curl line");
            assert!(
                !others.contains(&curl),
                "{}: {} repeats another case",
                e.id,
                k.name
            );
            assert!(!seen.contains(&curl), "{}: {} is sent twice", e.id, k.name);
            seen.push(curl);
            derived += 1;
        }
    }
    assert!(derived > 500, "{derived}");
}

#[test]
fn the_command_line_level_wins_and_an_unknown_one_is_a_usage_error() {
    let dir = common::real_project();
    let ran = |args: &[&str]| {
        let mut all = vec!["run", "--endpoint", "vehicles.detail", "--sandbox", "-q"];
        all.extend(args);
        let (code, _, err) = output(cli(dir.path()).args(&all).env("DAODAO_NEGATIVE", "all"));
        let text = std::fs::read_to_string(dir.path().join("reports/last-run.json"))
            .unwrap_or_else(|e| panic!("{e}: {err}"));
        let r: RunResult = serde_json::from_str(&text).expect("a result");
        (code, negative(&r.endpoints[0]).len())
    };
    assert_eq!(ran(&[]), (0, 6), "DAODAO_NEGATIVE=all");
    assert_eq!(ran(&["--negative", "off"]), (0, 0));
    let (code, _, err) = output(cli(dir.path()).args(["phase", "0", "--negative", "most"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`most` is not a negative-input level (known: all, basic, off)"),
        "{err}"
    );
}

#[test]
fn lint_names_the_file_and_place_of_an_unknown_level_in_a_contract() {
    let dir = common::real_project();
    let file = dir.path().join("contracts/orders/list.json");
    let mut contract: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("contract")).expect("JSON");
    contract["run"] = serde_json::json!({"negative": "sometimes"});
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&contract).expect("JSON"),
    )
    .expect("write");
    let (code, out, err) = output(cli(dir.path()).arg("lint"));
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains("contracts/orders/list.json: run.negative (line")
            && out.contains("unknown variant `sometimes`, expected one of `off`, `basic`, `all`"),
        "{out}"
    );
}
