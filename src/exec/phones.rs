//! The run's test accounts as the leakage check needs them: each account's phone and the tokens it
//! was issued, whatever the scope of its session (the run's, a scenario's, a check's own).

use std::sync::Mutex;

/// The phones of every test account the run logged in, with the tokens each was issued: the leakage
/// check tells another account's phone in an answer from the caller's own, whichever way the
/// caller's token was sent.
#[derive(Default)]
pub struct AccountPhones(Mutex<Vec<(String, String)>>);

impl AccountPhones {
    /// `token` was issued to the account with this phone.
    pub fn add(&self, phone: &str, token: &str) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !phone.is_empty() {
            all.push((phone.to_string(), token.to_string()));
        }
    }

    /// Every account's phone, once each.
    pub fn all(&self) -> Vec<String> {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut phones: Vec<String> = vec![];
        for (phone, _) in all.iter() {
            if !phones.contains(phone) {
                phones.push(phone.clone());
            }
        }
        phones
    }

    /// The phone of the account a token was issued to.
    pub fn owner_of(&self, token: &str) -> Option<String> {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (all.iter().find(|(_, t)| t == token)).map(|(p, _)| p.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_account_and_each_phone_is_listed_once() {
        let phones = AccountPhones::default();
        phones.add("19900000001", "t1");
        phones.add("19900000001", "t1-refreshed");
        phones.add("19900000002", "t2");
        phones.add("", "nobody's");
        assert_eq!(phones.all(), ["19900000001", "19900000002"]);
        assert_eq!(
            phones.owner_of("t1-refreshed").as_deref(),
            Some("19900000001")
        );
        assert_eq!(phones.owner_of("nobody's"), None);
    }
}
