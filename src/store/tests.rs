//! The column lists of [`shared::columns`] against both migrated databases: a column added to a
//! migration and not to the lists (or the other way round) fails here, on either backend.
//! Needs the PostgreSQL of the integration tests (`TRENDTAP_TEST_DATABASE_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

use sqlx::{Connection, PgConnection};

use super::*;

/// Every table trendtap writes has exactly the columns the lists name.
async fn columns_match_the_migrated_schema(store: &mut Store) {
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
    let url = format!("sqlite://{}", dir.join("trendtap.db").display());
    let mut store = Store::open(&DatabaseUrl::new(url)).await.unwrap();
    columns_match_the_migrated_schema(&mut store).await;
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn postgres_columns_match_the_column_lists() {
    let admin = std::env::var("TRENDTAP_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("trendtap_columns_{}", std::process::id());
    let mut conn = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("tests need PostgreSQL at {admin}: {e}"));
    let drop_db = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::raw_sql(&drop_db).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    let mut store = Store::open(&DatabaseUrl::new(format!("{base}/{name}")))
        .await
        .unwrap();
    columns_match_the_migrated_schema(&mut store).await;
    drop(store);
    sqlx::raw_sql(&drop_db).execute(&mut conn).await.unwrap();
}
