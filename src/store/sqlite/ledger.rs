//! SQLite's side of the quota ledger, the chart memory and the category lists: the
//! statements of `shared::ledger` and `shared::memory` run here, check-and-reserve in a
//! `BEGIN IMMEDIATE` transaction (which takes the database's write lock at once, so a second
//! process waits for the first to book its units). Days are `YYYY-MM-DD` text, times the
//! fixed-width text of [`ts`], booleans 0/1.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::time::ts;
use super::SqliteStore;
use crate::budget::{remaining, Category, ChartMemory, Grant, Reservation, Spender};
use crate::model::ChartKey;
use crate::store::shared::dialect::SQLITE;
use crate::store::shared::error::{query_error, StoreError};
use crate::store::shared::{ledger, memory};

impl SqliteStore {
    /// The ledger's rows of `day` for a key, and when Google said its quota was exhausted.
    pub async fn quota_day(
        &self,
        day: NaiveDate,
        fingerprint: &str,
    ) -> Result<(Vec<Spender>, Option<DateTime<Utc>>), StoreError> {
        let rows = sqlx::query(&ledger::day_rows_sql(&SQLITE))
            .bind(day.to_string())
            .bind(fingerprint)
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("reading the quota ledger"))?;
        let exhausted: Option<String> = sqlx::query_scalar(&ledger::exhausted_at_sql(&SQLITE))
            .bind(day.to_string())
            .bind(fingerprint)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("reading the quota ledger"))?;
        let exhausted = exhausted.and_then(|t| t.parse::<DateTime<Utc>>().ok());
        Ok((rows.iter().map(spender).collect(), exhausted))
    }

    /// Checks and books a reservation atomically (see `shared::ledger`).
    pub async fn reserve_quota(&self, r: &Reservation<'_>) -> Result<Grant, StoreError> {
        let error = query_error("reserving quota");
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(&error)?;
        let rows = sqlx::query(&ledger::day_rows_sql(&SQLITE))
            .bind(r.day.to_string())
            .bind(r.fingerprint)
            .fetch_all(&mut *tx)
            .await
            .map_err(&error)?;
        let spenders: Vec<Spender> = rows.iter().map(spender).collect();
        let remaining = remaining(&spenders, r.limit);
        let granted = ledger::grant(r.wanted, r.minimum, remaining);
        if let Some(units) = granted {
            sqlx::query(&ledger::reserve_sql(&SQLITE))
                .bind(r.day.to_string())
                .bind(r.fingerprint)
                .bind(r.job)
                .bind(r.run_id)
                .bind(to_i64(units))
                .bind(ts(Utc::now()))
                .execute(&mut *tx)
                .await
                .map_err(&error)?;
        }
        tx.commit().await.map_err(&error)?;
        Ok(Grant { granted, remaining })
    }

    /// Settles a run's reservation to the units it spent.
    pub async fn settle_quota(&self, job: &str, run_id: i64, spent: u64) -> Result<(), StoreError> {
        sqlx::query(&ledger::settle_sql(&SQLITE))
            .bind(to_i64(spent))
            .bind(ts(Utc::now()))
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
        sqlx::query(&ledger::exhausted_sql(&SQLITE))
            .bind(day.to_string())
            .bind(fingerprint)
            .bind(ts(Utc::now()))
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
        let rows: Vec<(String, String)> = sqlx::query_as(memory::RECENT_RUNS_SQL_SQLITE)
            .bind(ts(since))
            .fetch_all(&self.pool)
            .await
            .map_err(query_error("reading the recent runs' charts"))?;
        Ok(memory::fold(rows.iter().filter_map(|(t, c)| {
            Some((t.parse::<DateTime<Utc>>().ok()?, c.as_str()))
        })))
    }

    /// A region's stored categories and when they were asked.
    pub async fn video_categories(
        &self,
        region: &str,
    ) -> Result<(Vec<Category>, Option<DateTime<Utc>>), StoreError> {
        let rows = sqlx::query(
            "SELECT category_id, title, assignable, fetched_at FROM video_categories
             WHERE region = ?1 ORDER BY length(category_id), category_id",
        )
        .bind(region)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error("reading the video categories"))?;
        let fetched_at = rows
            .iter()
            .filter_map(|r| {
                r.get::<String, _>("fetched_at")
                    .parse::<DateTime<Utc>>()
                    .ok()
            })
            .min();
        let categories = rows
            .iter()
            .map(|r| Category {
                id: r.get("category_id"),
                title: r.get("title"),
                assignable: r.get::<i64, _>("assignable") != 0,
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
        sqlx::query("DELETE FROM video_categories WHERE region = ?1")
            .bind(region)
            .execute(&mut *tx)
            .await
            .map_err(&error)?;
        let rows: Vec<serde_json::Value> = categories
            .iter()
            .map(|c| serde_json::json!([c.id, c.title, c.assignable]))
            .collect();
        sqlx::query(
            "INSERT INTO video_categories (region, category_id, title, assignable, fetched_at)
             SELECT ?1, value ->> 0, value ->> 1, value ->> 2, ?3 FROM json_each(?2)",
        )
        .bind(region)
        .bind(serde_json::Value::Array(rows).to_string())
        .bind(ts(fetched_at))
        .execute(&mut *tx)
        .await
        .map_err(&error)?;
        tx.commit().await.map_err(&error)
    }
}

fn spender(row: &sqlx::sqlite::SqliteRow) -> Spender {
    let units = |name: &str| u64::try_from(row.get::<i64, _>(name)).unwrap_or(0);
    Spender {
        run_id: row.get("run_id"),
        job: row.get("job"),
        reserved: units("reserved"),
        spent: units("spent"),
        settled: row.get::<i64, _>("settled") != 0,
    }
}

fn to_i64(units: u64) -> i64 {
    i64::try_from(units).unwrap_or(i64::MAX)
}
