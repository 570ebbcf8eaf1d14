//! What a field's name says about its value. The list is documented in the README; a value under such a
//! key is masked even when the run never saw it (a backend echoing another user's phone, a token under
//! `jwt`). Keys that are data (`code` of a city or a coupon) are not secrets: only the auth contracts'
//! request `code` is an SMS code, and the caller says when a body is one of those.

use super::SecretKind;

/// The kind a key names, if any. Phones, ID cards and bank cards are masked only when the value has
/// their shape (see `shape.rs`): an invalid value sent on purpose stays readable.
pub fn kind_of(key: &str, code_is_sms: bool) -> Option<SecretKind> {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let has = |part: &str| k.contains(part);
    if has("token")
        || k == "jwt"
        || k == "authorization"
        || k == "paysign"
        || has("secret")
        || has("apikey")
        || has("accesskey")
    {
        Some(SecretKind::Token)
    } else if has("password") || k == "pwd" || k == "passwd" || k == "passcode" {
        Some(SecretKind::Password)
    } else if k == "smscode"
        || (has("verif") && has("code"))
        || k == "captcha"
        || (code_is_sms && k == "code")
    {
        Some(SecretKind::SmsCode)
    } else if has("phone") || has("mobile") || k == "tel" || k == "telephone" {
        Some(SecretKind::Phone)
    } else if has("idcard") || k == "idno" || k == "identitycard" {
        Some(SecretKind::IdCard)
    } else if has("bankcard") || k == "cardno" || k == "bankaccount" {
        Some(SecretKind::BankCard)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_in_every_spelling_are_known() {
        for (key, kind) in [
            ("token", SecretKind::Token),
            ("refreshToken", SecretKind::Token),
            ("access_token", SecretKind::Token),
            ("jwt", SecretKind::Token),
            ("appSecret", SecretKind::Token),
            ("paySign", SecretKind::Token),
            ("password", SecretKind::Password),
            ("newPassword", SecretKind::Password),
            ("pwd", SecretKind::Password),
            ("passwd", SecretKind::Password),
            ("smsCode", SecretKind::SmsCode),
            ("verificationCode", SecretKind::SmsCode),
            ("verify_code", SecretKind::SmsCode),
            ("phone", SecretKind::Phone),
            ("contactPhone", SecretKind::Phone),
            ("mobilePhone", SecretKind::Phone),
            ("emergencyPhone", SecretKind::Phone),
            ("mobile", SecretKind::Phone),
            ("tel", SecretKind::Phone),
            ("idCard", SecretKind::IdCard),
            ("id_card", SecretKind::IdCard),
            ("bankCard", SecretKind::BankCard),
        ] {
            assert_eq!(kind_of(key, false), Some(kind), "{key}");
        }
    }

    #[test]
    fn data_keys_are_not_secrets() {
        for key in [
            "code",
            "cityCode",
            "couponCode",
            "id",
            "name",
            "status",
            "telling",
            "hotel",
        ] {
            assert_eq!(kind_of(key, false), None, "{key}");
        }
        assert_eq!(kind_of("code", true), Some(SecretKind::SmsCode));
    }
}
