//! Ctrl-C, SIGTERM and SIGHUP are held back while a write is under way and delivered when it is
//! over, after its temp files are removed, so that they never leave a temp file behind or split a
//! set of files written together. The window is a few file writes and renames: short enough that
//! a user pressing Ctrl-C sees the process stop at once, and the signal's usual effect (the
//! process ends, with the signal's exit status) still happens, only a moment later.
//!
//! The handler only records the signal (an atomic store, which is safe in a signal handler); the
//! previous handling is restored when the last write in progress ends, then the recorded signal is
//! raised again, so the process reacts exactly as it would have. Handlers are process-wide, so
//! this holds whichever thread the signal lands on. SIGKILL cannot be caught: what it leaves is
//! cleared by the next write (see `stale`).

#[cfg(unix)]
pub(super) use imp::defer;

#[cfg(not(unix))]
pub(super) struct Deferred;

/// Elsewhere than Unix there is nothing to hold back with.
#[cfg(not(unix))]
pub(super) fn defer() -> Deferred {
    Deferred
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::{Mutex, PoisonError};

    const HELD: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// The last signal that arrived while held back; 0 for none.
    static PENDING: AtomicI32 = AtomicI32::new(0);

    /// How many writes are under way (threads may write at once), and the handling to restore
    /// when the last ends.
    static STATE: Mutex<(usize, Vec<(libc::c_int, libc::sigaction)>)> = Mutex::new((0, Vec::new()));

    extern "C" fn remember(signal: libc::c_int) {
        PENDING.store(signal, Ordering::SeqCst);
    }

    /// Holds the signals back until dropped.
    #[must_use]
    pub struct Deferred(());

    pub fn defer() -> Deferred {
        let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 == 0 {
            for signal in HELD {
                // SAFETY: the new action is fully initialised (zeroed, then the handler, flags and
                // mask set); the handler only does an atomic store; `old` receives the previous
                // action, which is restored verbatim.
                unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = remember as extern "C" fn(libc::c_int) as usize;
                    action.sa_flags = libc::SA_RESTART;
                    libc::sigfillset(&mut action.sa_mask);
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(signal, &action, &mut old) == 0 {
                        state.1.push((signal, old));
                    }
                }
            }
        }
        state.0 += 1;
        Deferred(())
    }

    impl Drop for Deferred {
        fn drop(&mut self) {
            let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
            state.0 -= 1;
            if state.0 > 0 {
                return;
            }
            for (signal, old) in state.1.drain(..) {
                // SAFETY: `old` is the action sigaction gave back for this signal.
                unsafe {
                    libc::sigaction(signal, &old, std::ptr::null_mut());
                }
            }
            drop(state);
            let signal = PENDING.swap(0, Ordering::SeqCst);
            if signal != 0 {
                // SAFETY: raising a signal whose handling is the caller's own again.
                unsafe {
                    libc::raise(signal);
                }
            }
        }
    }
}
