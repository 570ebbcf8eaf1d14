//! Sharding a run over CI jobs (`--partition slice:M/N`, `--partition hash:M/N`, nextest's spellings).
//!
//! Both are stable across machines: `slice` deals the selected endpoint checks and scenarios out in
//! plan order (the Kth goes to shard K mod N), `hash` puts each where the hash of its contract id or
//! scenario name says, so adding one never moves another. Neither depends on memory addresses, the
//! process or the Rust version (the hash is FNV-1a, spelled out below).

use std::fmt;

/// How items are dealt to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    /// Round robin in plan order: even shards for one selection.
    Slice,
    /// By the hash of each item's name: an item stays in its shard whatever else is added.
    Hash,
}

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: PartitionKind,
    pub index: u32,
    pub count: u32,
}

/// A `--partition` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("partition `{given}`: {why} (expected slice:M/N or hash:M/N, 1 ≤ M ≤ N, e.g. hash:1/4)")]
pub struct PartitionError {
    pub given: String,
    pub why: &'static str,
}

impl std::str::FromStr for Partition {
    type Err = PartitionError;

    fn from_str(s: &str) -> Result<Partition, PartitionError> {
        let error = |why| PartitionError {
            given: s.to_string(),
            why,
        };
        let (kind, shard) = s.trim().split_once(':').ok_or(error("no kind"))?;
        let kind = match kind.to_ascii_lowercase().as_str() {
            "slice" | "count" => PartitionKind::Slice,
            "hash" => PartitionKind::Hash,
            _ => return Err(error("unknown kind")),
        };
        let (index, count) = shard.split_once('/').ok_or(error("no M/N"))?;
        let number = |t: &str| {
            t.trim()
                .parse::<u32>()
                .map_err(|_| error("M and N must be numbers"))
        };
        let (index, count) = (number(index)?, number(count)?);
        if count == 0 || index == 0 || index > count {
            return Err(error("M must be between 1 and N"));
        }
        Ok(Partition { kind, index, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PartitionKind::Slice => "slice",
            PartitionKind::Hash => "hash",
        };
        write!(f, "{kind}:{}/{}", self.index, self.count)
    }
}

impl Partition {
    /// Does this shard run the item at `position` (0-based, in plan order over endpoint checks then
    /// scenarios) whose stable name is `key`?
    pub fn includes(&self, position: usize, key: &str) -> bool {
        let count = u64::from(self.count);
        let bucket = match self.kind {
            PartitionKind::Slice => position as u64 % count,
            PartitionKind::Hash => stable_hash(key) % count,
        };
        bucket == u64::from(self.index - 1)
    }
}

/// The key an endpoint check is sharded by.
pub fn endpoint_key(contract_id: &str) -> String {
    format!("endpoint:{contract_id}")
}

/// The key a scenario is sharded by.
pub fn scenario_key(name: &str) -> String {
    format!("scenario:{name}")
}

/// FNV-1a (64 bit) then a final mix (SplitMix64's), so that close names spread over the shards.
fn stable_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Partition {
        s.parse().expect("a partition")
    }

    #[test]
    fn the_nextest_spellings_parse_and_print_back() {
        assert_eq!(
            p("hash:2/4"),
            Partition {
                kind: PartitionKind::Hash,
                index: 2,
                count: 4
            }
        );
        assert_eq!(p("slice:1/3").to_string(), "slice:1/3");
        assert_eq!(p("count:1/3").to_string(), "slice:1/3");
        assert_eq!(p(" HASH:3/3 ").to_string(), "hash:3/3");
    }

    #[test]
    fn a_bad_partition_says_what_is_wrong() {
        for (given, why) in [
            ("hash", "no kind"),
            ("ring:1/2", "unknown kind"),
            ("hash:1", "no M/N"),
            ("hash:a/2", "M and N must be numbers"),
            ("hash:0/2", "M must be between 1 and N"),
            ("slice:3/2", "M must be between 1 and N"),
            ("slice:1/0", "M must be between 1 and N"),
        ] {
            let e = given.parse::<Partition>().expect_err(given);
            assert_eq!(e.why, why, "{given}");
            assert!(e.to_string().contains("hash:1/4"), "{e}");
        }
    }

    #[test]
    fn every_item_is_in_exactly_one_shard() {
        let keys: Vec<String> = (0..200).map(|i| endpoint_key(&format!("m.e{i}"))).collect();
        for kind in ["slice", "hash"] {
            for (position, key) in keys.iter().enumerate() {
                let shards = (1..=4)
                    .filter(|m| p(&format!("{kind}:{m}/4")).includes(position, key))
                    .count();
                assert_eq!(shards, 1, "{kind} {key}");
            }
        }
    }

    #[test]
    fn slices_deal_round_robin_and_hashes_spread() {
        let slice = p("slice:2/3");
        let taken: Vec<usize> = (0..9).filter(|i| slice.includes(*i, "x")).collect();
        assert_eq!(taken, [1, 4, 7]);
        let per_shard: Vec<usize> = (1..=4)
            .map(|m| {
                (0..400)
                    .filter(|i| p(&format!("hash:{m}/4")).includes(0, &format!("k{i}")))
                    .count()
            })
            .collect();
        assert!(
            per_shard.iter().all(|n| (60..=140).contains(n)),
            "{per_shard:?}"
        );
    }

    #[test]
    fn the_hash_is_fixed_across_builds() {
        // Shards written by one machine are merged with another's: the hash must never change.
        // The values come from an independent implementation of FNV-1a + SplitMix64's finaliser.
        for (key, hash) in [
            ("", 0xf52a_15e9_a9b5_e89b_u64),
            ("endpoint:auth.login", 0x2d66_7789_2fa7_b8a3),
            ("endpoint:vehicles.detail", 0x6eda_01dd_a36e_6c43),
            ("scenario:rental-flow", 0xae84_3ab5_ef3b_a2d9),
        ] {
            assert_eq!(stable_hash(key), hash, "{key}");
        }
        assert!(p("hash:2/4").includes(0, "scenario:rental-flow"));
    }
}
