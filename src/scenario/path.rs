//! Addressing values in a response: JSON Pointer (`/data/list/0/id`) or a dotted path (`data.list[0].id`).

use serde_json::Value;

/// Converts either syntax to a JSON Pointer.
pub fn to_pointer(path: &str) -> Result<String, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("empty path".into());
    }
    if path.starts_with('/') {
        return Ok(path.to_string());
    }
    let mut out = String::new();
    for segment in path.split('.') {
        if segment.is_empty() {
            return Err(format!("`{path}`: empty segment"));
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
                .ok_or_else(|| format!("`{path}`: unclosed `[`"))?;
            let index = &rest[1..close];
            if index.parse::<usize>().is_err() {
                return Err(format!("`{path}`: `[{index}]` is not an array index"));
            }
            out.push('/');
            out.push_str(index);
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("`{path}`: unexpected `{rest}`"));
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
