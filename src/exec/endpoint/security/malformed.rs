//! `malformed_input`: for an endpoint with a JSON body, bodies a backend must refuse before its business
//! code: JSON cut short, an array, the valid JSON as `text/plain` (where fields are required), a
//! required field of the wrong type, a text of 10 000 characters, a negative or huge number, each only
//! where the contract's body schema forbids it ([`crate::contract::negative`]). Each must be answered
//! with a 4xx envelope: never a 5xx, never a success. At most
//! [`MALFORMED_BUDGET`](crate::contract::negative::MALFORMED_BUDGET) value cases plus three shape cases.
//! Missing required fields stay `bad_input_accepted`'s.

use super::{spec, EndpointCheck};
use crate::check::{Expect, Refusal};
use crate::contract::negative::{shape_cases, value_cases, Body, MALFORMED_BUDGET};
use crate::contract::{BodyFormat, RequestParts};
use crate::result::{CaseKind, CaseResult};
use serde_json::{Map, Value};

impl EndpointCheck<'_> {
    /// The valid body and its validator, when the endpoint takes a JSON object body with a schema.
    pub(super) fn malformed_body<'p>(
        &self,
        happy: &'p RequestParts,
    ) -> Option<(&'p Map<String, Value>, &jsonschema::Validator)> {
        if self.contract.body_format != BodyFormat::Json || self.contract.request.body.is_none() {
            return None;
        }
        let compiled = self.cx.catalog.compiled.get(&self.contract.id)?;
        let validator = compiled.body.as_ref()?;
        let body = happy.body.as_ref()?.as_object()?;
        Some((body, validator))
    }

    /// The bodies this check sends, with their names: the shape cases, then the value cases.
    pub(in crate::exec::endpoint) fn malformed_bodies(
        &self,
        happy: &RequestParts,
    ) -> Vec<(String, Body)> {
        let Some((body, validator)) = self.malformed_body(happy) else {
            return vec![];
        };
        let rejects = |v: &Value| !validator.is_valid(v);
        let shapes = shape_cases(body, &rejects);
        let values = value_cases(body, &rejects, MALFORMED_BUDGET);
        (shapes.into_iter().map(|d| (d.name, d.input)))
            .chain(values.into_iter().map(|d| (d.name, Body::Json(d.input))))
            .collect()
    }

    pub(super) async fn malformed_cases(&self, happy: &RequestParts) -> Vec<CaseResult> {
        let mut out = vec![];
        for (name, body) in self.malformed_bodies(happy) {
            let name = format!("异常输入: {name}");
            let token = self.account_token();
            let expect = Expect::Refused(Refusal::ClientError);
            let case = match &body {
                Body::Json(value) => {
                    let parts = RequestParts {
                        body: Some(value.clone()),
                        ..happy.clone()
                    };
                    let spec = spec(self, &parts, token, expect, CaseKind::MalformedInput, &name);
                    self.send_keeping(spec).await.case
                }
                Body::Raw { content_type, text } => {
                    let mut spec =
                        spec(self, happy, token, expect, CaseKind::MalformedInput, &name);
                    spec.raw = Some((content_type, text));
                    self.send_keeping(spec).await.case
                }
            };
            out.push(case);
        }
        out
    }
}
