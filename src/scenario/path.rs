//! Addressing values in a response: JSON Pointer (`/data/list/0/id`) or a dotted path (`data.list[0].id`).

use serde_json::Value;

/// A dotted path that is not well formed; each names the path as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("empty path")]
    Empty,
    #[error("`{path}`: empty segment")]
    EmptySegment { path: String },
    #[error("`{path}`: unclosed `[`")]
    UnclosedBracket { path: String },
    #[error("`{path}`: `[{index}]` is not an array index")]
    NotAnIndex { path: String, index: String },
    #[error("`{path}`: unexpected `{rest}`")]
    Unexpected { path: String, rest: String },
}

/// Converts either syntax to a JSON Pointer.
pub fn to_pointer(path: &str) -> Result<String, PathError> {
    let path = path.trim();
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.starts_with('/') {
        return Ok(path.to_string());
    }
    let mut out = String::new();
    for segment in path.split('.') {
        if segment.is_empty() {
            return Err(PathError::EmptySegment { path: path.into() });
        }
        let (key, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            out.push('/');
            out.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| PathError::UnclosedBracket { path: path.into() })?;
            let index = &rest[1..close];
            if index.parse::<usize>().is_err() {
                return Err(PathError::NotAnIndex {
                    path: path.into(),
                    index: index.into(),
                });
            }
            out.push('/');
            out.push_str(index);
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(PathError::Unexpected {
                    path: path.into(),
                    rest: rest.into(),
                });
            }
        }
    }
    Ok(out)
}

/// Looks a path up in a value; `None` when it does not exist.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let pointer = to_pointer(path).ok()?;
    value.pointer(&pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_syntaxes_give_the_same_pointer() {
        assert_eq!(to_pointer("data.list[0].id"), Ok("/data/list/0/id".into()));
        assert_eq!(
            to_pointer(" /data/list/0/id "),
            Ok("/data/list/0/id".into())
        );
        assert_eq!(
            to_pointer("data.matrix[1][2]"),
            Ok("/data/matrix/1/2".into())
        );
        assert_eq!(to_pointer("a/b.c~d"), Ok("/a~1b/c~0d".into()));
    }

    #[test]
    fn each_malformed_path_is_its_own_error() {
        assert_eq!(to_pointer("  "), Err(PathError::Empty));
        assert_eq!(
            to_pointer("data..id"),
            Err(PathError::EmptySegment {
                path: "data..id".into()
            })
        );
        assert_eq!(
            to_pointer("data.list[0"),
            Err(PathError::UnclosedBracket {
                path: "data.list[0".into()
            })
        );
        assert_eq!(
            to_pointer("data.list[x]"),
            Err(PathError::NotAnIndex {
                path: "data.list[x]".into(),
                index: "x".into()
            })
        );
        assert_eq!(
            to_pointer("data.list[0]id"),
            Err(PathError::Unexpected {
                path: "data.list[0]id".into(),
                rest: "id".into()
            })
        );
    }

    #[test]
    fn lookup_finds_a_value_or_nothing() {
        let v = json!({"data": {"list": [{"id": "a"}]}});
        assert_eq!(lookup(&v, "data.list[0].id"), Some(&json!("a")));
        assert_eq!(lookup(&v, "data.list[1].id"), None);
        assert_eq!(lookup(&v, "data..id"), None);
    }
}
