//! How both documents write an endpoint: `` `METHOD /path` `` in backticks, as in the plan's
//! `1. ✅ \`POST /api/v1/auth/login\` - 密码登录` and the API doc's `**接口**: \`GET /api/v1/stores\``.
//! The pattern is defined here once; the readers embed it in their line patterns.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// The HTTP methods a document's endpoint can have.
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// An endpoint's two parts: the groups `method` (any word: [`Route::is_known`] says whether it is
/// an HTTP method) and `path` (from its `/` to a space or backtick).
macro_rules! method_and_path {
    () => {
        r"(?P<method>[A-Za-z]+)\s+(?P<path>/[^`\s]*)"
    };
}

/// `` `METHOD /path` ``: an endpoint in backticks (spaces inside them allowed), as the plan's
/// endpoint lines and the API doc's `**接口**` fields write it.
pub const PATTERN: &str = concat!(r"`\s*", method_and_path!(), r"\s*`");

static ROUTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(PATTERN).expect("static regex"));

/// `METHOD /path` without backticks, opening a text that is known to hold an endpoint.
static BARE_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(r"^\s*", method_and_path!(), r"(?:\s|$)")).expect("static regex")
});

/// A backtick, an HTTP method and a slash: what an endpoint looks like even when the rest of it
/// cannot be read.
static ROUTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"`\s*(?:{})\s+/", METHODS.join("|"))).expect("static regex")
});

/// An endpoint as a document writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// As written (`GET`; a document may also say `get` or `FETCH`).
    pub method: String,
    /// As written, prefix included: `/api/v1/stores/{id}`.
    pub path: String,
}

impl Route {
    /// The route of a match of [`PATTERN`].
    pub fn from_captures(c: &Captures) -> Route {
        Route {
            method: c["method"].to_string(),
            path: c["path"].to_string(),
        }
    }

    /// The method is one of [`METHODS`], as written (upper case).
    pub fn is_known(&self) -> bool {
        METHODS.contains(&self.method.as_str())
    }

    /// `METHOD /path`, as the plan, the contracts and the results spell an endpoint.
    pub fn spelling(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The first endpoint in `text` whose method is known, else the first at all.
pub fn find(text: &str) -> Option<Route> {
    let mut first = None;
    for c in ROUTE.captures_iter(text) {
        let route = Route::from_captures(&c);
        if route.is_known() {
            return Some(route);
        }
        first.get_or_insert(route);
    }
    first
}

/// The endpoint of a field that holds one (`**接口**: …`): in backticks anywhere ([`find`]), else
/// written bare at the start (`GET /api/v1/stores`).
pub fn find_in_field(value: &str) -> Option<Route> {
    find(value).or_else(|| BARE_ROUTE.captures(value).map(|c| Route::from_captures(&c)))
}

/// `text` has something that starts like an endpoint (a backtick, a known method, a slash).
pub fn looks_like(text: &str) -> bool {
    ROUTE_START.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(m: &str, p: &str) -> Route {
        Route {
            method: m.into(),
            path: p.into(),
        }
    }

    #[test]
    fn an_endpoint_is_a_method_and_a_path_in_backticks_anywhere_in_the_text() {
        assert_eq!(
            find("**接口**: `GET /api/v1/stores/{id}`"),
            Some(route("GET", "/api/v1/stores/{id}"))
        );
        assert_eq!(
            find("见 ` POST  /api/v1/orders ` 一节"),
            Some(route("POST", "/api/v1/orders"))
        );
        assert_eq!(route("PUT", "/a").spelling(), "PUT /a");
    }

    #[test]
    fn a_known_method_wins_over_an_earlier_word_and_an_unknown_one_is_still_read() {
        assert_eq!(
            find("`cd /tmp` then `DELETE /api/v1/x`"),
            Some(route("DELETE", "/api/v1/x"))
        );
        let odd = find("`fetch /api/v1/x`").expect("read");
        assert_eq!(odd, route("fetch", "/api/v1/x"));
        assert!(!odd.is_known());
    }

    #[test]
    fn no_backticks_or_no_leading_slash_is_no_endpoint() {
        assert_eq!(find("GET /api/v1/stores"), None);
        assert_eq!(find("`GET api/v1/stores`"), None);
        assert_eq!(find("`GET /api/v1/a b`"), None);
    }

    #[test]
    fn a_field_may_also_give_its_endpoint_bare_at_its_start() {
        assert_eq!(
            find_in_field("GET /api/v1/stores (需登录)"),
            Some(route("GET", "/api/v1/stores"))
        );
        assert_eq!(
            find_in_field("见 `POST /api/v1/a`"),
            Some(route("POST", "/api/v1/a"))
        );
        assert_eq!(find_in_field("见 GET /api/v1/stores"), None);
        assert_eq!(find_in_field("GET api/v1/stores"), None);
        assert_eq!(find_in_field("待定"), None);
    }

    #[test]
    fn looks_like_catches_endpoints_that_do_not_read() {
        assert!(looks_like("1. `GET /api/v1/a b` - 名称"));
        assert!(!looks_like("1. 激活后端 `storeRoutes`"));
        assert!(!looks_like("1. `get /api/v1/a`"));
    }
}
