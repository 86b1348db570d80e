//! The quota ledger's rules, stated once; each backend runs these statements in its dialect
//! (parameters from [`Dialect`]) inside its own critical section: PostgreSQL takes a
//! transaction-scoped advisory lock ([`LEDGER_LOCK_KEY`]), SQLite a `BEGIN IMMEDIATE`
//! transaction (the database's one writer).
//!
//! - A unit belongs to the Pacific day of the run's reservation (`budget::day_of`).
//! - Check-and-reserve is atomic: the day's rows are summed and the new reservation written in
//!   the same critical section, so two processes cannot both be granted the last units.
//! - A reservation counts until its run settles it with the units actually spent. A run (fetch
//!   or refresh) that is no longer `running` and never settled (its process died) counts its
//!   whole reservation as spent ([`day_rows_sql`]).
//! - Exhaustion is one row per day and key; the first report wins.

use super::dialect::Dialect;

/// The advisory lock around PostgreSQL's check-and-reserve: "quota" in ASCII.
pub(crate) const LEDGER_LOCK_KEY: i64 = 0x71_756f_7461;

/// The day's rows for one key: `run_id, job, reserved, spent, settled`. A row counts as settled
/// once its run settled it, or when its run ended without settling (a crash); until it is
/// settled by its run, its `spent` is at least its reservation.
pub(crate) fn day_rows_sql(d: &Dialect) -> String {
    format!(
        "SELECT l.run_id, l.job, l.reserved,
                CASE WHEN l.settled_at IS NULL THEN {greatest}(l.spent, l.reserved) ELSE l.spent END AS spent,
                (l.settled_at IS NOT NULL OR coalesce(r.status, f.status, 'abandoned') <> 'running') AS settled
         FROM quota_ledger l
         LEFT JOIN runs r ON l.job = 'fetch' AND r.run_id = l.run_id
         LEFT JOIN refresh_runs f ON l.job = 'refresh' AND f.refresh_id = l.run_id
         WHERE l.day = {} AND l.key_fingerprint = {}
         ORDER BY l.reserved_at, l.run_id",
        (d.param)(1),
        (d.param)(2),
        greatest = d.greatest,
    )
}

/// Adds `reserved` units to a run's reservation (a run may reserve more than once: the
/// category lists, then the charts).
pub(crate) fn reserve_sql(d: &Dialect) -> String {
    let p = d.param;
    format!(
        "INSERT INTO quota_ledger (day, key_fingerprint, job, run_id, reserved, spent, reserved_at)
         VALUES ({}, {}, {}, {}, {}, 0, {})
         ON CONFLICT (day, key_fingerprint, job, run_id)
         DO UPDATE SET reserved = quota_ledger.reserved + excluded.reserved",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6)
    )
}

/// Settles a run's rows: what it spent, now.
pub(crate) fn settle_sql(d: &Dialect) -> String {
    let p = d.param;
    format!(
        "UPDATE quota_ledger SET spent = {}, settled_at = {}
         WHERE job = {} AND run_id = {}",
        p(1),
        p(2),
        p(3),
        p(4)
    )
}

/// Records that Google said the day's quota is exhausted.
pub(crate) fn exhausted_sql(d: &Dialect) -> String {
    let p = d.param;
    format!(
        "INSERT INTO quota_exhausted (day, key_fingerprint, exhausted_at, reason)
         VALUES ({}, {}, {}, {}) ON CONFLICT (day, key_fingerprint) DO NOTHING",
        p(1),
        p(2),
        p(3),
        p(4)
    )
}

/// When Google said the day's quota was exhausted, if it did.
pub(crate) fn exhausted_at_sql(d: &Dialect) -> String {
    format!(
        "SELECT exhausted_at FROM quota_exhausted WHERE day = {} AND key_fingerprint = {}",
        (d.param)(1),
        (d.param)(2)
    )
}

/// How many units a reservation gets: all it wants when they are left, else as many as are left
/// when that reaches its minimum; `None` when it is refused.
pub(crate) fn grant(wanted: u64, minimum: u64, remaining: u64) -> Option<u64> {
    let granted = wanted.min(remaining);
    (granted >= minimum).then_some(granted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::shared::dialect::{POSTGRES, SQLITE};

    #[test]
    fn a_reservation_gets_what_it_wants_or_what_is_left_down_to_its_minimum() {
        assert_eq!(grant(10, 10, 50), Some(10));
        assert_eq!(grant(10, 10, 9), None);
        assert_eq!(grant(10, 1, 9), Some(9));
        assert_eq!(grant(10, 1, 0), None);
        assert_eq!(grant(0, 0, 0), Some(0));
    }

    #[test]
    fn both_dialects_number_their_parameters() {
        assert!(reserve_sql(&POSTGRES).contains("$6"));
        assert!(reserve_sql(&SQLITE).contains("?6"));
        assert!(day_rows_sql(&SQLITE).contains("?2"));
    }
}
