//! The column lists of `store/shared/columns.rs` against both migrated databases: a column
//! added to a migration and not to the lists (or the other way round) fails here, on either
//! backend. Needs the PostgreSQL of the integration tests (`TRENDTAP_TEST_DATABASE_URL`, by
//! default `postgres://postgres@127.0.0.1:5432/postgres`).

use sqlx::{Connection, PgConnection};

use super::*;

/// Every table trendtap writes has exactly the columns the lists name.
async fn columns_match_the_migrated_schema(url: String) {
    let mut store = Store::open(&DatabaseUrl::new(url)).await.unwrap();
    store.migrate().await.unwrap();
    for (table, expected) in shared::columns::tables() {
        let mut actual = store.table_columns(table).await;
        actual.sort_unstable();
        assert_eq!(actual, expected, "{table} in {}", store.target());
    }
}

#[tokio::test]
async fn sqlite_columns_match_the_column_lists() {
    let dir = std::env::temp_dir().join(format!("trendtap-columns-{}", std::process::id()));
    let _remove = Cleanup(Some(Box::new({
        let dir = dir.clone();
        move || {
            let _ = std::fs::remove_dir_all(dir);
        }
    })));
    columns_match_the_migrated_schema(format!("sqlite://{}", dir.join("t.db").display())).await;
}

#[tokio::test]
async fn postgres_columns_match_the_column_lists() {
    let admin = std::env::var("TRENDTAP_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("trendtap_columns_{}", std::process::id());
    let drop_db = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let mut conn = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("tests need PostgreSQL at {admin}: {e}"));
    sqlx::raw_sql(&drop_db).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let _drop = Cleanup(Some(Box::new({
        let admin = admin.clone();
        // Drop runs inside the runtime: a thread with its own runtime drops the database.
        move || {
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&admin).await {
                        let _ = sqlx::raw_sql(&drop_db).execute(&mut conn).await;
                    }
                });
            })
            .join();
        }
    })));
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    columns_match_the_migrated_schema(format!("{base}/{name}")).await;
}

/// Runs its function when dropped, even when the test panics.
struct Cleanup(Option<Box<dyn FnOnce()>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(cleanup) = self.0.take() {
            cleanup();
        }
    }
}
