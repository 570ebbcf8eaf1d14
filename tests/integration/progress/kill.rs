//! `progress` killed with SIGKILL at many points of its run: each document is always its old or
//! its new text, the two agree or the plan's backup holds its old text, and the next run clears
//! whatever was left and brings both up to date.

use super::safety::{leftovers, progress_with_fault};
use super::*;
use rand::{Rng, SeedableRng};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The documents before and after the update.
struct Texts {
    plan_old: Vec<u8>,
    plan_new: Vec<u8>,
    api_old: Vec<u8>,
    api_new: Vec<u8>,
}

/// The real plan followed by a fenced block of a few MB (fences hide what is inside them), so that
/// writing it takes long enough for some kills to land in the write.
fn make_large(c: &Copy) {
    let mut plan = read(&c.plan);
    plan.push_str("\n```text\n");
    for i in 0..40_000 {
        plan.push_str(&format!(
            "附录 {i}: 这一行只为让文档变大，progress 不读它。\n"
        ));
    }
    plan.push_str("```\n");
    std::fs::write(&c.plan, plan).expect("write");
}

fn reset(c: &Copy, t: &Texts) {
    std::fs::write(&c.plan, &t.plan_old).expect("write");
    std::fs::write(&c.api, &t.api_old).expect("write");
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("read")
}

#[derive(Debug, PartialEq, Eq)]
enum Is {
    Old,
    New,
}

fn which(now: &[u8], old: &[u8], new: &[u8], what: &str, label: &str) -> Is {
    if now == old {
        Is::Old
    } else if now == new {
        Is::New
    } else {
        panic!("{label}: {what} is neither its old nor its new text")
    }
}

/// After a kill: both old, both new, or the plan new and its backup holding its old text; only
/// our own files left; the next run clears them and writes both.
fn assert_recoverable(c: &Copy, results: &Path, t: &Texts, label: &str) {
    let plan = which(&bytes(&c.plan), &t.plan_old, &t.plan_new, "the plan", label);
    let api = which(&bytes(&c.api), &t.api_old, &t.api_new, "the API doc", label);
    match (plan, api) {
        (Is::Old, Is::Old) | (Is::New, Is::New) => {}
        (Is::New, Is::Old) => assert_eq!(
            bytes(&c.root.join("API对接联调计划.md.daodao-bak")),
            t.plan_old,
            "{label}: the plan is new and the API doc old: the plan's backup holds its old text"
        ),
        (Is::Old, Is::New) => panic!("{label}: the API doc was replaced before the plan"),
    }
    for name in leftovers(c) {
        assert!(
            name.starts_with(".daodao-tmp-") || name.ends_with(".daodao-bak"),
            "{label}: {name} left"
        );
    }
    let out = progress(c, results, &[]);
    assert!(
        out.status.success(),
        "{label}: the next run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(bytes(&c.plan), t.plan_new, "{label}: the next run");
    assert_eq!(bytes(&c.api), t.api_new, "{label}: the next run");
    assert_eq!(leftovers(c), Vec::<String>::new(), "{label}: the next run");
}

/// A copy with the large plan, the results, both texts, and how long one whole run took.
fn setup() -> (Copy, PathBuf, Texts, Duration) {
    let c = copies();
    make_large(&c);
    let results = write_results(&c.root, "sandbox.json", &sandbox_run());
    let (plan_old, api_old) = (bytes(&c.plan), bytes(&c.api));
    let started = Instant::now();
    let out = progress(&c, &results, &[]);
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = Texts {
        plan_old,
        plan_new: bytes(&c.plan),
        api_old,
        api_new: bytes(&c.api),
    };
    assert_ne!(t.plan_new, t.plan_old);
    assert_ne!(t.api_new, t.api_old);
    reset(&c, &t);
    (c, results, t, took)
}

#[cfg_attr(
    not(debug_assertions),
    ignore = "the fault hook is in debug builds only"
)]
#[test]
fn killed_at_each_step_of_the_write_the_documents_stay_recoverable() {
    let (c, results, t, _) = setup();
    for fault in [
        "kill@staged-1",
        "kill@staged-2",
        "kill@backup-1",
        "kill@backup-2",
        "kill@commit-1",
        "kill@commit-2",
        "fail@commit-2,kill@restore-1",
        "kill@cleanup",
    ] {
        let out = progress_with_fault(&c, &results, fault);
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{fault}: the step was reached"
        );
        assert_recoverable(&c, &results, &t, fault);
        reset(&c, &t);
    }
}

#[test]
fn killed_at_random_points_the_documents_stay_recoverable() {
    let (c, results, t, took) = setup();
    let span = took.as_micros().max(1) as u64;
    for seed in 0..24u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("daodao-check"))
            .current_dir(&c.root)
            .env_remove("DAODAO_OWNER")
            .env_remove("DAODAO_CHECK_TEST_FAULT")
            .args(["progress", "--doc"])
            .arg(&c.plan)
            .arg("--api-doc")
            .arg(&c.api)
            .arg("--results")
            .arg(&results)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        // Even seeds: anywhere from the start to a little past the end of a whole run. Odd
        // seeds: within a few ms of the first temp file appearing, when the write is under way
        // (most of a run is reading and computing, so few kills from the start land there).
        let delay = if seed % 2 == 0 {
            rng.random_range(0..span + span / 10)
        } else {
            wait_for_the_write(&c, &mut child);
            rng.random_range(0..60_000)
        };
        std::thread::sleep(Duration::from_micros(delay));
        // It may have finished already: then there is nothing to kill.
        let _ = child.kill();
        child.wait().expect("waits");
        assert_recoverable(&c, &results, &t, &format!("seed {seed} ({delay} µs)"));
        reset(&c, &t);
    }
}

/// Returns once a temp file of the run is there, or the run has ended.
fn wait_for_the_write(c: &Copy, child: &mut std::process::Child) {
    while child.try_wait().expect("polls").is_none() {
        if leftovers(c).iter().any(|n| n.starts_with(".daodao-tmp-")) {
            return;
        }
        std::thread::yield_now();
    }
}
