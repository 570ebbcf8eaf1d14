//! Secrets recognised by their shape in free text, whatever key (if any) they came under: JWTs, bearer
//! credentials, mainland mobile numbers, ID card and bank card numbers.

use regex::Regex;
use std::sync::LazyLock;

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    // A header that starts `{"` in base64url, then payload and signature; a cut JWT (fewer parts) too.
    Regex::new(r"eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}").expect("static regex")
});
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{6,}").expect("static regex"));
/// API keys with a well-known prefix (Stripe `sk_live_…`, AWS `AKIA…`, GitHub `ghp_…`, Slack `xoxb-…`).
static API_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[sr]k_(?:live|test)_[A-Za-z0-9_]{8,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})")
        .expect("static regex")
});
/// A mainland mobile number not inside a longer run of digits.
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^0-9])(1[3-9][0-9]{9})($|[^0-9])").expect("static regex"));

/// Masks JWTs, bearer credentials and mobile numbers in free text.
pub fn mask_text(text: &str) -> String {
    let mut out = JWT.replace_all(text, "«token»").into_owned();
    out = API_KEY.replace_all(&out, "«token»").into_owned();
    out = BEARER.replace_all(&out, "$1 «token»").into_owned();
    // Adjacent numbers share a separator, so one pass can miss the second: repeat until stable.
    loop {
        let next = MOBILE
            .replace_all(&out, |c: &regex::Captures| {
                format!("{}{}{}", &c[1], mask_phone(&c[2]), &c[3])
            })
            .into_owned();
        if next == out {
            return out;
        }
        out = next;
    }
}

/// `139****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "«phone»".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

pub fn is_mobile(value: &str) -> bool {
    let v = value.trim_start_matches("+86").trim();
    v.len() == 11
        && v.starts_with('1')
        && v.bytes().all(|b| b.is_ascii_digit())
        && matches!(v.as_bytes()[1], b'3'..=b'9')
}

/// Mainland resident ID: 18 characters, digits with an optional final X.
pub fn is_id_card(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
}

/// 12–19 digits (spaces allowed between groups).
pub fn is_bank_card(value: &str) -> bool {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_bearers_and_mobiles_in_text_are_masked() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        let text = format!("token {jwt} for 13912345678; Authorization: Bearer opaque-abc.123");
        let out = mask_text(&text);
        assert_eq!(
            out,
            "token «token» for 139****5678; Authorization: Bearer «token»"
        );
        assert_eq!(
            mask_text("key sk_live_text_body_77aa88bb and AKIAABCDEFGHIJKLMNOP"),
            "key «token» and «token»"
        );
        // A JWT cut in the middle is still a JWT.
        assert_eq!(mask_text("eyJhbGciOiJIUzI1NiJ9.eyJzdW"), "«token»");
    }

    #[test]
    fn numbers_that_only_contain_a_mobile_are_left_alone() {
        for data in [
            "6222021234567890123",
            "prepay_id=wx01103000123456789",
            "订单 2026010613912345678",
            "12345",
        ] {
            assert_eq!(mask_text(data), data);
        }
        assert_eq!(
            mask_text("13912345678,13812345678"),
            "139****5678,138****5678"
        );
    }

    #[test]
    fn shapes_of_cards_and_phones() {
        assert!(is_mobile("13912345678") && is_mobile("+8613912345678"));
        assert!(!is_mobile("12345") && !is_mobile("0571-88888888") && !is_mobile("12912345678"));
        assert!(is_id_card("33010619900101123X") && !is_id_card("123"));
        assert!(is_bank_card("6222 0212 3456 7890") && !is_bank_card("123456"));
    }
}
