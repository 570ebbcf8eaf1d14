//! A body that is the envelope but not as declared: a content type other than JSON (the mini-program's
//! `wx.request` parses JSON only when it is told so), or bytes that are not UTF-8 (read here with
//! replacement characters, shown garbled on a phone). The answer is usable, so these are soft.

use super::envelope::declares_json;
use super::{Check, CheckInput, CheckKind, Finding};
use crate::short::server_text;

pub struct ContentType;

impl Check for ContentType {
    fn kind(&self) -> CheckKind {
        CheckKind::ContentType
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        if resp.envelope().is_none() {
            return vec![];
        }
        let mut out = vec![];
        if !declares_json(resp) {
            let declared = resp
                .content_type
                .as_deref()
                .map_or("no content type".to_string(), |c| server_text(c, 60));
            out.push(
                Finding::new(
                    CheckKind::ContentType,
                    format!("a JSON body declared as {declared}"),
                )
                .expected("application/json", declared),
            );
        }
        if let Some(at) = resp.invalid_utf8_at {
            out.push(
                Finding::new(
                    CheckKind::ContentType,
                    format!(
                        "the body is not valid UTF-8 (first bad byte at offset {at}); \
                         it was read with replacement characters"
                    ),
                )
                .expected("UTF-8", format!("a bad byte at offset {at}")),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};

    const ENVELOPE: &str = r#"{"code":0,"message":"ok","data":{"id":"i_1","price":5}}"#;

    #[test]
    fn json_declared_as_json_passes_with_or_without_a_charset() {
        assert!(Case::new().run(&ContentType).is_empty());
        for ct in [
            "application/json",
            "Application/JSON ; charset=utf-8",
            "application/problem+json",
        ] {
            let case = Case::new().answer_text(200, ct, ENVELOPE);
            assert!(case.run(&ContentType).is_empty(), "{ct}");
        }
    }

    #[test]
    fn an_envelope_declared_as_something_else_is_a_soft_finding() {
        let f = Case::new()
            .answer_text(200, "text/plain; charset=utf-8", ENVELOPE)
            .run(&ContentType);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "a JSON body declared as text/plain; charset=utf-8"
        );
        assert_eq!(
            place(&f[0]),
            (
                None,
                Some("application/json"),
                Some("text/plain; charset=utf-8")
            )
        );
        assert_eq!(
            CheckKind::ContentType.severity(),
            crate::result::Severity::Soft
        );
        let untyped = Case::new()
            .answer_text(200, "", ENVELOPE)
            .response(|r| r.content_type = None)
            .run(&ContentType);
        assert_eq!(
            untyped[0].message,
            "a JSON body declared as no content type"
        );
    }

    #[test]
    fn invalid_utf8_in_a_json_body_is_said_with_its_offset() {
        let bytes = b"{\"code\":0,\"message\":\"\xc3\x28\",\"data\":{\"id\":\"i\",\"price\":1}}";
        let f = Case::new()
            .answer_bytes(200, "application/json", bytes, Default::default())
            .run(&ContentType);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message,
            "the body is not valid UTF-8 (first bad byte at offset 21); \
             it was read with replacement characters"
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_left_to_the_envelope_check() {
        let html = Case::new().answer_text(200, "text/html", "<html></html>");
        assert!(html.run(&ContentType).is_empty());
    }
}
