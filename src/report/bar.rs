//! The progress bar on a terminal: an observer of the run, drawn on stderr only when colours are on and
//! stderr is a terminal.

use super::Style;
use crate::exec::{Observer, SilentObserver};
use crate::result::Status;

struct Bar(indicatif::ProgressBar);

impl Observer for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn done(&self, label: &str, status: Status) {
        self.0.set_message(format!("{label} {}", status.as_str()));
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// A bar for a terminal, nothing otherwise.
pub fn observer_for(style: &Style) -> Box<dyn Observer> {
    use std::io::IsTerminal;
    if style.color && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(s) =
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(s.progress_chars("=> "));
        }
        Box::new(Bar(bar))
    } else {
        Box::new(SilentObserver)
    }
}
