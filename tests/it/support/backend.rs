//! Both storage backends behind one test handle: a fresh PostgreSQL database or a fresh SQLite
//! file, with SQL helpers that read either the same way (through sqlx's Any driver).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use trendtap::model::{Chart, MergedVideo};
use trendtap::secret::DatabaseUrl;
use trendtap::store::{RunSummary, Store, StoreError};

use super::TestDb;

/// Which backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The real PostgreSQL server.
    Postgres,
    /// A SQLite file in a temporary directory.
    Sqlite,
}

/// A fresh, empty database of either kind.
pub struct TestStore {
    /// The backend.
    pub kind: Kind,
    /// The URL to give trendtap.
    pub url: String,
    _pg: Option<TestDb>,
    dir: Option<PathBuf>,
}

impl TestStore {
    /// Creates an empty database.
    pub async fn new(kind: Kind) -> Self {
        sqlx::any::install_default_drivers();
        match kind {
            Kind::Postgres => {
                let db = TestDb::new().await;
                TestStore {
                    kind,
                    url: db.url.clone(),
                    _pg: Some(db),
                    dir: None,
                }
            }
            Kind::Sqlite => {
                let dir = temp_dir("sqlite");
                TestStore {
                    kind,
                    url: format!("sqlite://{}", dir.join("trendtap.db").display()),
                    _pg: None,
                    dir: Some(dir),
                }
            }
        }
    }

    /// Opens it through trendtap's store (migrated, not locked).
    pub async fn open(&self) -> Store {
        let mut store = Store::open(&DatabaseUrl::new(self.url.clone()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        store
    }

    /// A pool for assertions.
    pub async fn any(&self) -> AnyPool {
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.url)
            .await
            .unwrap()
    }

    /// An SQL expression giving a timestamp column as `YYYY-MM-DDTHH:MM:SS.ffffffZ` text.
    pub fn ts(&self, column: &str) -> String {
        match self.kind {
            Kind::Postgres => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            Kind::Sqlite => column.to_owned(),
        }
    }

    /// An SQL expression giving an array or JSON column as JSON text.
    pub fn json(&self, column: &str) -> String {
        match self.kind {
            Kind::Postgres => format!("to_jsonb({column})::text"),
            Kind::Sqlite => column.to_owned(),
        }
    }

    /// `SELECT count(*) FROM table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.int(&format!("SELECT count(*) FROM {table}"))
            .await
            .unwrap()
    }

    /// The first column of the first row, as an integer (None for NULL).
    pub async fn int(&self, sql: &str) -> Option<i64> {
        let row = sqlx::query(sql).fetch_one(&self.any().await).await.unwrap();
        row.try_get::<Option<i64>, _>(0)
            .or_else(|_| row.try_get::<Option<i32>, _>(0).map(|v| v.map(i64::from)))
            .unwrap()
    }

    /// The first column of the first row, as text (None for NULL).
    pub async fn text(&self, sql: &str) -> Option<String> {
        let row = sqlx::query(sql).fetch_one(&self.any().await).await.unwrap();
        row.try_get::<Option<String>, _>(0).unwrap()
    }

    /// The first column of every row, as text.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        let rows = sqlx::query(sql).fetch_all(&self.any().await).await.unwrap();
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .collect()
    }

    /// The first column of every row, as integers.
    pub async fn ints(&self, sql: &str) -> Vec<i64> {
        let rows = sqlx::query(sql).fetch_all(&self.any().await).await.unwrap();
        rows.iter()
            .map(|r| r.try_get::<i64, _>(0).unwrap())
            .collect()
    }

    /// Every row of `table` as JSON text without the `exclude`d columns, ordered by `order_by`:
    /// for comparing whole tables between two databases of the same kind.
    pub async fn dump(&self, table: &str, exclude: &[&str], order_by: &str) -> Vec<String> {
        let sql = match self.kind {
            Kind::Postgres => {
                let minus: String = exclude.iter().map(|c| format!(" - '{c}'")).collect();
                format!("SELECT (to_jsonb(t){minus})::text FROM {table} t ORDER BY {order_by}")
            }
            Kind::Sqlite => {
                let columns = self
                    .texts(&format!(
                        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                    ))
                    .await;
                let pairs: Vec<String> = columns
                    .iter()
                    .filter(|c| !exclude.contains(&c.as_str()))
                    .map(|c| format!("'{c}', {c}"))
                    .collect();
                format!(
                    "SELECT json_object({}) FROM {table} ORDER BY {order_by}",
                    pairs.join(", ")
                )
            }
        };
        self.texts(&sql).await
    }

    /// Runs statements (DDL in tests).
    pub async fn execute(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(&self.any().await).await.unwrap();
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Stores run `run_id` in one transaction, every chart handed over at its end: the run writer
/// with nothing added before `finish`.
pub async fn save_run(
    store: &Store,
    run_id: i64,
    seen_at: DateTime<Utc>,
    charts: &[Chart],
    merged: &[MergedVideo<'_>],
    summary: &RunSummary<'_>,
) -> Result<(), StoreError> {
    store
        .begin_writes(run_id, seen_at)
        .finish(charts, merged, summary)
        .await
}

/// A new empty directory under the system's temporary directory.
pub fn temp_dir(what: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "trendtap-{what}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs an async test function once per backend: `both!(name)` defines `name::postgres` and
/// `name::sqlite` calling `name(Kind::...)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                super::$name($crate::support::backend::Kind::Postgres).await
            }
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                super::$name($crate::support::backend::Kind::Sqlite).await
            }
        }
    )*};
}
