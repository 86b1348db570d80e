//! Timestamps in SQLite: UTC text in RFC 3339 with microseconds, fixed width, so that text order
//! is time order (the rules and the indexes compare them as text).

use chrono::{DateTime, Utc};

/// `2026-11-22T06:00:00.000000Z`.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
