//! Parameter lists: `- name: type (必填|可选) - 说明`, and notes that make a field optional.

use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Where a listed parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    PathParams,
    Query,
    Body,
}

/// One `- name: type (必填) - 说明` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub line: usize,
    pub name: String,
    /// As written, lower-cased: `string`, `number`, `boolean`, `file`, `string[]`, …
    pub ty: String,
    pub required: bool,
    pub description: String,
    pub location: ParamLocation,
}

static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-*+]\s+(.*)$").expect("static regex"));
static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^`?([A-Za-z_$][\w.$\[\]]*)`?\s*[:：]\s*`?([A-Za-z][\w\[\]<>|]*)`?\s*(?:[(（]\s*([^)）]*?)\s*[)）])?\s*(?:[-—–:：]+\s*(.*?))?\s*$",
    )
    .expect("static regex")
});
static OPTIONAL_NOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^>?\s*`?([A-Za-z_][\w]*)`?\s*(?:为|是)?\s*(?:可选|选填)").expect("static regex")
});

/// A line of a parameter list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListLine {
    Param(Param),
    /// A list item that is not `name: type …`, with a message saying so.
    Unreadable(String),
    /// `> couponId 为可选字段`: the field is optional.
    Optional(String),
    /// Anything else (blank lines, prose).
    Other,
}

/// Reads line `n` of a parameter list whose parameters go to `location`.
pub fn read_list_line(n: usize, text: &str, location: ParamLocation) -> ListLine {
    let trimmed = text.trim();
    if let Some(item) = LIST_ITEM.captures(trimmed) {
        let item = item[1].trim();
        return match PARAM.captures(item) {
            Some(p) => {
                let flag = p.get(3).map_or("", |m| m.as_str());
                let mut description = p.get(4).map_or("", |m| m.as_str()).to_string();
                if !flag.is_empty() && !is_required_flag(flag) && !is_optional_flag(flag) {
                    description = join_description(flag, &description);
                }
                ListLine::Param(Param {
                    line: n,
                    name: p[1].to_string(),
                    ty: p[2].to_ascii_lowercase(),
                    required: is_required_flag(flag),
                    description,
                    location,
                })
            }
            None => ListLine::Unreadable(format!(
                "cannot read the parameter line `{item}` (expected `- name: type (必填|可选) - 说明`)"
            )),
        };
    }
    match OPTIONAL_NOTE.captures(trimmed) {
        Some(c) => ListLine::Optional(c[1].to_string()),
        None => ListLine::Other,
    }
}

/// `必填`, but not `非必填` nor `…时必填` (required only in some case).
fn is_required_flag(flag: &str) -> bool {
    flag.contains("必填") && !flag.contains("非必填") && !flag.contains("时必填")
}

fn is_optional_flag(flag: &str) -> bool {
    flag.contains("可选") || flag.contains("选填") || flag.contains("非必填")
}

/// A `(…)` that is neither 必填 nor 可选 is kept as part of the description.
fn join_description(note: &str, description: &str) -> String {
    if description.is_empty() {
        note.to_string()
    } else {
        format!("{description}（{note}）")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(text: &str) -> Param {
        match read_list_line(7, text, ParamLocation::Body) {
            ListLine::Param(p) => p,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn a_parameter_line_gives_name_type_required_and_description() {
        let p = param("- phone: String (必填) - 手机号");
        assert_eq!(
            (p.line, p.name.as_str(), p.ty.as_str(), p.required),
            (7, "phone", "string", true)
        );
        assert_eq!(p.description, "手机号");
        assert_eq!(p.location, ParamLocation::Body);
        let q = param("* `page`：number（可选）— 页码");
        assert_eq!((q.name.as_str(), q.required), ("page", false));
        assert_eq!(q.description, "页码");
    }

    #[test]
    fn only_an_unconditional_must_is_required() {
        assert!(param("- a: string (必填)").required);
        assert!(!param("- a: string (非必填)").required);
        assert!(!param("- a: string (支付时必填)").required);
        assert!(!param("- a: string").required);
    }

    #[test]
    fn another_parenthesis_joins_the_description() {
        assert_eq!(
            param("- size: number (默认10) - 每页数量").description,
            "每页数量（默认10）"
        );
        assert_eq!(param("- size: number (默认10)").description, "默认10");
    }

    #[test]
    fn an_unreadable_item_says_what_was_expected_and_notes_mark_fields_optional() {
        match read_list_line(3, "- 这一行不是参数", ParamLocation::Query) {
            ListLine::Unreadable(m) => {
                assert!(
                    m.contains("`这一行不是参数`") && m.contains("必填|可选"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read_list_line(4, "> couponId 为可选字段", ParamLocation::Body),
            ListLine::Optional("couponId".into())
        );
        assert_eq!(
            read_list_line(5, "说明文字", ParamLocation::Body),
            ListLine::Other
        );
    }
}
