//! The store's error type, and the two conversions every backend makes the same way: a failed
//! statement named by what trendtap was doing, and a number widened (never wrapped) to the
//! integer type of its column.

/// A database failure. Messages name what was being done and where (never the password).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database at {target}: {cause}")]
    Connect {
        /// Host, port and database, or the SQLite file (no user, no password).
        target: String,
        /// What went wrong.
        cause: String,
    },
    /// Migrations failed.
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database error while {what}: {source}")]
    Query {
        /// What trendtap was doing.
        what: &'static str,
        /// sqlx's error.
        source: sqlx::Error,
    },
    /// The connection holding the run lock was lost mid-run: another run may have taken the
    /// lock, so the run is not committed.
    #[error("the connection holding the run lock was lost mid-run ({cause}): another run may have started, so nothing of this run was stored")]
    LockLost {
        /// What the lock's check met.
        cause: String,
    },
    /// A number does not fit its column (a count or a rank beyond the column's integer type).
    #[error("cannot store {what}: {value} is out of the column's range")]
    OutOfRange {
        /// What the number is.
        what: &'static str,
        /// The number.
        value: u64,
    },
}

/// Maps a failed statement to [`StoreError::Query`], naming what was being done.
pub(crate) fn query_error(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError + Copy {
    move |source| StoreError::Query { what, source }
}

/// A count as both databases store counts (64-bit signed): lossless, or an error.
pub(crate) fn int8(
    what: &'static str,
    n: impl TryInto<i64> + TryInto<u64> + Copy,
) -> Result<i64, StoreError> {
    n.try_into().map_err(|_| out_of_range(what, n))
}

/// A rank or a count for an `integer` (32-bit) column: lossless, or an error.
pub(crate) fn int4(what: &'static str, n: u32) -> Result<i32, StoreError> {
    i32::try_from(n).map_err(|_| StoreError::OutOfRange {
        what,
        value: u64::from(n),
    })
}

fn out_of_range(what: &'static str, n: impl TryInto<u64>) -> StoreError {
    StoreError::OutOfRange {
        what,
        value: n.try_into().unwrap_or(u64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_widened_or_refused_never_wrapped() {
        assert_eq!(int8("requests", 7u64).unwrap(), 7);
        assert_eq!(int8("videos", i64::MAX as u64).unwrap(), i64::MAX);
        let err = int8("requests", u64::MAX).unwrap_err().to_string();
        assert!(
            err.contains("requests") && err.contains(&u64::MAX.to_string()),
            "{err}"
        );
        assert_eq!(int4("rank", 200).unwrap(), 200);
        assert!(int4("rank", u32::MAX).is_err());
    }
}
