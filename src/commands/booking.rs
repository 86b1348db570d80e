//! Not a subcommand: the quota ledger as the commands that spend quota (fetch, refresh) use it.
//! A run books its estimate before its first request ([`Booking::reserve`]) and settles it to
//! the requests it sent when it ends ([`Booking::settle`]), remembering an exhausted quota.

use chrono::{DateTime, NaiveDate, Utc};

use crate::budget::{self, Budget, Grant, Reservation, Usage};
use crate::error::{Error, Halt};
use crate::secret::ApiKey;
use crate::store::Store;

/// A run's line in the ledger.
#[derive(Debug, Clone)]
pub struct Booking {
    /// The Pacific day.
    pub day: NaiveDate,
    /// The key's fingerprint.
    pub fingerprint: String,
    /// The job, as the ledger names it (`fetch`, `refresh`, `refresh-dry-run`).
    pub job: &'static str,
    /// The run (`runs.run_id`, `refresh_runs.refresh_id`, or a dry run's time).
    pub run_id: i64,
}

impl Booking {
    /// The booking of run `run_id` of `job`, started at `now`, with `key`.
    pub fn new(job: &'static str, run_id: i64, key: &ApiKey, now: DateTime<Utc>) -> Self {
        Booking {
            day: budget::day_of(now),
            fingerprint: budget::fingerprint(key),
            job,
            run_id,
        }
    }

    /// When Google said today that the key's quota is exhausted, if it did.
    pub async fn exhausted_at(&self, store: &Store) -> Result<Option<DateTime<Utc>>, Error> {
        Ok(store.quota_day(self.day, &self.fingerprint).await?.1)
    }

    /// Books `wanted` units (at least `minimum`) within `budget`.
    pub async fn reserve(
        &self,
        store: &Store,
        budget: &Budget,
        wanted: u64,
        minimum: u64,
    ) -> Result<Grant, Error> {
        let grant = store
            .reserve_quota(&Reservation {
                day: self.day,
                fingerprint: &self.fingerprint,
                job: self.job,
                run_id: self.run_id,
                wanted,
                minimum,
                limit: budget.limit(),
            })
            .await?;
        tracing::info!(wanted, granted = ?grant.granted, remaining = grant.remaining, "quota reservation");
        Ok(grant)
    }

    /// Settles the booking to the units spent, remembers an exhausted quota, and reads the
    /// day's figures back. A ledger failure is logged, not fatal: the run's data is stored.
    pub async fn settle(
        &self,
        store: &Store,
        budget: &Budget,
        spent: u64,
        halt: Option<Halt>,
    ) -> Option<Usage> {
        let result = async {
            store.settle_quota(self.job, self.run_id, spent).await?;
            if halt == Some(Halt::Quota) {
                store
                    .mark_exhausted(self.day, &self.fingerprint, "quotaExceeded")
                    .await?;
            }
            super::quota::today(store, budget, &self.fingerprint, Utc::now()).await
        }
        .await;
        match result {
            Ok(usage) => Some(usage),
            Err(e) => {
                tracing::error!("cannot settle the run's quota in the ledger: {e}");
                None
            }
        }
    }
}
