//! Where a schema's bounds are, found by asking it: the lowest and highest integer, the shortest and
//! longest text it accepts, searched from a value it accepts. `minimum`, `exclusiveMaximum`,
//! `maxLength` and a pattern such as `^([1-9]|[1-9][0-9]|100)$` are found alike, through `$ref` and
//! `allOf`, without reading them.

use super::{HUGE_NUMBER, LONG_TEXT_CHARS};

/// The lowest and the highest integer accepted, searched from `start` (accepted) out to
/// ±[`HUGE_NUMBER`]; `None` on a side where even that is accepted (no bound there).
pub fn integer_bounds(accepts: &dyn Fn(i64) -> bool, start: i64) -> (Option<i64>, Option<i64>) {
    let lowest = (!accepts(-HUGE_NUMBER)).then(|| edge(accepts, start, -HUGE_NUMBER));
    let highest = (!accepts(HUGE_NUMBER)).then(|| edge(accepts, start, HUGE_NUMBER));
    (lowest, highest)
}

/// The shortest and the longest text accepted, searched from a length `start` (accepted) down to 0 and
/// up to [`LONG_TEXT_CHARS`]; `None` on a side where that is accepted.
pub fn length_bounds(
    accepts: &dyn Fn(usize) -> bool,
    start: usize,
) -> (Option<usize>, Option<usize>) {
    // Lengths are small enough to search as integers.
    let accepts_len = |n: i64| usize::try_from(n).is_ok_and(accepts);
    let start = start as i64;
    let far = LONG_TEXT_CHARS as i64;
    let shortest = (!accepts_len(0)).then(|| edge(&accepts_len, start, 0) as usize);
    let longest =
        (start < far && !accepts_len(far)).then(|| edge(&accepts_len, start, far) as usize);
    (shortest, longest)
}

/// The last accepted value on the way from `accepted` to `refused` (either side of it), by halving.
fn edge(accepts: &dyn Fn(i64) -> bool, accepted: i64, refused: i64) -> i64 {
    let (mut good, mut bad) = (accepted, refused);
    while (bad - good).abs() > 1 {
        let mid = good + (bad - good) / 2;
        if accepts(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// `valid` cut or repeated to `chars` characters, so it keeps its kind of characters (digits stay
/// digits for a pattern); `x`s when it is empty.
pub fn text_of_len(valid: &str, chars: usize) -> String {
    if valid.is_empty() {
        return "x".repeat(chars);
    }
    valid.chars().cycle().take(chars).collect()
}

/// The integer a valid value stands for, when it is one (text such as `"29.6050"` counts as 29).
pub fn integer_of(text: &str) -> Option<i64> {
    let text = text.trim();
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.abs() < HUGE_NUMBER as f64)
            .map(|f| f.trunc() as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_bounds_are_found_whatever_says_them() {
        let minimum_one = |n: i64| n >= 1;
        assert_eq!(integer_bounds(&minimum_one, 3), (Some(1), None));
        // `^([1-9]|[1-9][0-9]|100)$`
        let pattern = |n: i64| (1..=100).contains(&n);
        assert_eq!(integer_bounds(&pattern, 10), (Some(1), Some(100)));
        let latitude = |n: i64| (-90..=90).contains(&n);
        assert_eq!(integer_bounds(&latitude, 29), (Some(-90), Some(90)));
        assert_eq!(integer_bounds(&|_| true, 0), (None, None));
    }

    #[test]
    fn length_bounds_are_found_from_the_valid_length() {
        let between = |n: usize| (6..=20).contains(&n);
        assert_eq!(length_bounds(&between, 8), (Some(6), Some(20)));
        let not_empty = |n: usize| n >= 1;
        assert_eq!(length_bounds(&not_empty, 5), (Some(1), None));
        assert_eq!(length_bounds(&|_| true, 5), (None, None));
        // A phone number: eleven digits exactly.
        assert_eq!(length_bounds(&|n| n == 11, 11), (Some(11), Some(11)));
    }

    #[test]
    fn text_keeps_its_kind_of_characters() {
        assert_eq!(text_of_len("123", 7), "1231231");
        assert_eq!(text_of_len("房车", 3), "房车房");
        assert_eq!(text_of_len("abc", 2), "ab");
        assert_eq!(text_of_len("", 2), "xx");
        assert_eq!(integer_of("20"), Some(20));
        assert_eq!(integer_of("29.6050"), Some(29));
        assert_eq!(integer_of("-5"), Some(-5));
        assert_eq!(integer_of("abc"), None);
        assert_eq!(integer_of("1e400"), None);
    }
}
