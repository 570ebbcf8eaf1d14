//! Names as people type them on the command line: an endpoint in Express's spelling (`:id`) or the
//! plan's (`{id}`), with or without the path prefix; and the nearest known name to a typo.

/// `GET /vehicles/{}`: a route with its method upper-cased, the prefix and a trailing `/` dropped and
/// every path parameter (`{id}`, `:id`) the same placeholder, so that spellings of one route compare
/// equal. `None` when `text` is not `METHOD PATH`.
pub fn route_shape(text: &str, prefix: &str) -> Option<String> {
    let (method, path) = text.trim().split_once(char::is_whitespace)?;
    let path = path.trim();
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let path = match path.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() && (rest.is_empty() || rest.starts_with('/')) => rest,
        _ => &path,
    };
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let param = (s.starts_with('{') && s.ends_with('}')) || s.starts_with(':');
            if param {
                "{}"
            } else {
                s
            }
        })
        .collect();
    Some(format!(
        "{} /{}",
        method.to_ascii_uppercase(),
        segments.join("/")
    ))
}

/// The candidate closest to `given` by edit distance, when it is close enough to be what was meant
/// (at most a fifth of the name's length, and at least two edits allowed).
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.trim().to_lowercase();
    let allowed = (given.chars().count() / 5).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&given, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_route_has_one_shape() {
        let shape = route_shape("GET /vehicles/{}", "/api/v1");
        for spelling in [
            "GET /api/v1/vehicles/{id}",
            "get /vehicles/:id",
            "GET /vehicles/{vehicleId}/",
            "GET  api/v1/vehicles/:id",
            "GET /api/v1/vehicles/v_001?x=1",
        ] {
            let got = route_shape(spelling, "/api/v1");
            if spelling.contains("v_001") {
                assert_eq!(got.as_deref(), Some("GET /vehicles/v_001"), "{spelling}");
            } else {
                assert_eq!(got, shape, "{spelling}");
            }
        }
        assert_eq!(route_shape("vehicles.detail", "/api/v1"), None);
        assert_eq!(
            route_shape("GET /api/v1x/items", "/api/v1").as_deref(),
            Some("GET /api/v1x/items"),
            "a prefix is only dropped whole"
        );
    }

    #[test]
    fn the_nearest_name_is_suggested_only_when_it_is_close() {
        let known = ["vehicles.detail", "vehicles.list", "orders.detail"];
        assert_eq!(nearest("vehicle.detail", known), Some("vehicles.detail"));
        assert_eq!(nearest("Vehicles.Lsit", known), Some("vehicles.list"));
        assert_eq!(nearest("payments.refund", known), None);
        assert_eq!(nearest("x", ["ab", "y"]), Some("y"));
    }
}
