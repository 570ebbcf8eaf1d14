//! Exit codes, documented in the README; CI gates on them. Which error exits with which code is
//! decided in one place, `Error::exit_code`.

/// Everything that ran passed (skips allowed).
pub const OK: i32 = 0;
/// Some check failed or an endpoint's route is not activated.
pub const FAILED: i32 = 1;
/// Usage, configuration, contract or scenario errors: nothing ran.
pub const USAGE: i32 = 2;
/// The backend could not be reached at all.
pub const UNREACHABLE: i32 = 3;

/// The exit code of a run that finished: passed, or some check failed.
pub fn for_run(passed: bool) -> i32 {
    if passed {
        OK
    } else {
        FAILED
    }
}
