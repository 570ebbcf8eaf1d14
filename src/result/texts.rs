//! Every text of a result a backend (or a file) could have put there, for one pass over all of them:
//! masking secrets learnt late, escaping control characters.

use super::{Attempt, CaseResult, RunResult};

/// What a text of the result is, for a pass over every one of them (masking, escaping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: a name, a reason, a finding's message or values.
    Line,
    /// Several lines: a request or response excerpt.
    Block,
    /// A command line that reproduces a request: sent values must stay as they were.
    Command,
}

impl CaseResult {
    fn texts_mut(&mut self, f: &mut dyn FnMut(&mut String, TextKind)) {
        f(&mut self.name, TextKind::Line);
        for t in self.reason.iter_mut().chain(self.account.iter_mut()) {
            f(t, TextKind::Line);
        }
        for finding in &mut self.findings {
            f(&mut finding.message, TextKind::Line);
            for t in [
                &mut finding.path,
                &mut finding.expected,
                &mut finding.actual,
                &mut finding.cause,
            ]
            .into_iter()
            .flatten()
            {
                f(t, TextKind::Line);
            }
        }
        for t in [&mut self.request, &mut self.response]
            .into_iter()
            .flatten()
        {
            f(t, TextKind::Block);
        }
        for t in self.curl.iter_mut() {
            f(t, TextKind::Command);
        }
    }
}

impl Attempt {
    fn texts_mut(&mut self, f: &mut dyn FnMut(&mut String, TextKind)) {
        for t in self.reason.iter_mut() {
            f(t, TextKind::Line);
        }
        for c in &mut self.cases {
            c.texts_mut(f);
        }
    }
}

impl RunResult {
    /// Every text a backend could have put into the result, for one last pass before it leaves the
    /// process (masking secrets learnt late, escaping controls).
    pub fn texts_mut(&mut self, f: &mut dyn FnMut(&mut String, TextKind)) {
        for e in &mut self.endpoints {
            for t in e.reason.iter_mut() {
                f(t, TextKind::Line);
            }
            for c in &mut e.cases {
                c.texts_mut(f);
            }
            for a in &mut e.earlier_attempts {
                a.texts_mut(f);
            }
        }
        for s in &mut self.scenarios {
            for t in s.reason.iter_mut() {
                f(t, TextKind::Line);
            }
            for c in &mut s.steps {
                c.texts_mut(f);
            }
            for a in &mut s.earlier_attempts {
                a.texts_mut(f);
            }
        }
        for s in &mut self.setups {
            s.case.texts_mut(f);
        }
        for m in &mut self.missing_accounts {
            f(&mut m.why, TextKind::Line);
            f(&mut m.how, TextKind::Line);
        }
        // The paths the front end sent are its own text, not the contracts'.
        for u in self.proxy.iter_mut().flat_map(|p| &mut p.unregistered) {
            f(&mut u.path, TextKind::Line);
        }
    }
}
