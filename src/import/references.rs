//! “同注册接口” (“the same as the registration endpoint”) and “与创建订单相同的参数”: an endpoint
//! whose response or request the doc gives only by naming a sibling reuses the sibling's.

use super::doc_endpoint::{DocEndpoint, Issue, Located};
use super::skeleton::{Built, Part};
use regex::Regex;
use serde_json::json;
use std::sync::LazyLock;

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:同|与)\s*(.+?)\s*(?:相同.*|一致.*)?$").expect("static regex")
});

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
        if let Some(prose) = &ep.section.request_prose {
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
        let name = reference(&prose.text)?;
        candidates(&name, self.me, self.eps)
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
                target.section.title,
                target.line
            ),
        }
    }
}

/// A response given only as prose: the named sibling's, else a permissive `data` schema.
fn response(s: &Siblings, built: &mut Built, notes: &mut Vec<Issue>) {
    let ep = s.ep();
    if let Some(prose) = &ep.section.response_prose {
        if let Some(j) = s.named(prose, |b| b.data.is_some()) {
            built.data = s.own[j].data.clone();
            built.code = s.own[j].code.clone();
            built.message = s.own[j].message.clone();
            notes.push(s.reuse_note("response", prose, j));
            return;
        }
    }
    let message = match (&ep.section.response_prose, &ep.section.response_json) {
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
            line: ep
                .section
                .response_prose
                .as_ref()
                .map_or(ep.line, |p| p.line),
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

/// The name a “同注册接口” / “与创建订单相同的参数…” sentence refers to (`注册`, `创建订单`), if it is one.
fn reference(text: &str) -> Option<String> {
    let c = REFERENCE.captures(text.trim())?;
    let mut name = c[1]
        .trim()
        .trim_end_matches(['。', '.', '，', ','])
        .to_string();
    for suffix in ["的响应", "的参数", "响应", "参数", "接口", "的"] {
        if let Some(s) = name.strip_suffix(suffix) {
            name = s.trim().to_string();
        }
    }
    (!name.is_empty()).then_some(name)
}

/// Whether every character of `needle` appears in `hay` in order (`创建订单` in `创建特惠套餐订单`).
fn subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|n| it.any(|h| h == n))
}

/// Sections that `name` could refer to, best first: same chapter (exact title, title containing it, title
/// containing its characters in order), then the whole doc (exact, containing). `me` is excluded.
fn candidates(name: &str, me: usize, eps: &[&DocEndpoint]) -> Vec<usize> {
    let chapter = eps[me].section.chapter;
    let tests: [&dyn Fn(&DocEndpoint) -> bool; 5] = [
        &|e| e.section.chapter == chapter && e.section.title == name,
        &|e| e.section.chapter == chapter && e.section.title.contains(name),
        &|e| e.section.chapter == chapter && subsequence(name, &e.section.title),
        &|e| e.section.title == name,
        &|e| e.section.title.contains(name),
    ];
    let mut out = vec![];
    for t in tests {
        for (i, e) in eps.iter().enumerate() {
            if i != me && t(e) && !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::api::ApiDoc;
    use crate::import::doc_endpoint::doc_endpoints;

    #[test]
    fn a_reference_names_its_sibling_without_the_words_around_it() {
        assert_eq!(reference("同注册接口").as_deref(), Some("注册"));
        assert_eq!(
            reference("与创建订单相同的参数。").as_deref(),
            Some("创建订单")
        );
        assert_eq!(reference("与车辆列表一致").as_deref(), Some("车辆列表"));
        assert_eq!(reference("类似车辆列表"), None);
        assert_eq!(reference("同"), None);
    }

    #[test]
    fn candidates_prefer_the_same_chapter_then_the_whole_doc() {
        let doc = ApiDoc::parse(
            "## 1. 甲\n### 1.1 创建订单\n**接口**: `POST /api/v1/a`\n### 1.2 创建特惠套餐订单\n**接口**: `POST /api/v1/b`\n### 1.3 引用\n**接口**: `POST /api/v1/c`\n## 2. 乙\n### 2.1 创建订单\n**接口**: `POST /api/v1/d`\n### 2.2 引用\n**接口**: `POST /api/v1/e`\n",
        );
        let parsed = doc_endpoints(doc, "/api/v1");
        let eps: Vec<&DocEndpoint> = parsed.endpoints.iter().collect();
        // From chapter 1: its own 创建订单, then the one containing the characters, then chapter 2's.
        assert_eq!(candidates("创建订单", 2, &eps), [0, 1, 3]);
        // From chapter 2: its own first.
        assert_eq!(candidates("创建订单", 4, &eps), [3, 0]);
        assert_eq!(candidates("退款", 4, &eps), Vec::<usize>::new());
    }
}
