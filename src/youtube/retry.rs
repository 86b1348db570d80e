//! Retry policy: how many attempts, and how long to wait between them. Whether a failure is worth
//! retrying is decided by [`super::error::ApiError::scope`] (beside this file); this module only does the arithmetic.

use std::time::Duration;

/// Attempts and capped exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled for each further one.
    pub base_backoff: Duration,
    /// No wait is longer, Retry-After included.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::DEFAULT
    }
}

impl RetryPolicy {
    /// The defaults: 4 attempts, from 0.5 s doubling, capped at 30 s.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(30),
    };

    /// The wait before attempt `failed_attempts + 1`, given the server's Retry-After if any.
    ///
    /// Exponential (`base * 2^(n-1)`) with "equal jitter" (half fixed, half random) so that many
    /// regions failing together do not retry in lockstep; a Retry-After is honoured when longer.
    /// Both are capped at `max_backoff`.
    pub fn delay(&self, failed_attempts: u32, retry_after: Option<Duration>) -> Duration {
        let exp = failed_attempts.saturating_sub(1).min(20);
        let backoff = self
            .base_backoff
            .saturating_mul(1 << exp)
            .min(self.max_backoff);
        let half = backoff / 2;
        let jittered = half + half.mul_f64(fastrand::f64());
        jittered
            .max(retry_after.unwrap_or_default())
            .min(self.max_backoff)
    }
}

/// Parses a Retry-After header value: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.delay(3, None);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            assert!(p.delay(9, None) <= Duration::from_secs(1));
            assert!(p.delay(u32::MAX, None) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(5),
        };
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(60))),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 10:00:12 GMT", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
