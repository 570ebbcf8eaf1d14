//! One session of exchanges, however they arrive (through the proxy, or from a HAR file): each is
//! judged, added to the tally, shown as a live line and, when asked, recorded; in arrival order.

use super::har::HarWriter;
use super::judge::{Judge, Verdict};
use super::live::Live;
use super::observed::Observed;
use super::tally::{Meta, Tally};
use super::Result;
use crate::catalog::Catalog;
use crate::check::RouteFingerprint;
use crate::redact::{Redactor, SecretKind};
use crate::result::{RunResult, TextKind};
use std::io::Write;

/// How many values of one body are looked at for secrets (as a run does).
const LEARN_LIMIT: usize = 10_000;
/// Secrets remembered at most: past it the redactor starts afresh (what it masked stays masked), so a
/// session with many logins keeps its memory and its masking cost flat.
const SECRETS_KEPT: usize = 512;
/// How often (in exchanges) the number of secrets is looked at.
const SECRETS_CHECKED_EVERY: u64 = 256;

pub struct Session<'a> {
    judge: Judge<'a>,
    tally: Tally,
    redactor: Redactor,
    live: Live,
    out: Box<dyn Write + Send>,
    har: Option<HarWriter>,
    seen: u64,
}

impl<'a> Session<'a> {
    pub fn new(judge: Judge<'a>, code_field: &str, live: Live, out: Box<dyn Write + Send>) -> Self {
        Session {
            judge,
            tally: Tally::new(code_field),
            redactor: Redactor::new(),
            live,
            out,
            har: None,
            seen: 0,
        }
    }

    /// Records every exchange into a HAR file from now on.
    pub fn record(&mut self, har: HarWriter) {
        self.har = Some(har);
    }

    /// Judges one exchange, adds it up, prints its line, records it.
    pub async fn take(
        &mut self,
        o: &Observed,
        fingerprint: Option<&RouteFingerprint>,
    ) -> Result<()> {
        self.rotate_secrets();
        if let Some(token) = o.bearer() {
            self.redactor.add(token, SecretKind::Token);
        }
        let verdict = self.judge.judge(o, fingerprint).await;
        if let Verdict::Judged { exchange, .. } = &verdict {
            if let Some(body) = &exchange.request.body {
                self.redactor.learn(body, LEARN_LIMIT);
            }
            if let Some(json) = exchange.json() {
                self.redactor.learn(json, LEARN_LIMIT);
            }
        }
        self.tally.add(&verdict, o, &self.redactor);
        if let Some(line) = self.live.line(o, &verdict, &self.redactor) {
            // A closed output (a pipe that went away) must not stop the session.
            let _ = writeln!(self.out, "{line}").and_then(|_| self.out.flush());
        }
        if let Some(har) = &mut self.har {
            har.entry(o, &self.redactor).await?;
        }
        Ok(())
    }

    fn rotate_secrets(&mut self) {
        self.seen += 1;
        if self.seen.is_multiple_of(SECRETS_CHECKED_EVERY)
            && self.redactor.secrets().len() > SECRETS_KEPT
        {
            self.redactor = Redactor::new();
        }
    }

    /// Ends the session: the recording closed, the result with one last masking pass over its texts
    /// (as a run's), and the secrets its reproduction lines name.
    pub fn finish(self, catalog: &Catalog, meta: Meta) -> Result<Finished> {
        let recorded = match self.har {
            Some(har) => Some(har.finish()?),
            None => None,
        };
        let mut result = self.tally.result(catalog, meta);
        let r = &self.redactor;
        result.texts_mut(&mut |text, kind| {
            *text = match kind {
                TextKind::Line => r.line(text),
                TextKind::Block => r.block(text),
                TextKind::Command => r.command(text),
            }
        });
        Ok(Finished {
            result,
            secrets: r.secrets(),
            recorded,
        })
    }
}

/// What a session leaves.
pub struct Finished {
    pub result: RunResult,
    /// The secrets the reproduction lines name (for `reports/session.env`).
    pub secrets: Vec<crate::redact::Secret>,
    /// Entries written to the HAR file, when recording.
    pub recorded: Option<u64>,
}

/// The backend's catch-all learnt from a recording: the answer to the first request that matched no
/// contract and got a 404 (what a backend answers a route it does not have).
pub fn fingerprint_from(
    entries: &[Observed],
    judge: &Judge<'_>,
    code_field: &str,
) -> Option<RouteFingerprint> {
    entries.iter().find_map(|o| {
        let answered = o.response.as_ref().ok()?;
        if answered.status != 404 || o.is_preflight() || judge.matches(o) {
            return None;
        }
        RouteFingerprint::learn(&o.exchange(&o.path, None, None), code_field)
    })
}
