//! Tokens for a user that does not exist. Without the backend's signing key no tool can sign one, and
//! the catalogue has no endpoint that deletes a user; when the access tokens are JWTs, two tokens still
//! ask the question: the run's own token with its subject changed to nobody (the signature no longer
//! fits), and the same claims unsigned (`alg: none`). A backend that reads the claims without
//! verifying the signature serves both, as somebody who does not exist.

use serde_json::{json, Map, Value};

/// The claims a backend takes the user from.
const SUBJECT_CLAIMS: [&str; 5] = ["sub", "userId", "user_id", "uid", "id"];

/// The two tokens for nobody made from a JWT: `(tampered, unsigned)`.
pub(super) fn for_nobody(token: &str, nobody: &str) -> Option<(String, String)> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&decode(header)?).ok()?;
    header.get("alg")?;
    let mut claims: Map<String, Value> = serde_json::from_slice(&decode(payload)?).ok()?;
    let mut replaced = false;
    for claim in SUBJECT_CLAIMS {
        if let Some(v) = claims.get_mut(claim) {
            *v = if v.is_number() {
                json!(999_999_999_999u64)
            } else {
                json!(nobody)
            };
            replaced = true;
        }
    }
    if !replaced {
        claims.insert("sub".into(), json!(nobody));
    }
    let payload = encode(Value::Object(claims).to_string().as_bytes());
    let tampered = format!(
        "{}.{payload}.{signature}",
        encode(header.to_string().as_bytes())
    );
    let none = encode(json!({"alg": "none", "typ": "JWT"}).to_string().as_bytes());
    Some((tampered, format!("{none}.{payload}.")))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// base64url (or base64), padded or not; `None` for anything else.
fn decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let text = text.trim_end_matches('=').as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(value(*c)?) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: Value, claims: Value) -> String {
        let h = encode(header.to_string().as_bytes());
        let c = encode(claims.to_string().as_bytes());
        format!("{h}.{c}.c2lnbmF0dXJl")
    }

    fn claims_of(token: &str) -> Value {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&decode(payload).unwrap()).unwrap()
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for text in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "\u{ff}\u{fe}?>",
        ] {
            assert_eq!(decode(&encode(text.as_bytes())).unwrap(), text.as_bytes());
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("Zm9vYg==").unwrap(), b"foob");
        assert!(decode("a").is_none() && decode("a$b=").is_none());
    }

    #[test]
    fn the_subject_becomes_nobody_signed_as_before_and_unsigned() {
        let token = jwt(
            json!({"alg": "HS256", "typ": "JWT"}),
            json!({"userId": 42, "sub": "u_1", "exp": 1}),
        );
        let (tampered, unsigned) = for_nobody(&token, "nobody").unwrap();
        assert!(tampered.ends_with(".c2lnbmF0dXJl"));
        assert_eq!(
            claims_of(&tampered),
            json!({"userId": 999_999_999_999u64, "sub": "nobody", "exp": 1})
        );
        let header = unsigned.split('.').next().unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&decode(header).unwrap()).unwrap()["alg"],
            "none"
        );
        assert!(unsigned.ends_with('.'));
        assert_eq!(claims_of(&unsigned), claims_of(&tampered));
    }

    #[test]
    fn claims_without_a_subject_get_one_and_other_tokens_are_not_jwts() {
        let token = jwt(json!({"alg": "RS256"}), json!({"role": "user"}));
        let (tampered, _) = for_nobody(&token, "nobody").unwrap();
        assert_eq!(
            claims_of(&tampered),
            json!({"role": "user", "sub": "nobody"})
        );
        for opaque in ["sbx-access-1-00ff", "a.b.c", "a.b.c.d", "", "eyJ.e30.x"] {
            assert_eq!(for_nobody(opaque, "nobody"), None, "{opaque}");
        }
    }
}
