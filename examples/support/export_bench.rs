//! The `export` scenario of `examples/bench.rs`: a fresh PostgreSQL database filled with
//! synthetic history by `history_fill` (a month of the full shape by default), then each
//! export format written by the release binary (`trendtap export --out DIR`), against
//! PostgreSQL's own `\copy (the same query) TO file CSV` through `psql` in the same run: one
//! `\copy` per file trendtap writes (per region for the Kaggle layouts, per month for Parquet,
//! once for NDJSON, whose output and `\copy` are counted and discarded rather than stored).
//! Rows per second and peak memory come from the binary's `export finished` log line; the
//! query plans from `EXPLAIN (ANALYZE, BUFFERS)`. `TRENDTAP_BENCH_REUSE=1` skips the fill and
//! exports the database the last run filled.
//!
//! ```text
//! cargo build --release && cargo run --release --example bench -- export [DAYS] [--descriptions]
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Utc};
use sqlx::Connection;
use trendtap::store::{postgres_export_sql, ExportQuery};

use super::history_fill::{self, Shape};

/// What one export measured.
struct Export {
    rows: u64,
    files: u64,
    wall: Duration,
    peak_rss_mb: f64,
    bytes: u64,
}

/// Runs the scenario with `days` of history.
pub async fn run(admin: &str, binary: &Path, days: u32, descriptions: bool) {
    let shape = Shape {
        descriptions,
        ..Shape::days(days)
    };
    let name = "trendtap_export_bench";
    println!(
        "\n## export: {days} days of history ({} chart entries, descriptions {})\n",
        shape.entries(),
        if descriptions { "on" } else { "off" }
    );
    // TRENDTAP_BENCH_REUSE=1: export the history the last run filled.
    let url = if std::env::var_os("TRENDTAP_BENCH_REUSE").is_some() {
        format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
    } else {
        fill(admin, name, &shape).await
    };
    let out = std::env::temp_dir().join("trendtap-export-bench");
    println!("| format | rows | files | trendtap | rows/s | peak RSS | output | `\\copy` CSV, same queries | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for format in ["kaggle", "kaggle-2017", "ndjson", "parquet"] {
        let _ = std::fs::remove_dir_all(&out);
        let e = export(binary, &url, format, &out);
        let _ = std::fs::remove_dir_all(&out);
        let copy = reference_copy(&url, format, &shape, &out);
        let _ = std::fs::remove_dir_all(&out);
        println!(
            "| {format} | {} | {} | {:.2} s | {:.0} | {:.0} MB | {:.0} MB | {:.2} s | {:.2} |",
            e.rows,
            e.files,
            e.wall.as_secs_f64(),
            e.rows as f64 / e.wall.as_secs_f64(),
            e.peak_rss_mb,
            e.bytes as f64 / 1e6,
            copy.as_secs_f64(),
            e.wall.as_secs_f64() / copy.as_secs_f64()
        );
    }
    plans(&url, &shape).await;
}

/// The `export-sqlite` scenario: the same history in a SQLite file (kept in the system's temp
/// directory and reused by `TRENDTAP_BENCH_REUSE=1`), each format exported from it.
pub async fn run_sqlite(binary: &Path, days: u32) {
    let shape = Shape::days(days);
    let db = std::env::temp_dir().join(format!("trendtap-export-bench-{days}.db"));
    let url = format!("sqlite://{}", db.display());
    println!(
        "\n## export from SQLite: {days} days of history ({} chart entries)\n",
        shape.entries()
    );
    if std::env::var_os("TRENDTAP_BENCH_REUSE").is_none() || !db.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let filled = history_fill::fill_url(&url, &shape)
            .await
            .expect("the history fills");
        println!("filled in {:.1} s\n", filled.elapsed.as_secs_f64());
    }
    let out = std::env::temp_dir().join("trendtap-export-bench");
    println!("| format | rows | files | trendtap | rows/s | peak RSS | output |");
    println!("|---|---|---|---|---|---|---|");
    for format in ["kaggle", "kaggle-2017", "ndjson", "parquet"] {
        let _ = std::fs::remove_dir_all(&out);
        let e = export(binary, &url, format, &out);
        let _ = std::fs::remove_dir_all(&out);
        println!(
            "| {format} | {} | {} | {:.2} s | {:.0} | {:.0} MB | {:.0} MB |",
            e.rows,
            e.files,
            e.wall.as_secs_f64(),
            e.rows as f64 / e.wall.as_secs_f64(),
            e.peak_rss_mb,
            e.bytes as f64 / 1e6,
        );
    }
}

/// A fresh database `name` filled with `shape`.
async fn fill(admin: &str, name: &str, shape: &Shape) -> String {
    let url = fresh(admin, name).await;
    let filled = history_fill::fill_postgres(&url, shape)
        .await
        .expect("the history fills");
    println!(
        "filled by COPY in {:.1} s: {} runs, {} videos, {} chart entries ({:.0} entries/s), VACUUM ANALYZE included\n",
        filled.elapsed.as_secs_f64(),
        filled.runs,
        filled.videos,
        filled.entries,
        filled.entries as f64 / filled.elapsed.as_secs_f64()
    );
    url
}

async fn fresh(admin: &str, name: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("PostgreSQL for the benchmark");
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

/// `trendtap export --format FORMAT --out DIR`, timed, its figures from its log.
/// NDJSON goes to stdout and is counted, not stored (a month of it is several GB).
fn export(binary: &Path, url: &str, format: &str, out: &Path) -> Export {
    use std::io::Read;
    let started = Instant::now();
    let mut command = std::process::Command::new(binary);
    command.args(["export", "--format", format]);
    if format != "ndjson" {
        command.arg("--out").arg(out);
    }
    let mut child = command
        .args(["--database-url", url, "-v", "--log-format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        let mut n = 0u64;
        while let Ok(k) = stdout.read(&mut buf) {
            if k == 0 {
                break;
            }
            n += k as u64;
        }
        n
    });
    let output = child.wait_with_output().unwrap();
    let stdout_bytes = counter.join().unwrap();
    let wall = started.elapsed();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "trendtap export failed:\n{log}");
    let line = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["fields"]["message"] == "export finished")
        .unwrap_or_else(|| panic!("no `export finished` line in:\n{log}"));
    let fields = &line["fields"];
    Export {
        rows: fields["rows"].as_u64().unwrap(),
        files: fields["files"].as_u64().unwrap(),
        wall,
        peak_rss_mb: fields["peak_rss_bytes"].as_u64().unwrap() as f64 / 1048576.0,
        bytes: dir_bytes(out) + stdout_bytes,
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                dir_bytes(&path)
            } else {
                std::fs::metadata(&path).map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// The queries trendtap runs for `format`, one per file.
fn queries(format: &str, shape: &Shape) -> Vec<ExportQuery> {
    let all = ExportQuery {
        regions: vec![],
        categories: vec![],
        since: "1970-01-01T00:00:00Z".parse().unwrap(),
        until: "9999-01-01T00:00:00Z".parse().unwrap(),
    };
    match format {
        "kaggle" | "kaggle-2017" => (0..shape.regions)
            .map(|r| ExportQuery {
                regions: vec![trendtap::regions::REGIONS[r].0.to_owned()],
                ..all.clone()
            })
            .collect(),
        "parquet" => months(shape)
            .into_iter()
            .map(|(since, until)| ExportQuery {
                since,
                until,
                ..all.clone()
            })
            .collect(),
        _ => vec![all],
    }
}

/// The months the history spans.
fn months(shape: &Shape) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut month = shape.start.with_day(1).unwrap();
    while month < shape.until().date_naive() {
        let next = month.checked_add_months(chrono::Months::new(1)).unwrap();
        let start = month.and_hms_opt(0, 0, 0).unwrap().and_utc();
        let end = next.and_hms_opt(0, 0, 0).unwrap().and_utc();
        out.push((start, end));
        month = next;
    }
    out
}

/// `psql -f` of one `\copy (query) TO 'file' CSV` per file trendtap writes (JIT off, as in
/// trendtap's sessions); its wall time.
fn reference_copy(url: &str, format: &str, shape: &Shape, out: &Path) -> Duration {
    std::fs::create_dir_all(out).unwrap();
    let script: String = queries(format, shape)
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let sql = postgres_export_sql(q, format.starts_with("kaggle"))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let file: PathBuf = if format == "ndjson" {
                PathBuf::from("/dev/null")
            } else {
                out.join(format!("{i}.csv"))
            };
            format!("\\copy ({sql}) TO '{}' CSV HEADER\n", file.display())
        })
        .collect();
    let script_file = out.join("copy.sql");
    std::fs::write(&script_file, script).unwrap();
    let started = Instant::now();
    // The session settings of trendtap's own (JIT off), so that only the client differs.
    let status = std::process::Command::new("psql")
        .env("PGOPTIONS", "-c jit=off")
        .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(&script_file)
        .status()
        .expect("psql on the PATH");
    let wall = started.elapsed();
    assert!(status.success(), "psql \\copy failed");
    wall
}

/// The plans of one Kaggle file's query and of one Parquet month's.
async fn plans(url: &str, shape: &Shape) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let us = ExportQuery {
        regions: vec!["US".into()],
        ..queries("kaggle", shape)[0].clone()
    };
    for (what, q, daily) in [
        ("one region's Kaggle file (US)", us, true),
        (
            "one month of Parquet",
            queries("parquet", shape).pop().unwrap(),
            false,
        ),
    ] {
        let plan: Vec<String> = sqlx::query_scalar(&format!(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {}",
            postgres_export_sql(&q, daily)
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap();
        println!("\nplan of {what}:\n```\n{}\n```", plan.join("\n"));
    }
}
