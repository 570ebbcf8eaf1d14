//! The contract a front end most likely meant when its request matches none, and what differs. The
//! slips front ends make most: the wrong method, a trailing slash, `//`, the base path twice
//! (`/api/v1/api/v1/orders`) or not at all, a singular for a plural, `status-list` for `statuses`,
//! a typo.

use crate::catalog::Catalog;
use crate::contract::Contract;
use crate::result::proxy::Suggestion;
use crate::sandbox::routing::below_base;

/// The contracts' routes, ready to compare requests with.
pub struct Suggester {
    base_path: String,
    prefix: String,
    routes: Vec<Template>,
}

struct Template {
    method: String,
    segments: Vec<String>,
    id: String,
    name: String,
}

impl Template {
    fn of(c: &Contract) -> Template {
        Template {
            method: c.method.clone(),
            segments: segments(&c.path).map(str::to_string).collect(),
            id: c.id.clone(),
            name: c.name.clone(),
        }
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}

/// The first literal that differs: as sent, as the contract has it.
type Slip = Option<(String, String)>;

/// How a path's literal segments compare with a template's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Likeness {
    Same,
    /// Singular and plural, case and separators, a `-list` suffix: the same word.
    SameWord,
    /// A few letters apart.
    Typo,
}

impl Suggester {
    pub fn new(catalog: &Catalog, base_path: &str) -> Suggester {
        Suggester {
            base_path: base_path.trim_end_matches('/').to_string(),
            prefix: catalog.plan.prefix.clone(),
            routes: catalog.contracts.iter().map(Template::of).collect(),
        }
    }

    /// The nearest contract to `method path` (the path as sent, no query), or `None` when nothing
    /// is near enough to be worth saying.
    pub fn suggest(&self, method: &str, path: &str) -> Option<Suggestion> {
        let (below, mut why) = self.normalised(path);
        let wanted: Vec<&str> = segments(&below).collect();
        let mut best: Option<(Likeness, bool, &Template, Slip)> = None;
        for t in &self.routes {
            let Some((likeness, slip)) = likeness(&wanted, &t.segments) else {
                continue;
            };
            let same_method = t.method.eq_ignore_ascii_case(method);
            let better = best
                .as_ref()
                .is_none_or(|(l, m, _, _)| (likeness, !same_method) < (*l, !*m));
            if better {
                best = Some((likeness, same_method, t, slip));
            }
        }
        let (likeness, same_method, t, slip) = best?;
        match (likeness, slip) {
            (Likeness::Same, _) => {}
            (Likeness::SameWord, Some((from, to))) => {
                why.push(format!("单复数或命名不同: {from} → {to}"))
            }
            (_, Some((from, to))) => why.push(format!("拼写相近: {from} → {to}")),
            (_, None) => {}
        }
        if !same_method {
            why.push(format!("方法应为 {}", t.method));
        }
        (!why.is_empty()).then(|| Suggestion {
            id: t.id.clone(),
            endpoint: format!("{} {}{}", t.method, self.prefix, path_of(t)),
            name: t.name.clone(),
            why: why.join(", "),
        })
    }

    /// A path that matched a parameter route where a literal route of the same method was meant
    /// (`GET /orders/status-list` answered as the order `status-list`, meaning `/orders/statuses`):
    /// the suggestion, when a parameter's value is the same word as that route's literal segment.
    pub fn literal_slip(&self, method: &str, below: &str) -> Option<Suggestion> {
        let wanted: Vec<&str> = segments(below).collect();
        let t = self.routes.iter().find(|t| {
            t.method.eq_ignore_ascii_case(method)
                && t.segments.len() == wanted.len()
                && t.segments
                    .iter()
                    .zip(&wanted)
                    .all(|(s, w)| s == w || is_param(s) || same_word(w, s))
                && t.segments
                    .iter()
                    .zip(&wanted)
                    .any(|(s, w)| s != w && same_word(w, s))
        })?;
        let (from, to) = t
            .segments
            .iter()
            .zip(&wanted)
            .find(|(s, w)| s != *w && !is_param(s))
            .map(|(s, w)| (w.to_string(), s.clone()))?;
        Some(Suggestion {
            id: t.id.clone(),
            endpoint: format!("{} {}{}", t.method, self.prefix, path_of(t)),
            name: t.name.clone(),
            why: format!("单复数或命名不同: {from} → {to}"),
        })
    }

    /// The path below the base path after undoing the slips of its shape, and those slips.
    fn normalised(&self, path: &str) -> (String, Vec<String>) {
        let mut why = vec![];
        let mut p = path.to_string();
        if p.contains("//") {
            while p.contains("//") {
                p = p.replace("//", "/");
            }
            why.push("路径含 //".to_string());
        }
        if p.len() > 1 && p.ends_with('/') {
            p = p.trim_end_matches('/').to_string();
            why.push("结尾多了 /".to_string());
        }
        let base = &self.base_path;
        if !base.is_empty() {
            let doubled = format!("{base}{base}");
            if p == doubled || p.starts_with(&format!("{doubled}/")) {
                while p.starts_with(&doubled) {
                    p = p[base.len()..].to_string();
                }
                why.push(format!("基础路径重复: {doubled}"));
            }
        }
        match below_base(base, &p) {
            Some(rest) => (rest.to_string(), why),
            None => {
                if !base.is_empty() {
                    why.push(format!("缺少基础路径 {base}"));
                }
                (p, why)
            }
        }
    }
}

fn path_of(t: &Template) -> String {
    format!("/{}", t.segments.join("/"))
}

/// How alike a path is to a template (the same number of segments, parameters match anything), and
/// the first literal that differs (as sent, as the contract has it).
fn likeness(wanted: &[&str], template: &[String]) -> Option<(Likeness, Slip)> {
    if wanted.len() != template.len() {
        return None;
    }
    let mut worst = Likeness::Same;
    let mut slip = None;
    let mut letters = 0;
    for (w, t) in wanted.iter().zip(template) {
        if is_param(t) || w == t {
            continue;
        }
        let l = if same_word(w, t) {
            Likeness::SameWord
        } else {
            letters += distance(&word(w), &word(t));
            Likeness::Typo
        };
        worst = worst.max(l);
        slip.get_or_insert_with(|| (w.to_string(), t.clone()));
    }
    // More than two letters apart is another word, not a typo.
    (letters <= 2).then_some((worst, slip))
}

/// Lower case without separators: `status-list`, `statusList` and `status_list` read alike.
fn word(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_lowercase()
}

/// The same word: alike as [`word`]s, or one the plural of the other, a `list` suffix standing for the
/// plural (`status-list` ~ `statuses`, `order` ~ `orders`, `category` ~ `categories`).
fn same_word(a: &str, b: &str) -> bool {
    let (a, b) = (word(a), word(b));
    if a == b {
        return true;
    }
    let stem = |s: &str| -> String {
        match s.strip_suffix("list") {
            Some(rest) if rest.len() >= 3 => rest.to_string(),
            _ => s.to_string(),
        }
    };
    let (sa, sb) = (stem(&a), stem(&b));
    sa == sb || plurals(&sa).contains(&sb) || plurals(&sb).contains(&sa)
}

fn plurals(s: &str) -> Vec<String> {
    let mut out = vec![format!("{s}s"), format!("{s}es")];
    if let Some(rest) = s.strip_suffix('y') {
        out.push(format!("{rest}ies"));
    }
    out
}

/// Levenshtein distance, over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggester() -> Suggester {
        let routes = [
            ("GET", "/orders", "orders.list", "获取订单列表"),
            ("POST", "/orders", "orders.create", "创建订单"),
            (
                "GET",
                "/orders/statuses",
                "orders.statuses",
                "获取订单状态列表",
            ),
            ("GET", "/orders/{orderId}", "orders.detail", "获取订单详情"),
            ("GET", "/help/categories", "help.categories", "帮助分类"),
            ("GET", "/vehicles", "vehicles.list", "房车列表"),
        ];
        Suggester {
            base_path: "/api/v1".into(),
            prefix: "/api/v1".into(),
            routes: routes
                .iter()
                .map(|(m, p, id, name)| Template {
                    method: m.to_string(),
                    segments: segments(p).map(str::to_string).collect(),
                    id: id.to_string(),
                    name: name.to_string(),
                })
                .collect(),
        }
    }

    fn why(method: &str, path: &str) -> Option<(String, String)> {
        suggester()
            .suggest(method, path)
            .map(|s| (s.endpoint, s.why))
    }

    fn pair(endpoint: &str, why: &str) -> Option<(String, String)> {
        Some((endpoint.into(), why.into()))
    }

    #[test]
    fn slips_of_the_paths_shape_are_named() {
        assert_eq!(
            why("GET", "/api/v1/api/v1/orders"),
            pair("GET /api/v1/orders", "基础路径重复: /api/v1/api/v1")
        );
        assert_eq!(
            why("GET", "/api/v1/orders/"),
            pair("GET /api/v1/orders", "结尾多了 /")
        );
        assert_eq!(
            why("GET", "/api/v1//orders"),
            pair("GET /api/v1/orders", "路径含 //")
        );
        assert_eq!(
            why("GET", "/orders"),
            pair("GET /api/v1/orders", "缺少基础路径 /api/v1")
        );
    }

    #[test]
    fn a_wrong_method_names_the_contracts() {
        assert_eq!(
            why("DELETE", "/api/v1/vehicles"),
            pair("GET /api/v1/vehicles", "方法应为 GET")
        );
        // The same method wins over another one when both are as near.
        assert_eq!(
            why("POST", "/api/v1/orders/"),
            pair("POST /api/v1/orders", "结尾多了 /")
        );
    }

    #[test]
    fn the_same_word_in_another_form_and_typos_are_found() {
        assert_eq!(
            why("GET", "/api/v1/help/category"),
            pair(
                "GET /api/v1/help/categories",
                "单复数或命名不同: category → categories"
            )
        );
        assert_eq!(
            why("GET", "/api/v1/vehicle"),
            pair(
                "GET /api/v1/vehicles",
                "单复数或命名不同: vehicle → vehicles"
            )
        );
        assert_eq!(
            why("GET", "/api/v1/vehicels"),
            pair("GET /api/v1/vehicles", "拼写相近: vehicels → vehicles")
        );
        assert_eq!(why("GET", "/api/v1/coupons"), None, "another word");
        assert_eq!(why("GET", "/favicon.ico"), None);
    }

    #[test]
    fn a_parameter_that_is_a_literal_routes_word_is_a_slip() {
        let s = suggester();
        let slip = s
            .literal_slip("GET", "/orders/status-list")
            .expect("status-list is statuses");
        assert_eq!(slip.endpoint, "GET /api/v1/orders/statuses");
        assert_eq!(slip.why, "单复数或命名不同: status-list → statuses");
        assert_eq!(s.literal_slip("GET", "/orders/order_1001"), None);
        assert_eq!(s.literal_slip("POST", "/orders/status-list"), None);
    }

    #[test]
    fn words_and_distances() {
        assert!(same_word("statusList", "statuses"));
        assert!(same_word("status_list", "statuses"));
        assert!(!same_word("status", "orders"));
        assert_eq!(distance("vehicels", "vehicles"), 2);
        assert_eq!(distance("", "abc"), 3);
    }
}
