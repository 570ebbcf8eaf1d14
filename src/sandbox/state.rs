//! The sandbox's memory: users and tokens, records per collection, counters.

use crate::config::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub phone: String,
    pub password: Option<String>,
    pub nickname: String,
    /// Everyone who registers is a customer; the staff is seeded.
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Record {
    pub key: String,
    /// `None`: a seed or a global record, visible to every user.
    pub owner: Option<String>,
    pub value: Value,
    /// Creation order; lists show the newest first.
    pub seq: u64,
}

pub struct State {
    rng: StdRng,
    seq: u64,
    pub users: Vec<User>,
    /// access token → user id
    pub tokens: HashMap<String, String>,
    /// refresh token → user id
    pub refresh: HashMap<String, String>,
    /// WeChat test code → user id
    pub wechat: HashMap<String, String>,
    pub records: HashMap<String, Vec<Record>>,
    pub counters: HashMap<String, f64>,
    /// (contract id, user id, date) of once-per-day actions done
    pub once: HashSet<(String, String, String)>,
}

impl State {
    pub fn new(seed: u64) -> State {
        State {
            rng: StdRng::seed_from_u64(seed),
            seq: 0,
            users: vec![],
            tokens: HashMap::new(),
            refresh: HashMap::new(),
            wechat: HashMap::new(),
            records: HashMap::new(),
            counters: HashMap::new(),
            once: HashSet::new(),
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn token(&mut self, kind: &str) -> String {
        let n: u64 = self.rng.random();
        let seq = self.next_seq();
        format!("sbx-{kind}-{seq}-{n:016x}")
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_phone(&self, phone: &str) -> Option<&User> {
        self.users.iter().find(|u| u.phone == phone)
    }

    pub fn add_user(&mut self, phone: &str, password: Option<String>) -> User {
        self.add_user_as(phone, password, Role::Customer)
    }

    pub fn add_user_as(&mut self, phone: &str, password: Option<String>, role: Role) -> User {
        let seq = self.next_seq();
        let tail: String = phone
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let user = User {
            id: format!("u_{seq:05}"),
            phone: phone.to_string(),
            password,
            nickname: match role {
                Role::Customer => format!("叨叨用户{tail}"),
                Role::Staff => format!("门店员工{tail}"),
            },
            role,
        };
        self.users.push(user.clone());
        user
    }

    /// Issues an access and a refresh token for a user.
    pub fn issue(&mut self, user_id: &str) -> (String, String) {
        let t = self.token("access");
        let r = self.token("refresh");
        self.tokens.insert(t.clone(), user_id.to_string());
        self.refresh.insert(r.clone(), user_id.to_string());
        (t, r)
    }

    /// A new key shaped like the example's (`ORD202511260001` → `ORD202511260042`).
    pub fn new_key(&mut self, example: Option<&str>) -> String {
        let seq = self.next_seq();
        let example = example.unwrap_or("id_0001");
        let prefix = example.trim_end_matches(|c: char| c.is_ascii_digit());
        let width = (example.len() - prefix.len()).max(4);
        format!("{prefix}{seq:0width$}")
    }
}
