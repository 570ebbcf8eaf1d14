//! A test-only hook: the integration tests make a write fail, or the process die, at a chosen
//! step (`DAODAO_CHECK_TEST_FAULT=fail@commit-2,kill@restore-1`), which no file-system trick can
//! do reliably as root. Only debug builds read it; a release build has no such hook.
//!
//! Steps: `staged-N` (the N-th temp file is written and synced), `backup-N` (the N-th backup is in
//! place), `commit-N` (before the N-th file is replaced), `restore-N` (before the N-th file is
//! put back), `cleanup` (every file in place, before the backups are removed). Actions: `fail`
//! (the step fails with an injected error), `kill` (SIGKILL), `term` (SIGTERM to the process).

use std::io;

#[cfg(debug_assertions)]
const VARIABLE: &str = "DAODAO_CHECK_TEST_FAULT";

/// Does what the hook asks at `step` (`commit-2`, `cleanup`); nothing when it asks nothing.
#[cfg(debug_assertions)]
pub(super) fn at(step: &str) -> io::Result<()> {
    let Ok(spec) = std::env::var(VARIABLE) else {
        return Ok(());
    };
    for item in spec.split(',') {
        let Some((action, at)) = item.trim().split_once('@') else {
            continue;
        };
        if at != step {
            continue;
        }
        match action {
            "fail" => {
                return Err(io::Error::other(format!(
                    "failure injected at {step} ({VARIABLE})"
                )))
            }
            #[cfg(unix)]
            "kill" | "term" => {
                let signal = if action == "kill" {
                    libc::SIGKILL
                } else {
                    libc::SIGTERM
                };
                // SAFETY: signalling this process, as the test asked.
                unsafe {
                    libc::kill(libc::getpid(), signal);
                }
                // SIGKILL may land a moment after kill() returns: go no further meanwhile.
                if signal == libc::SIGKILL {
                    loop {
                        std::thread::park();
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(not(debug_assertions))]
pub(super) fn at(_step: &str) -> io::Result<()> {
    Ok(())
}
