//! What the run learnt about the backend that is neither a finding of one case nor an error: how it
//! adapted to keep going (a login that answered its token under another name), said once, by the
//! verdict, with how to make the note go away.

use std::sync::Mutex;

#[derive(Default)]
pub struct RunNotes(Mutex<Vec<String>>);

impl RunNotes {
    /// Notes each thing once, in the order first noted.
    pub fn add(&self, note: String) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !all.contains(&note) {
            all.push(note);
        }
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The one string under a key that names a token (`access_token`, `accessToken`, `jwt`; never a
/// refresh token) anywhere in a login's answer, as `(path, value)`: the token a backend returned under
/// another name. None when there is no such string or more than one.
pub fn token_elsewhere(answer: &serde_json::Value) -> Option<(String, String)> {
    let mut found = vec![];
    let mut stack = vec![(String::new(), answer)];
    while let Some((path, value)) = stack.pop() {
        let Some(object) = value.as_object() else {
            continue;
        };
        for (key, inner) in object {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let name = key.to_ascii_lowercase();
            let names_a_token =
                (name.contains("token") || name == "jwt") && !name.contains("refresh");
            match inner {
                serde_json::Value::String(s) if names_a_token && s.len() >= 8 => {
                    found.push((here, s.clone()))
                }
                serde_json::Value::Object(_) => stack.push((here, inner)),
                _ => {}
            }
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_token_under_another_name_is_found_a_refresh_token_or_two_candidates_are_not() {
        let found = |v| token_elsewhere(&v).map(|(p, _)| p);
        assert_eq!(
            found(
                json!({"code": 0, "data": {"access_token": "eyJhbGciOi.x.y", "refresh_token": "r-123456789"}})
            ),
            Some("data.access_token".to_string())
        );
        assert_eq!(
            found(json!({"data": {"auth": {"jwt": "eyJhbGciOi.x.y"}}})),
            Some("data.auth.jwt".to_string())
        );
        assert_eq!(
            found(json!({"data": {"refreshToken": "r-123456789"}})),
            None
        );
        assert_eq!(
            found(json!({"data": {"accessToken": "a-123456789", "idToken": "i-123456789"}})),
            None
        );
        assert_eq!(found(json!({"data": {"token": 12345678}})), None);
        assert_eq!(found(json!({"data": {"tokenType": "Bearer"}})), None);
    }
}
