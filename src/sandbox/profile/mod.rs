//! Profiles: which backend the sandbox plays. `clean` answers as the contracts say. `drifted` answers
//! the way a half-finished Express backend does: many drifts at once, each on some endpoints, the rest
//! answered correctly, with an envelope 404 for every route it does not know.
//!
//! A profile is nothing but faults chosen per contract (a deterministic pick from the seed and the
//! contract id), the catch-all, and the id mapping that lets ids answered as numbers come back; what
//! it planted is its [`AnswerKey`].

mod key;

use super::fault::targets::Targets;
use super::fault::{sql_error, Fault, FaultKind};
use crate::catalog::Catalog;
use crate::contract::behaviour::{Action, Behaviour};
use crate::contract::Contract;
use crate::result::CheckKind;
pub use key::{AnswerKey, CatchAll, Planted};
use std::collections::{HashMap, HashSet};

pub use super::routing::UNKNOWN_ROUTE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Answers as the contracts say; unknown routes get Express's own 404 page.
    #[default]
    Clean,
    /// A backend under development that drifted from its contracts.
    Drifted,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown sandbox profile `{given}` (known: clean, drifted)")]
pub struct ParseProfileError {
    pub given: String,
}

impl Profile {
    pub const ALL: &'static [Profile] = &[Profile::Clean, Profile::Drifted];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Clean => "clean",
            Profile::Drifted => "drifted",
        }
    }

    /// One line saying what the profile plays, for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Profile::Clean => "answers as the contracts say",
            Profile::Drifted => {
                "a half-finished backend: 0/1 booleans, money as strings, numeric ids, snake_case \
                 fields, flat pages, unmounted routes behind an envelope 404, SQL errors, an open \
                 write route, a logout that keeps the token"
            }
        }
    }
}

impl Profile {
    /// An Express backend reads `Number(req.body.price)`: a number sent as its text is taken, so the
    /// money it answered as text can be sent back as it came.
    pub(crate) fn reads_numbers_from_text(self) -> bool {
        self == Profile::Drifted
    }
}

impl std::str::FromStr for Profile {
    type Err = ParseProfileError;

    fn from_str(s: &str) -> Result<Profile, ParseProfileError> {
        (Profile::ALL.iter().copied())
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseProfileError { given: s.into() })
    }
}

/// How many endpoints a drift is planted on.
#[derive(Clone, Copy)]
enum Count {
    /// This many (or every one it can act on, when fewer).
    Exactly(usize),
    /// One in this many of those it can act on, and at least one.
    OneIn(usize),
    /// Every one it can act on.
    All,
}

/// The drifted profile's drifts, in the order they are planted: route-level ones first (an endpoint
/// with an unmounted route or a database error shows no other drift), then one data drift per endpoint.
const DRIFTS: [(FaultKind, Count); 9] = [
    (FaultKind::MissingRoute, Count::Exactly(4)),
    (FaultKind::SqlError, Count::Exactly(3)),
    (FaultKind::AuthOff, Count::Exactly(1)),
    (FaultKind::LogoutKeepsToken, Count::All),
    (FaultKind::FlatPagination, Count::OneIn(5)),
    (FaultKind::SnakeCase, Count::OneIn(10)),
    (FaultKind::IdAsNumber, Count::OneIn(10)),
    (FaultKind::MoneyAsString, Count::OneIn(8)),
    (FaultKind::BoolAsInt, Count::OneIn(8)),
];

/// What a profile needs to know of the catalogue.
pub(crate) struct Catalogue<'a> {
    pub catalog: &'a Catalog,
    pub behaviours: &'a HashMap<String, Behaviour>,
    pub targets: &'a HashMap<String, Targets>,
    /// The envelope's data field: answer key places start with it.
    pub data_field: &'a str,
}

/// The faults a profile plants, and its answer key.
pub(crate) fn plant(profile: Profile, seed: u64, cat: &Catalogue) -> (Vec<Fault>, AnswerKey) {
    let mut key = AnswerKey::new(profile, seed);
    if profile == Profile::Clean {
        return (vec![], key);
    }
    key.catch_all = Some(CatchAll::new());
    let mut taken = Taken::default();
    let mut faults = vec![];
    for (kind, count) in DRIFTS {
        let picked = pick(cat, seed, kind, count, &mut taken);
        for c in &picked {
            key.drifts.extend(planted(cat, kind, c));
        }
        if !picked.is_empty() {
            faults.push(Fault {
                kind,
                endpoints: Some(picked.iter().map(|c| c.id.clone()).collect()),
            });
        }
    }
    key.sort();
    (faults, key)
}

/// The contracts a drift is planted on, in the order of their rank, each marked as taken. What a
/// setup fetches from an endpoint that gives no answer is missing: an endpoint with such a setup may
/// be blocked, and would hide a drift of its own, so such an endpoint gets no drift (and an endpoint
/// whose dependents drifted already gives answers).
fn pick<'c>(
    cat: &Catalogue<'c>,
    seed: u64,
    kind: FaultKind,
    count: Count,
    taken: &mut Taken<'c>,
) -> Vec<&'c Contract> {
    let mut ranked: Vec<&Contract> = (cat.catalog.contracts.iter())
        .filter(|c| !taken.spared.contains(c.id.as_str()) && can_act_on(cat, kind, c))
        .collect();
    ranked.sort_by_key(|c| (rank(seed, kind, &c.id), c.id.clone()));
    let wanted = match count {
        Count::Exactly(n) => n,
        Count::OneIn(n) => ranked.len().div_ceil(n),
        Count::All => ranked.len(),
    };
    let answers_nothing = matches!(kind, FaultKind::MissingRoute | FaultKind::SqlError);
    let mut picked = vec![];
    for c in ranked {
        if picked.len() == wanted {
            break;
        }
        let dependents = dependents(cat.catalog, c);
        if taken.spared.contains(c.id.as_str())
            || (answers_nothing && dependents.iter().any(|d| taken.drifted.contains(d)))
        {
            continue;
        }
        taken.spared.insert(&c.id);
        taken.drifted.insert(&c.id);
        if answers_nothing {
            taken.spared.extend(dependents);
        }
        picked.push(c);
    }
    picked
}

/// The contracts no further drift goes to, and those that got one.
#[derive(Default)]
struct Taken<'c> {
    spared: HashSet<&'c str>,
    drifted: HashSet<&'c str>,
}

/// Whether a drift can be planted on a contract: never on one that is not run, nor on the requests a
/// session is made of (the run would stop at login); logout only gets its own drift.
fn can_act_on(cat: &Catalogue, kind: FaultKind, c: &Contract) -> bool {
    let action = cat.behaviours.get(&c.id).map(|b| b.action);
    let logout = action == Some(Action::AuthLogout);
    let session = matches!(
        action,
        Some(
            Action::AuthSendCode
                | Action::AuthRegister
                | Action::AuthLogin
                | Action::AuthLoginWithCode
                | Action::AuthWechatLogin
                | Action::AuthRefresh
        )
    );
    if c.skip.is_some() || session || logout != (kind == FaultKind::LogoutKeepsToken) {
        return false;
    }
    let t = cat.targets.get(&c.id);
    match kind {
        FaultKind::AuthOff => c.needs_auth() && c.method != "GET",
        FaultKind::BoolAsInt => t.is_some_and(|t| !t.booleans.is_empty()),
        FaultKind::MoneyAsString => t.is_some_and(|t| !t.money.is_empty()),
        FaultKind::IdAsNumber => t.is_some_and(|t| !t.ids.is_empty()),
        FaultKind::SnakeCase => t.is_some_and(|t| !t.camel_case.is_empty()),
        FaultKind::FlatPagination => t.is_some_and(|t| t.pagination.is_some()),
        _ => true,
    }
}

/// The contracts whose setup calls this one.
fn dependents<'c>(catalog: &'c Catalog, of: &Contract) -> Vec<&'c str> {
    let calls_it = |step: &crate::scenario::Step| {
        (catalog.contract(&step.endpoint)).is_some_and(|callee| callee.id == of.id)
    };
    (catalog.contracts.iter())
        .filter(|c| c.run.iter().flat_map(|r| &r.setup).any(calls_it))
        .map(|c| c.id.as_str())
        .collect()
}

/// The answer key's entries for one planted drift: one per place for data drifts.
fn planted(cat: &Catalogue, kind: FaultKind, c: &Contract) -> Vec<Planted> {
    let entry = |at: Option<&str>, what: String, check: CheckKind| Planted {
        endpoint: c.id.clone(),
        route: c.plan_spelling(&cat.catalog.plan.prefix),
        drift: kind.name().to_string(),
        at: at.map(|p| format!("/{}{p}", cat.data_field)),
        what,
        check,
    };
    let none = Targets::default();
    let t = cat.targets.get(&c.id).unwrap_or(&none);
    let each = |places: &[String], what: &dyn Fn(&str) -> String| -> Vec<Planted> {
        (places.iter())
            .map(|p| entry(Some(p), what(p), CheckKind::Schema))
            .collect()
    };
    match kind {
        FaultKind::MissingRoute => vec![entry(
            None,
            format!("route not mounted: the catch-all answers 404 `{UNKNOWN_ROUTE}`"),
            CheckKind::RouteNotActivated,
        )],
        FaultKind::SqlError => vec![
            entry(None, sql_error(t), CheckKind::ServerError),
            Planted {
                at: Some("/message".into()),
                ..entry(
                    None,
                    "the database's error text in `message`".into(),
                    CheckKind::Leakage,
                )
            },
        ],
        FaultKind::AuthOff => vec![entry(
            None,
            "write served without a valid token".into(),
            CheckKind::AuthNotEnforced,
        )],
        FaultKind::LogoutKeepsToken => vec![entry(
            None,
            "logout answers success but the token stays valid".into(),
            CheckKind::SessionSecurity,
        )],
        FaultKind::BoolAsInt => each(&t.booleans, &|p| {
            let some = if p.contains('*') {
                " on every other item"
            } else {
                ""
            };
            format!("boolean as 0/1{some}")
        }),
        FaultKind::MoneyAsString => each(&t.money, &|_| "money as a string (\"580.00\")".into()),
        FaultKind::IdAsNumber => each(&t.ids, &|_| "string id as a number".into()),
        FaultKind::SnakeCase => each(&t.camel_case, &|p| {
            let name = p.rsplit('/').next().unwrap_or_default();
            format!("named `{}`", super::fault::targets::snake_case(name))
        }),
        FaultKind::FlatPagination => each(t.pagination.as_slice(), &|_| {
            "flat page {list,total,page,pageSize}, no pagination object".into()
        }),
        _ => vec![],
    }
}

/// A contract's place in the order a drift picks contracts: FNV-1a of the seed, the drift and the id,
/// the same on every machine and every run.
fn rank(seed: u64, kind: FaultKind, id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = (seed.to_le_bytes().into_iter())
        .chain(kind.name().bytes())
        .chain([0])
        .chain(id.bytes());
    for b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests;
