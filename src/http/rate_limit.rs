//! A 429's `Retry-After`: how long the backend asks the client to wait before it sends the request again.

use std::time::Duration;

/// The longest wait a `Retry-After` gets before the request is sent again.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long a `Retry-After` (seconds, or an HTTP date) asks to wait, capped at [`MAX_RETRY_AFTER`];
/// `None` when it says neither.
pub fn retry_wait(header: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let header = header.trim();
    let wait = match header.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(header).ok()?;
            (at.with_timezone(&chrono::Utc) - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date_and_never_more_than_the_cap() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-06T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_wait("5", now), Some(Duration::from_secs(5)));
        assert_eq!(retry_wait(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(retry_wait("3600", now), Some(MAX_RETRY_AFTER));
        assert_eq!(
            retry_wait("Tue, 06 Jan 2026 10:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_wait("Tue, 06 Jan 2026 09:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_wait("soon", now), None);
        assert_eq!(retry_wait("-1", now), None);
    }
}
