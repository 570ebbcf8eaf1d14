//! “同注册接口” (“the same as the registration endpoint”) and “与创建订单相同的参数”: an endpoint
//! whose response or request the doc gives only by naming a sibling reuses the sibling's.

use super::doc_endpoint::{DocEndpoint, Issue, Located};
use super::skeleton::{self, Built, Part};
use serde_json::json;

/// “同注册接口” and friends: reuse a sibling's own response / request; anything else in prose is noted.
pub(super) fn resolve_references(
    eps: &[&DocEndpoint],
    built: &mut [Built],
    prefix: &str,
    notes: &mut Vec<Issue>,
) {
    // What each endpoint's own section gave, before any reuse.
    let own: Vec<Built> = built.to_vec();
    for (i, ep) in eps.iter().enumerate() {
        let siblings = Siblings {
            me: i,
            eps,
            own: &own,
            prefix,
        };
        if built[i].data.is_none() {
            response(&siblings, &mut built[i], notes);
        }
        if let Some(prose) = &ep.request_prose {
            request(&siblings, prose, &mut built[i], notes);
        }
    }
}

/// One endpoint among the others of the doc.
struct Siblings<'a> {
    me: usize,
    eps: &'a [&'a DocEndpoint],
    own: &'a [Built],
    prefix: &'a str,
}

impl Siblings<'_> {
    fn ep(&self) -> &DocEndpoint {
        self.eps[self.me]
    }

    /// The sibling a prose names (same chapter first) that has what `has` asks for.
    fn named(&self, prose: &Located, has: impl Fn(&Built) -> bool) -> Option<usize> {
        let name = skeleton::reference(&prose.text)?;
        skeleton::candidates(&name, self.me, self.eps)
            .into_iter()
            .find(|j| has(&self.own[*j]))
    }

    fn reuse_note(&self, what: &str, prose: &Located, target: usize) -> Issue {
        let target = self.eps[target];
        Issue {
            line: prose.line,
            message: format!(
                "{}: {what} “{}” reuses {} {} (line {})",
                self.ep().spelling(self.prefix),
                prose.text,
                target.number,
                target.title,
                target.line
            ),
        }
    }
}

/// A response given only as prose: the named sibling's, else a permissive `data` schema.
fn response(s: &Siblings, built: &mut Built, notes: &mut Vec<Issue>) {
    let ep = s.ep();
    if let Some(prose) = &ep.response_prose {
        if let Some(j) = s.named(prose, |b| b.data.is_some()) {
            built.data = s.own[j].data.clone();
            built.code = s.own[j].code.clone();
            built.message = s.own[j].message.clone();
            notes.push(s.reuse_note("response", prose, j));
            return;
        }
    }
    let message = match (&ep.response_prose, &ep.response_json) {
        (Some(p), _) => format!(
            "response given only as prose (“{}”): data schema is permissive",
            p.text
        ),
        (None, None) => "no response format: data schema is permissive".to_string(),
        // A JSON block that did not parse is a warning already.
        (None, Some(_)) => String::new(),
    };
    if !message.is_empty() {
        notes.push(Issue {
            line: ep.response_prose.as_ref().map_or(ep.line, |p| p.line),
            message: format!("{}: {message}", ep.spelling(s.prefix)),
        });
    }
    built.data = Some(Part {
        schema: json!({
            "description": "文档未给出 JSON 响应示例，待补充"
        }),
        example: json!({}),
    });
}

/// Request parameters given as prose: the named sibling's query (GET) or body, unless the
/// endpoint lists its own.
fn request(s: &Siblings, prose: &Located, built: &mut Built, notes: &mut Vec<Issue>) {
    let get = s.ep().method == "GET";
    let has_part = |b: &Built| {
        if get {
            b.query.is_some()
        } else {
            b.body.is_some()
        }
    };
    match s.named(prose, has_part) {
        Some(j) if !has_part(built) => {
            if get {
                built.query = s.own[j].query.clone();
            } else {
                built.body = s.own[j].body.clone();
            }
            notes.push(s.reuse_note("request", prose, j));
        }
        Some(_) => {}
        None => notes.push(Issue {
            line: prose.line,
            message: format!(
                "{}: request parameters given only as prose (“{}”): no request schema",
                s.ep().spelling(s.prefix),
                prose.text
            ),
        }),
    }
}
