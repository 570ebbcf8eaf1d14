//! Which endpoint a request is for: the method and the path template, with `{param}` segments
//! percent-decoded into the path parameters. Unknown routes get Express's own 404 page.

use super::reply::{Body, Outcome, Reply};
use crate::config::EnvelopeConfig;
use serde_json::{Map, Value};

/// The message of the drifted backend's catch-all (an envelope 404 for a route it does not mount).
pub const UNKNOWN_ROUTE: &str = "接口不存在";

struct Route {
    /// The endpoint's position in the list the routes were built from.
    index: usize,
    method: String,
    segments: Vec<String>,
}

pub(crate) struct Routes(Vec<Route>);

impl Routes {
    /// Routes for `(method, path template)` pairs; a match names the pair by its position.
    pub fn new<'a>(endpoints: impl IntoIterator<Item = (&'a str, &'a str)>) -> Routes {
        let mut routes: Vec<Route> = endpoints
            .into_iter()
            .enumerate()
            .map(|(index, (method, path))| Route {
                index,
                method: method.to_string(),
                segments: segments(path).map(str::to_string).collect(),
            })
            .collect();
        // Literal segments win over parameters: /vehicles/favorites before /vehicles/{id}.
        routes
            .sort_by_key(|r| std::cmp::Reverse(r.segments.iter().filter(|s| !is_param(s)).count()));
        Routes(routes)
    }

    /// The endpoint a method and path (relative to the base path) are for, and its path parameters.
    pub fn find(&self, method: &str, path: &str) -> Option<(usize, Map<String, Value>)> {
        let wanted: Vec<&str> = segments(path).collect();
        self.0
            .iter()
            .filter(|r| r.method == method && r.segments.len() == wanted.len())
            .find_map(|r| Some((r.index, r.params(&wanted)?)))
    }
}

impl Route {
    /// The path parameters when every literal segment matches.
    fn params(&self, wanted: &[&str]) -> Option<Map<String, Value>> {
        let mut params = Map::new();
        for (pattern, segment) in self.segments.iter().zip(wanted) {
            match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    params.insert(name.to_string(), Value::String(percent_decode(segment)));
                }
                None if pattern == segment => {}
                None => return None,
            }
        }
        Some(params)
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The path below the base path (`/api/v1/users` → `/users`), or `None` when it is not under it.
pub(crate) fn below_base<'p>(base_path: &str, path: &'p str) -> Option<&'p str> {
    path.strip_prefix(base_path.trim_end_matches('/'))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Express's answer for a route it does not know.
pub(crate) fn framework_404(method: &str, path: &str) -> Reply {
    Reply::text(
        404,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
        ),
        Outcome::Unrouted,
    )
}

/// The answer of a backend whose catch-all is an envelope: `{"code":404,"message":"接口不存在"}` over
/// HTTP 404, the same for every unknown route.
pub(crate) fn envelope_404(names: &EnvelopeConfig) -> Reply {
    let mut body = Map::new();
    body.insert(names.code.clone(), Value::from(404));
    body.insert(names.message.clone(), Value::from(UNKNOWN_ROUTE));
    Reply {
        status: 404,
        body: Body::Json(Value::Object(body)),
        delay_ms: 0,
        code: Some(404),
        outcome: Outcome::Unrouted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn routes() -> Routes {
        Routes::new([
            ("GET", "/vehicles/{id}"),
            ("GET", "/vehicles/favorites"),
            ("POST", "/vehicles/{id}"),
            ("GET", "/posts/{postId}/comments/{commentId}"),
            ("GET", "/health"),
        ])
    }

    #[test]
    fn a_template_matches_and_names_its_parameters() {
        let (index, params) = routes().find("GET", "/posts/p1/comments/c2").unwrap();
        assert_eq!(index, 3);
        assert_eq!(
            Value::Object(params),
            json!({"postId": "p1", "commentId": "c2"})
        );
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter_whatever_the_order() {
        let (index, params) = routes().find("GET", "/vehicles/favorites").unwrap();
        assert_eq!(index, 1);
        assert!(params.is_empty());
        assert_eq!(routes().find("GET", "/vehicles/v9").unwrap().0, 0);
    }

    #[test]
    fn the_method_and_the_number_of_segments_must_match() {
        assert_eq!(routes().find("POST", "/vehicles/v9").unwrap().0, 2);
        assert!(routes().find("DELETE", "/vehicles/v9").is_none());
        assert!(routes().find("GET", "/vehicles/v9/extra").is_none());
        assert!(routes().find("GET", "/healthz").is_none());
    }

    #[test]
    fn parameters_are_percent_decoded_but_literals_are_compared_as_sent() {
        let (_, params) = routes()
            .find("GET", "/vehicles/%E6%88%BF%E8%BD%A6%20A")
            .unwrap();
        assert_eq!(params["id"], json!("房车 A"));
        // An encoded literal is a parameter value, not the literal route.
        assert_eq!(routes().find("GET", "/vehicles/fav%6Frites").unwrap().0, 0);
    }

    #[test]
    fn trailing_and_doubled_slashes_do_not_matter() {
        assert_eq!(routes().find("GET", "/health/").unwrap().0, 4);
        assert_eq!(routes().find("GET", "//vehicles//v1/").unwrap().0, 0);
    }

    #[test]
    fn only_paths_under_the_base_path_are_served() {
        assert_eq!(below_base("/api/v1", "/api/v1/health"), Some("/health"));
        assert_eq!(below_base("/api/v1/", "/api/v1/health"), Some("/health"));
        assert_eq!(below_base("/api/v1", "/api/v1"), Some(""));
        assert_eq!(below_base("/api/v1", "/api/v10/health"), None);
        assert_eq!(below_base("/api/v1", "/health"), None);
    }

    #[test]
    fn the_framework_404_is_an_html_page_naming_the_request() {
        let reply = framework_404("GET", "/api/v1/nope");
        assert_eq!(reply.status, 404);
        assert_eq!(reply.code, None);
        assert_eq!(reply.body.content_type(), "text/html; charset=utf-8");
        let text = reply.body.text(&Default::default());
        assert!(
            text.contains("<pre>Cannot GET /api/v1/nope</pre>"),
            "{text}"
        );
    }
}
