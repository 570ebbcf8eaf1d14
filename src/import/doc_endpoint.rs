//! The endpoints of an API doc that the importer makes contracts of: each `### N.M 名称` section
//! whose `**接口**` names a method the contract format has and a path under the prefix.

use crate::docs::api::{ApiDoc, EndpointField, Section};
pub use crate::docs::api::{Issue, Located, Param, ParamLocation};

/// The methods a contract can have.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

/// One endpoint as the doc describes it: its section (heading, parameters, examples, notes) and the
/// route its `**接口**` line names.
#[derive(Debug, Clone, PartialEq)]
pub struct DocEndpoint {
    pub section: Section,
    /// `N.M` as written (the doc repeats some numbers).
    pub number: String,
    /// The `**接口**` line.
    pub line: usize,
    pub method: String,
    /// Relative to the prefix (`/vehicles/{id}`).
    pub path: String,
}

impl DocEndpoint {
    /// `METHOD /api/v1/path` as the doc and the plan spell it.
    pub fn spelling(&self, prefix: &str) -> String {
        format!("{} {}{}", self.method, prefix, self.path)
    }
}

/// The doc's endpoints and what could not be read.
#[derive(Debug, Default)]
pub struct DocEndpoints {
    /// In document order, duplicates included (the importer keeps the first).
    pub endpoints: Vec<DocEndpoint>,
    pub warnings: Vec<Issue>,
}

/// The endpoint sections of `api`. `prefix` is the path prefix every endpoint must start with
/// (`/api/v1`). A section whose endpoint cannot be used is a warning, and so is everything that
/// could not be read in the sections used.
pub fn doc_endpoints(api: ApiDoc, prefix: &str) -> DocEndpoints {
    let mut out = DocEndpoints::default();
    for s in api.sections {
        let Some(number) = s.number.clone() else {
            continue;
        };
        match route_of(&s, prefix, &mut out.warnings) {
            Some((line, method, path)) => {
                out.warnings.extend(s.warnings.iter().cloned());
                out.endpoints.push(DocEndpoint {
                    section: s,
                    number,
                    line,
                    method,
                    path,
                });
            }
            None if s.endpoint_fields.is_empty() => out.warnings.push(Issue {
                line: s.heading_line,
                message: format!(
                    "section {number} {} has no **接口** line; no contract",
                    s.title
                ),
            }),
            None => {}
        }
    }
    if let Some(line) = api.unclosed_fence {
        out.warnings.push(Issue {
            line,
            message: "code block is never closed".to_string(),
        });
    }
    out
}

/// The section's first usable `**接口**` line: its line, method and path under the prefix. The
/// unusable ones before it, and any after it, are warnings.
fn route_of(
    s: &Section,
    prefix: &str,
    warnings: &mut Vec<Issue>,
) -> Option<(usize, String, String)> {
    let mut chosen = None;
    for f in &s.endpoint_fields {
        if chosen.is_some() {
            warnings.push(Issue {
                line: f.line,
                message: "a second **接口** line in one section is ignored".to_string(),
            });
            continue;
        }
        match method_and_path(f, prefix) {
            Ok((method, path)) => chosen = Some((f.line, method, path)),
            Err(message) => warnings.push(Issue {
                line: f.line,
                message,
            }),
        }
    }
    chosen
}

/// The method, upper-cased, and the path without the prefix, its query and a trailing `/`.
fn method_and_path(f: &EndpointField, prefix: &str) -> Result<(String, String), String> {
    let route = f.route.as_ref().ok_or_else(|| {
        format!(
            "cannot read the endpoint `{}` (expected `METHOD {prefix}/path`)",
            f.value
        )
    })?;
    let method = route.method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "`{}` is not an HTTP method this tool knows ({})",
            route.method,
            METHODS.join(", ")
        ));
    }
    let full = &route.path;
    let Some(path) = full.strip_prefix(prefix) else {
        return Err(format!("the path `{full}` does not start with `{prefix}`"));
    };
    if !(path.is_empty() || path.starts_with('/')) {
        return Err(format!("the path `{full}` does not start with `{prefix}/`"));
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/');
    // `/api/v1` alone is the root `/`.
    let path = if path.is_empty() { "/" } else { path };
    Ok((method, path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> DocEndpoints {
        doc_endpoints(ApiDoc::parse(text), "/api/v1")
    }

    fn messages(d: &DocEndpoints) -> Vec<(usize, &str)> {
        d.warnings
            .iter()
            .map(|w| (w.line, w.message.as_str()))
            .collect()
    }

    #[test]
    fn a_numbered_section_with_an_endpoint_under_the_prefix_is_an_endpoint() {
        let d = read("## 1. 门店\n### 1.1 门店详情\n**接口**: `get /api/v1/stores/{id}/?x=1`\n**请求头**: Authorization: Bearer x\n");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let e = &d.endpoints[0];
        assert_eq!(
            (
                e.section.heading_line,
                e.number.as_str(),
                e.section.title.as_str(),
                e.line
            ),
            (2, "1.1", "门店详情", 3)
        );
        assert_eq!(
            (e.method.as_str(), e.path.as_str()),
            ("GET", "/stores/{id}")
        );
        assert!(e.section.auth_user);
        assert_eq!(e.spelling("/api/v1"), "GET /api/v1/stores/{id}");
        assert_eq!(
            read("### 1.1 根\n**接口**: `GET /api/v1`\n").endpoints[0].path,
            "/"
        );
    }

    #[test]
    fn endpoints_that_cannot_be_used_are_warnings_naming_their_line() {
        let d = read(
            "### 1.1 a\n**接口**: `GET /api/v2/x`\n### 1.2 b\n**接口**: `HEAD /api/v1/x`\n### 1.3 c\n**接口**: GET api/v1/x\n### 1.4 d\n**接口**: `GET /api/v1x`\n### 1.5 e\n说明\n",
        );
        assert!(d.endpoints.is_empty());
        assert_eq!(
            messages(&d),
            [
                (2, "the path `/api/v2/x` does not start with `/api/v1`"),
                (
                    4,
                    "`HEAD` is not an HTTP method this tool knows (GET, POST, PUT, DELETE, PATCH)"
                ),
                (
                    6,
                    "cannot read the endpoint `GET api/v1/x` (expected `METHOD /api/v1/path`)"
                ),
                (8, "the path `/api/v1x` does not start with `/api/v1/`"),
                (9, "section 1.5 e has no **接口** line; no contract"),
            ]
        );
    }

    #[test]
    fn the_first_usable_endpoint_line_wins_and_later_ones_are_ignored() {
        let d = read(
            "### 1.1 a\n**接口**: `GET /api/v2/x`\n**接口**: `GET /api/v1/a`\n**接口**: `GET /api/v1/b`\n",
        );
        assert_eq!(d.endpoints.len(), 1);
        assert_eq!(
            (d.endpoints[0].line, d.endpoints[0].path.as_str()),
            (3, "/a")
        );
        assert_eq!(
            messages(&d),
            [
                (2, "the path `/api/v2/x` does not start with `/api/v1`"),
                (4, "a second **接口** line in one section is ignored"),
            ]
        );
    }

    #[test]
    fn unnumbered_sections_are_not_endpoints_and_their_problems_are_not_reported() {
        let d = read("## 说明\n**接口**: `GET /api/v1/x`\n**请求参数**:\n- 坏行\n```json\n");
        assert!(d.endpoints.is_empty());
        assert_eq!(messages(&d), [(5, "code block is never closed")]);
    }

    #[test]
    fn a_sections_reading_problems_come_with_its_endpoint() {
        let d = read("### 1.1 a\n**接口**: `POST /api/v1/a`\n**请求参数**:\n- 坏行\n");
        assert_eq!(d.endpoints.len(), 1);
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].line, 4);
        let dropped = read("### 1.1 a\n**接口**: `POST /api/v2/a`\n**请求参数**:\n- 坏行\n");
        assert_eq!(dropped.warnings.len(), 1, "only the endpoint's own warning");
    }
}
