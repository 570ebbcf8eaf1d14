//! The customer journey end to end (scenarios/journey.toml): green against the sandbox with the staff it
//! seeds; without a staff account, the store's steps skipped and what waits on them blocked, never a
//! failure, and the run saying how to configure the account.

use crate::cli::{cli, output};
use crate::common;
use daodao_check::config::Config;
use daodao_check::exec::{Runner, SilentObserver};
use daodao_check::plan::Selection;
use daodao_check::report::{self, terminal, Format, Style, View, FILE_WIDTH};
use daodao_check::result::{RunResult, ScenarioPhase, ScenarioResult, Status};
use daodao_check::sandbox::{self, Embedded, Options, Sandbox};
use std::sync::Arc;

/// The staff steps of the journey, in order.
const STAFF_STEPS: [&str; 3] = ["staff_skips_confirm", "staff_confirms", "staff_completes"];

/// The journey's steps that need what a staff step captures, directly or through another step.
const WAITING_ON_STAFF: [&str; 9] = [
    "order_confirmed",
    "order_completed",
    "statuses",
    "points_for_rental",
    "points_record",
    "rate",
    "ratings_list",
    "rate_again",
    "points_for_rating",
];

/// The shipped configuration, its staff account reading environment variables no test sets: as
/// long as nothing logs it in for the run, it is not configured.
fn config() -> Config {
    let mut config = common::config_for(&common::repo(), "http://127.0.0.1:1/api/v1", "");
    let staff = config.accounts.get_mut("staff").expect("a staff account");
    staff.phone_env = "DAODAO_TEST_UNSET_STAFF_PHONE".into();
    staff.password_env = "DAODAO_TEST_UNSET_STAFF_PASSWORD".into();
    config
}

fn selection(scenarios: &[&str], endpoints: &[&str]) -> Selection {
    Selection {
        scenarios: scenarios.iter().map(|s| s.to_string()).collect(),
        endpoints: endpoints.iter().map(|s| s.to_string()).collect(),
        include_scenarios: !scenarios.is_empty(),
        include_endpoints: !endpoints.is_empty(),
        ..Default::default()
    }
}

/// A run against the embedded sandbox; `without_staff` takes the seeded staff's login away from the
/// run, as against a backend whose staff account nobody configured.
async fn run(selection: Selection, faults: &[&str], without_staff: bool) -> RunResult {
    let mut config = config();
    let catalog = common::catalog(&config);
    let embedded = Embedded {
        faults: faults.iter().map(|f| f.to_string()).collect(),
        ..Embedded::default()
    };
    let _sandbox = sandbox::embed(&mut config, catalog.clone(), &embedded)
        .await
        .expect("the sandbox starts");
    if without_staff {
        forget_staff(&mut config);
    }
    let mut runner = Runner::new(Arc::new(config), catalog).expect("a runner");
    runner
        .run(&selection, &SilentObserver)
        .await
        .expect("a run")
}

fn forget_staff(config: &mut Config) {
    let staff = config.accounts.get_mut("staff").expect("a staff account");
    staff.preset = None;
}

fn scenario<'r>(r: &'r RunResult, name: &str) -> &'r ScenarioResult {
    (r.scenarios.iter())
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("scenario {name} ran"))
}

fn steps_with(s: &ScenarioResult, status: Status) -> Vec<&str> {
    (s.steps.iter())
        .filter(|k| k.status == status)
        .map(|k| k.name.as_str())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journey_runs_green_to_its_last_step_with_the_staff_the_sandbox_seeds() {
    let r = run(selection(&["journey"], &[]), &[], false).await;
    let journey = scenario(&r, "journey");
    let failing: Vec<String> = (journey.steps.iter())
        .filter(|k| k.status != Status::Passed)
        .map(|k| format!("{} {:?} {:?} {:?}", k.name, k.status, k.reason, k.findings))
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert_eq!(journey.phase, ScenarioPhase::EndToEnd);
    assert_eq!(
        journey.steps.last().map(|k| k.name.as_str()),
        Some("points_for_rating")
    );
    let actor = |name: &str| {
        let k = journey.steps.iter().find(|k| k.name == name).expect("step");
        k.account.clone()
    };
    for staff_step in STAFF_STEPS {
        assert_eq!(actor(staff_step).as_deref(), Some("staff"), "{staff_step}");
    }
    for customer_step in ["create_order", "pay", "customer_confirms", "rate"] {
        assert_eq!(
            actor(customer_step).as_deref(),
            Some("customer"),
            "{customer_step}"
        );
    }
    assert_eq!(actor("cities"), None);
    assert!(r.missing_accounts.is_empty(), "{:?}", r.missing_accounts);
    assert!(r.passed());
    // The journey counts in no phase; JUnit gives it a suite of its own.
    assert!(r.summary.phases.is_empty());
    assert!(View::new(&r, None).phases.is_empty());
    assert_eq!(r.summary.scenarios.passed, 1);
    let junit =
        report::render(&r, None, "junit".parse::<Format>().expect("format")).expect("junit");
    let xml = roxmltree::Document::parse(&junit).expect("JUnit XML");
    let suites: Vec<(&str, usize)> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| {
            let cases = n.children().filter(|c| c.has_tag_name("testcase")).count();
            (n.attribute("name").unwrap_or_default(), cases)
        })
        .collect();
    assert_eq!(suites, [("端到端", journey.steps.len())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_staff_account_the_store_steps_are_skipped_and_what_waits_on_them_is_blocked() {
    let wanted = selection(&["journey", "rental-flow"], &["orders.update-status"]);
    let r = run(wanted, &[], true).await;
    let journey = scenario(&r, "journey");
    assert_eq!(journey.status, Status::Skipped, "{:?}", journey.reason);
    assert_eq!(steps_with(journey, Status::Skipped), STAFF_STEPS);
    assert_eq!(steps_with(journey, Status::Blocked), WAITING_ON_STAFF);
    for failure in [Status::Failed, Status::Error, Status::NotActivated] {
        assert_eq!(
            steps_with(journey, failure),
            Vec::<&str>::new(),
            "{failure:?}"
        );
    }
    // The customer's refused transitions need no staff: they ran, and passed.
    let passed = steps_with(journey, Status::Passed);
    assert!(passed.contains(&"customer_confirms") && passed.contains(&"customer_completes"));
    let skip = journey
        .steps
        .iter()
        .find(|k| k.name == "staff_confirms")
        .expect("step");
    let reason = skip.reason.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("需要 staff 账号: ") && reason.contains("DAODAO_TEST_UNSET_STAFF_PHONE"),
        "{reason}"
    );
    let blocked = journey
        .steps
        .iter()
        .find(|k| k.name == "rate")
        .expect("step");
    let why = blocked.reason.as_deref().unwrap_or_default();
    assert!(
        why.contains("completedOrderId") && why.contains("需要 staff 账号"),
        "{why}"
    );
    assert_eq!(
        journey.reason.as_deref(),
        Some(format!("3 步跳过, 9 步因此阻塞: {reason}").as_str())
    );
    let rental = scenario(&r, "rental-flow");
    assert_eq!(rental.status, Status::Skipped);
    assert_eq!(steps_with(rental, Status::Skipped), ["confirm_cancelled"]);
    let check = &r.endpoints[0];
    assert_eq!(
        (check.id.as_str(), check.status),
        ("orders.update-status", Status::Skipped)
    );
    // Skips are no failure: the run passes, and says how to configure the account, once.
    assert!(r.passed());
    assert_eq!(r.missing_accounts.len(), 1);
    let missing = &r.missing_accounts[0];
    assert_eq!(missing.account, "staff");
    assert_eq!(
        missing.how,
        "设置环境变量 DAODAO_TEST_UNSET_STAFF_PHONE 和 DAODAO_TEST_UNSET_STAFF_PASSWORD (daodao-check.toml [accounts.staff] flow = \"password\")"
    );
    let terminal =
        report::render(&r, None, "terminal".parse::<Format>().expect("format")).expect("terminal");
    let hints: Vec<&str> = terminal
        .lines()
        .filter(|l| l.contains("账号未配置"))
        .collect();
    assert_eq!(hints.len(), 1, "{terminal}");
    assert!(
        hints[0].contains("DAODAO_TEST_UNSET_STAFF_PHONE"),
        "{}",
        hints[0]
    );
    let junit =
        report::render(&r, None, "junit".parse::<Format>().expect("format")).expect("junit");
    let xml = roxmltree::Document::parse(&junit).expect("JUnit XML");
    let failing = xml
        .descendants()
        .filter(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
        .count();
    assert_eq!(failing, 0, "{junit}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_account_that_cannot_log_in_is_a_failure_not_a_skip() {
    let mut config = config();
    let catalog = common::catalog(&config);
    let _sandbox = sandbox::embed(&mut config, catalog.clone(), &Embedded::default())
        .await
        .expect("the sandbox starts");
    let staff = config.accounts.get_mut("staff").expect("staff");
    if let Some(login) = staff.preset.as_mut() {
        login.password.push_str("-wrong");
    }
    let mut runner = Runner::new(Arc::new(config), catalog).expect("a runner");
    let r = runner
        .run(&selection(&["journey"], &[]), &SilentObserver)
        .await
        .expect("a run");
    let journey = scenario(&r, "journey");
    assert_eq!(journey.status, Status::Blocked);
    assert_eq!(steps_with(journey, Status::Skipped), Vec::<&str>::new());
    assert!(!r.passed());
    assert!(r.missing_accounts.is_empty());
}

/// The CLI against a sandbox of its own, as against a backend: no staff credentials in the
/// environment, exit 0, and one line saying what to set.
#[test]
fn the_cli_without_staff_credentials_skips_the_store_and_exits_0() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = common::real_project();
    let config = common::config_for(dir.path(), "http://127.0.0.1:1/api/v1", "");
    let catalog = common::catalog(&config);
    let server = Sandbox::new(catalog, &config.contracts_dir, Options::default()).expect("sandbox");
    let running = runtime
        .block_on(sandbox::start(Arc::new(server), ([127, 0, 0, 1], 0).into()))
        .expect("listens");
    let base_url = running.base_url("/api/v1");
    let mut run = cli(dir.path());
    run.args(["run", "--scenario", "journey", "--base-url", &base_url])
        .env_remove("DAODAO_STAFF_PHONE")
        .env_remove("DAODAO_STAFF_PASSWORD");
    let (code, stdout, stderr) = output(&mut run);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("staff 账号未配置, 需要它的步骤和检查已跳过: 设置环境变量 DAODAO_STAFF_PHONE 和 DAODAO_STAFF_PASSWORD"),
        "{stdout}"
    );
    assert!(stdout.contains("skipped 跳过"), "{stdout}");
    // With the sandbox's documented staff login, the same run goes to its end.
    let mut with_staff = cli(dir.path());
    with_staff
        .args(["run", "--scenario", "journey", "--base-url", &base_url])
        .env("DAODAO_STAFF_PHONE", sandbox::SANDBOX_STAFF_PHONE)
        .env("DAODAO_STAFF_PASSWORD", sandbox::SANDBOX_STAFF_PASSWORD);
    let (code, stdout, _) = output(&mut with_staff);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("scenarios: 1 passed"), "{stdout}");
    assert!(!stdout.contains("账号未配置"), "{stdout}");
    running.stop();
}

/// The same latencies on every run, one of them past the budget when asked: the timeline is what is
/// snapshotted, not how fast the machine was.
fn steady_latencies(r: &mut RunResult, over_budget: Option<&str>) {
    for s in &mut r.scenarios {
        for (i, k) in s.steps.iter_mut().enumerate() {
            if k.latency_ms.is_some() {
                let slow = over_budget == Some(k.name.as_str());
                k.latency_ms = Some(if slow {
                    2600.0
                } else {
                    (i * 37 % 90 + 5) as f64
                });
            }
        }
    }
}

fn timeline_text(r: &RunResult) -> String {
    terminal::timelines(&View::new(r, None), &Style::PLAIN, FILE_WIDTH)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_fits_the_width_it_is_given_its_notes_cut_first() {
    let r = run(
        selection(&["journey"], &[]),
        &["rating-before-complete=ratings.create"],
        false,
    )
    .await;
    for width in [80u16, 100, 140] {
        let text = terminal::timelines(&View::new(&r, None), &Style::PLAIN, width);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        // The headline above the table is prose and may be longer; the table's lines may not.
        let table_widest = (text.lines())
            .filter(|l| l.starts_with(['┌', '│', '├', '╞', '└']))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        assert!(
            table_widest <= width as usize,
            "{width}: {table_widest}\n{text}"
        );
        assert!(widest > 0);
        // Every step keeps its row, and its number, however narrow.
        assert!(text.contains("│ 35 "), "{width}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_of_a_journey_that_goes_to_its_end() {
    let mut r = run(selection(&["journey"], &[]), &[], false).await;
    steady_latencies(&mut r, None);
    insta::assert_snapshot!(timeline_text(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_of_a_journey_without_a_staff_account() {
    let mut r = run(selection(&["journey"], &[]), &[], true).await;
    steady_latencies(&mut r, None);
    insta::assert_snapshot!(timeline_text(&r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_of_a_journey_broken_at_a_hand_off_with_a_slow_step() {
    let mut r = run(
        selection(&["journey"], &[]),
        &["rating-before-complete=ratings.create"],
        false,
    )
    .await;
    steady_latencies(&mut r, Some("create_order"));
    let text = timeline_text(&r);
    assert!(text.contains("中断于 #12 rate_too_early"), "{text}");
    insta::assert_snapshot!(text);
    let html = report::render(&r, None, "html".parse::<Format>().expect("format")).expect("html");
    let rows = html.matches("<tr class=\"breaks\"").count();
    assert_eq!(rows, 1, "one step marked where the journey breaks");
    assert!(
        html.contains("<span class=\"fill over\" style=\"width:100.0%\">"),
        "the slow step's bar"
    );
    assert_eq!(
        html.matches("<span class=\"latency-bar\"").count(),
        r.scenarios[0]
            .steps
            .iter()
            .filter(|k| k.latency_ms.is_some())
            .count()
    );
}
