//! PostgreSQL's side of the quota ledger, the chart memory and the category lists: the
//! statements of `shared::ledger` and `shared::memory` run here, check-and-reserve under a
//! transaction-scoped advisory lock.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::PgStore;
use crate::budget::{remaining, Category, ChartMemory, Grant, Reservation, Spender};
use crate::model::ChartKey;
use crate::store::shared::dialect::POSTGRES;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::{ledger, memory};

impl PgStore {
    /// The ledger's rows of `day` for a key, and when Google said its quota was exhausted.
    pub async fn quota_day(
        &self,
        day: NaiveDate,
        fingerprint: &str,
    ) -> Result<(Vec<Spender>, Option<DateTime<Utc>>), StoreError> {
        let rows = sqlx::query(&ledger::day_rows_sql(&POSTGRES))
            .bind(day)
            .bind(fingerprint)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("reading the quota ledger"))?;
        let exhausted = sqlx::query_scalar(&ledger::exhausted_at_sql(&POSTGRES))
            .bind(day)
            .bind(fingerprint)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading the quota ledger"))?;
        Ok((rows.iter().map(spender).collect(), exhausted))
    }

    /// Checks and books a reservation atomically (see `shared::ledger`).
    pub async fn reserve_quota(&self, r: &Reservation<'_>) -> Result<Grant, StoreError> {
        let error = query_error("reserving quota");
        let mut tx = self.pool.begin().await.map_err(&error)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(ledger::LEDGER_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(&error)?;
        let rows = sqlx::query(&ledger::day_rows_sql(&POSTGRES))
            .bind(r.day)
            .bind(r.fingerprint)
            .fetch_all(&mut *tx)
            .await
            .map_err(&error)?;
        let spenders: Vec<Spender> = rows.iter().map(spender).collect();
        let remaining = remaining(&spenders, r.limit);
        let granted = ledger::grant(r.wanted, r.minimum, remaining);
        if let Some(units) = granted {
            sqlx::query(&ledger::reserve_sql(&POSTGRES))
                .bind(r.day)
                .bind(r.fingerprint)
                .bind(r.job)
                .bind(r.run_id)
                .bind(to_i64(units))
                .bind(Utc::now())
                .execute(&mut *tx)
                .await
                .map_err(&error)?;
        }
        tx.commit().await.map_err(&error)?;
        Ok(Grant { granted, remaining })
    }

    /// Settles a run's reservation to the units it spent.
    pub async fn settle_quota(&self, job: &str, run_id: i64, spent: u64) -> Result<(), StoreError> {
        sqlx::query(&ledger::settle_sql(&POSTGRES))
            .bind(to_i64(spent))
            .bind(Utc::now())
            .bind(job)
            .bind(run_id)
            .execute(&self.pool)
            .await
            .map_err(query_error("settling the run's quota"))?;
        Ok(())
    }

    /// Remembers that Google said the day's quota is exhausted.
    pub async fn mark_exhausted(
        &self,
        day: NaiveDate,
        fingerprint: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(&ledger::exhausted_sql(&POSTGRES))
            .bind(day)
            .bind(fingerprint)
            .bind(Utc::now())
            .bind(reason)
            .execute(&self.pool)
            .await
            .map_err(query_error("recording the exhausted quota"))?;
        Ok(())
    }

    /// What the runs started since `since` say of each chart.
    pub async fn chart_memory(
        &self,
        since: DateTime<Utc>,
    ) -> Result<HashMap<ChartKey, ChartMemory>, StoreError> {
        let rows: Vec<(DateTime<Utc>, String)> = sqlx::query_as(memory::RECENT_RUNS_SQL_PG)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("reading the recent runs' charts"))?;
        Ok(memory::fold(rows.iter().map(|(t, c)| (*t, c.as_str()))))
    }

    /// A region's stored categories and when they were asked.
    pub async fn video_categories(
        &self,
        region: &str,
    ) -> Result<(Vec<Category>, Option<DateTime<Utc>>), StoreError> {
        let rows = sqlx::query(
            "SELECT category_id, title, assignable, fetched_at FROM video_categories
             WHERE region = $1 ORDER BY length(category_id), category_id",
        )
        .bind(region)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error("reading the video categories"))?;
        let fetched_at = rows.iter().map(|r| r.get("fetched_at")).min();
        let categories = rows
            .iter()
            .map(|r| Category {
                id: r.get("category_id"),
                title: r.get("title"),
                assignable: r.get("assignable"),
            })
            .collect();
        Ok((categories, fetched_at))
    }

    /// Replaces a region's categories with the list the API just gave.
    pub async fn save_video_categories(
        &self,
        region: &str,
        categories: &[Category],
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let error = query_error("saving the video categories");
        let mut tx = self.pool.begin().await.map_err(&error)?;
        sqlx::query("DELETE FROM video_categories WHERE region = $1")
            .bind(region)
            .execute(&mut *tx)
            .await
            .map_err(&error)?;
        let ids: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
        let titles: Vec<&str> = categories.iter().map(|c| c.title.as_str()).collect();
        let assignable: Vec<bool> = categories.iter().map(|c| c.assignable).collect();
        sqlx::query(
            "INSERT INTO video_categories (region, category_id, title, assignable, fetched_at)
             SELECT $1, * , $5 FROM UNNEST($2::text[], $3::text[], $4::bool[])",
        )
        .bind(region)
        .bind(&ids)
        .bind(&titles)
        .bind(&assignable)
        .bind(fetched_at)
        .execute(&mut *tx)
        .await
        .map_err(&error)?;
        tx.commit().await.map_err(&error)
    }
}

fn spender(row: &sqlx::postgres::PgRow) -> Spender {
    let units = |name: &str| u64::try_from(row.get::<i64, _>(name)).unwrap_or(0);
    Spender {
        run_id: row.get("run_id"),
        job: row.get("job"),
        reserved: units("reserved"),
        spent: units("spent"),
        settled: row.get("settled"),
    }
}

fn to_i64(units: u64) -> i64 {
    i64::try_from(units).unwrap_or(i64::MAX)
}
