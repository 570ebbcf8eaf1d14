//! `negative_input`: after the endpoint's own cases, the negative and boundary inputs derived from its
//! request schemas ([`crate::contract::negative::derive`]), each sent as the endpoint's account with
//! the valid request changed in one place (README「负向与边界输入」):
//!
//! - never a 5xx, never a success where the schema forbids the input: the contract's documented error
//!   case for that field where one matches, else any 4xx;
//! - a value just inside a bound is served (reads only);
//! - writes keep the path ids their valid request used (records the run made), and get only what the
//!   schema forbids, which a correct backend refuses before acting;
//! - no request another case of the endpoint sends (its error cases, the missing-required case,
//!   `malformed_input`'s bodies) is sent again;
//! - the budget (`--negative`, `[run] negative`, a contract's `run.negative`) takes the most
//!   informative first; an environment that refuses writes gets none (one skipped case says why).

use super::EndpointCheck;
use crate::check::{Expect, Refusal};
use crate::config::NegativeMode;
use crate::contract::negative::{self, Body, Due, Input, Request};
use crate::contract::security::SecurityCheck;
use crate::contract::{BodyFormat, RequestParts};
use crate::exec::request::{error_case, execute, CaseSpec};
use crate::redact::names_a_secret;
use crate::result::{CaseKind, CaseResult, CheckKind, Status};
use crate::scenario::template::Vars;

/// How the derived cases are named: `负向输入: path id = "abc"`.
const NAME: &str = "负向输入";

impl EndpointCheck<'_> {
    /// The level that applies here: the contract's own, else the run's.
    fn negative_mode(&self) -> NegativeMode {
        let own = self.contract.run.as_ref().and_then(|r| r.negative);
        own.unwrap_or(self.cx.config.negative)
    }

    /// The derived cases of this endpoint, after a valid request that got a usable answer.
    pub(super) async fn negative_cases(
        &self,
        happy: &RequestParts,
        vars: &Vars,
    ) -> Vec<CaseResult> {
        let mode = self.negative_mode();
        let Some(compiled) = self.cx.catalog.compiled.get(&self.contract.id) else {
            return vec![];
        };
        if mode == NegativeMode::Off {
            return vec![];
        }
        let req = Request {
            method: &self.contract.method,
            valid: happy,
            compiled,
            schemas: &self.contract.request,
            docs: self.cx.schema_docs,
            json_body: self.contract.body_format == BodyFormat::Json,
        };
        let inputs = negative::derive(&req);
        if inputs.is_empty() {
            return vec![];
        }
        if let Some(why) = self.cx.config.refuses_writes() {
            let reason = format!("{why}; 负向输入不发送");
            let skipped = error_case(
                self.cx,
                self.contract,
                NAME,
                CaseKind::NegativeInput,
                Status::Skipped,
                reason,
            );
            return vec![skipped];
        }
        let errors: Vec<RequestParts> = (self.error_requests(happy, vars).into_iter())
            .map(|r| r.unwrap_or_default())
            .collect();
        let sent = self.sent_already(happy, &errors);
        let mut out = vec![];
        for input in inputs {
            if mode.budget().is_some_and(|b| out.len() >= b) {
                break;
            }
            let secret = input.place.field().is_some_and(names_a_secret);
            let (parts, raw) = negative::apply(happy, &input);
            if (input.from_valid && secret) || (raw.is_none() && sent.contains(&parts)) {
                continue;
            }
            let expect = match negative::documented(&req, &input, &errors) {
                Some(i) => {
                    let e = &self.contract.errors[i].expect;
                    Expect::Error {
                        code: e.code,
                        http_status: e.http_status,
                    }
                }
                None if input.due == Due::Served => Expect::Success,
                None => Expect::Refused(Refusal::ClientError),
            };
            out.push(
                self.negative_case(&input, &parts, raw.as_ref(), expect)
                    .await,
            );
        }
        out
    }

    /// What the endpoint's other cases send: its valid request, its missing-required case, its error
    /// cases and `malformed_input`'s bodies (when that check runs here).
    fn sent_already(&self, happy: &RequestParts, errors: &[RequestParts]) -> Vec<RequestParts> {
        let mut sent = vec![happy.clone()];
        let compiled = self.cx.catalog.compiled.get(&self.contract.id);
        sent.extend(super::missing_required_parts(
            &self.contract.request,
            compiled,
            happy,
        ));
        sent.extend(errors.iter().cloned());
        let malformed = self.cx.config.refuses_security_checks().is_none()
            && self
                .applicable_checks(happy)
                .contains(&SecurityCheck::MalformedInput);
        if malformed {
            for (_, body) in self.malformed_bodies(happy) {
                if let Body::Json(value) = body {
                    sent.push(RequestParts {
                        body: Some(value),
                        ..happy.clone()
                    });
                }
            }
        }
        sent
    }

    /// Sends one derived input; its findings name the exact input, where it went and its rule.
    async fn negative_case(
        &self,
        input: &Input,
        parts: &RequestParts,
        raw: Option<&Body>,
        expect: Expect,
    ) -> CaseResult {
        let redactor = self.cx.redactor;
        let shown = redactor.line(&input.shown);
        let name = format!("{NAME}: {shown}");
        let raw = match raw {
            Some(Body::Raw { content_type, text }) => Some((content_type.as_str(), text.as_str())),
            _ => None,
        };
        let spec = CaseSpec {
            contract: self.contract,
            parts,
            token: self.account_token(),
            expect,
            kind: CaseKind::NegativeInput,
            name: &name,
            raw,
        };
        let mut case = execute(self.cx, self.sessions, spec).await.case;
        for f in (case.findings.iter_mut()).filter(|f| f.check == CheckKind::NegativeInput) {
            f.message = format!("{shown}: {}", f.message);
            f.path = Some(input.place.pointer());
            f.cause = Some(redactor.line(&input.rule));
        }
        case
    }
}
