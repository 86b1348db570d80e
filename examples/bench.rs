//! trendtap's benchmark: the whole `fetch` (the real `commands::fetch::execute`) against a fake YouTube on
//! loopback with configurable latency, regions, categories, pages and overlap between regions,
//! into a real PostgreSQL and the embedded SQLite. BENCHMARKS.md has the figures and how to read
//! them.
//!
//! ```text
//! cargo build --release                                     # the binary under test
//! cargo run --release --example bench                      # every scenario
//! cargo run --release --example bench -- cpu               # one: bandwidth cpu lang sweep throughput latency scaling
//! cargo run --release --example bench -- report            # not in "all": a month of history, both stores
//! cargo run --release --example bench -- report-year       # a year of history, PostgreSQL
//! cargo run --release --example bench -- export [DAYS] [--descriptions]   # not in "all": minutes
//! TRENDTAP_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres  (the default)
//! TRENDTAP_BENCH_LOG=1                                      # print the binary's JSON log
//! ```
//!
//! The `cpu` scenario runs the CPU stages alone, in this process, on the same pages; `lang`
//! times title language detection alone on real multi-language charts (`support/lang_bench.rs`).
//!
//! Pages are built before the run from real 2017-18 trending rows (titles, channels, tags,
//! counts) with synthetic ids, projected with the client's `fields=` selector and gzipped as
//! Google serves them, so the fake server costs almost nothing while the client runs.

/// The binary's allocator, so that the in-process CPU figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/export_bench.rs"]
mod export_bench;
#[allow(dead_code)]
#[path = "../tests/it/support/fake.rs"]
mod fake;
#[path = "history_fill.rs"]
mod history_fill;
#[path = "support/report_bench.rs"]
mod report_bench;

#[path = "support/lang_bench.rs"]
mod lang_bench;
#[path = "support/sweep.rs"]
mod sweep;

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One benchmark setting.
#[derive(Debug, Clone)]
struct Shape {
    regions: usize,
    categories: usize,
    pages: usize,
    /// Share of a chart's videos that also trend in other regions.
    overlap: f64,
    /// Per-request latency range, milliseconds.
    latency_ms: (u64, u64),
    concurrency: u32,
}

/// What one run measured.
#[derive(Debug)]
struct Measured {
    wall: Duration,
    setup: Duration,
    fetch: Duration,
    normalize_cpu: Duration,
    dedup: Duration,
    store: Duration,
    /// Storing done while charts were still fetching (overlaps `fetch`).
    store_streamed: Duration,
    entries: u64,
    videos: u64,
    requests: u64,
    wire_bytes: u64,
    /// trendtap's peak resident memory.
    peak_rss_mb: f64,
    /// Latency of each request the server answered, in plan order.
    latencies: Vec<Duration>,
}

/// Gzipped page bodies keyed by (region, category, page index).
type Pages = HashMap<(String, String, usize), Vec<u8>>;

/// Pre-built pages, keyed by (region, category, page index).
struct FakeCharts {
    pages: Pages,
    /// Distinct video ids over all pages (trendtap's count is checked against it).
    distinct: u64,
    shape: Shape,
    wire_bytes: AtomicU64,
}

/// The responder mounted on the fake server (shares the pages with the measuring side).
struct Serve(Arc<FakeCharts>);

impl Respond for Serve {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let page = match q.get("pageToken") {
            None => 0,
            Some(t) => t.trim_start_matches('P').parse().unwrap_or(0),
        };
        let region = q.get("regionCode").cloned().unwrap_or_default();
        let key = (
            region.clone(),
            q.get("videoCategoryId").cloned().unwrap_or_default(),
            page,
        );
        let Some(body) = self.0.pages.get(&key) else {
            return ResponseTemplate::new(404);
        };
        self.0
            .wire_bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json; charset=UTF-8")
            .insert_header("content-encoding", "gzip")
            .set_body_raw(body.clone(), "application/json")
            .set_delay(latency(&self.0.shape, &region))
    }
}

/// A deterministic latency per region, spread over the configured range.
fn latency(shape: &Shape, region: &str) -> Duration {
    let (lo, hi) = shape.latency_ms;
    if hi == 0 {
        return Duration::ZERO;
    }
    let h = region
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    Duration::from_millis(lo + h % (hi - lo + 1))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn regions(n: usize) -> Vec<String> {
    let real = trendtap::regions::REGIONS
        .iter()
        .map(|(c, _)| c.to_string());
    real.cycle().take(n).collect()
}

/// Builds every page of a shape, gzipped as Google serves them.
fn build_pages(shape: &Shape) -> (Pages, u64) {
    let (bodies, distinct) = build_bodies(shape);
    let pages = bodies
        .into_iter()
        .map(|(key, body)| (key, gzip(body.as_bytes())))
        .collect();
    (pages, distinct)
}

/// Builds the JSON body of every page of a shape: real trending rows as templates, ids made
/// unique per chart except for the shared (overlapping) share, projected with the client's
/// `fields=` selector.
fn build_bodies(shape: &Shape) -> (HashMap<(String, String, usize), String>, u64) {
    let mut ids = std::collections::HashSet::new();
    let templates: Vec<Value> = ["US", "GB", "CA", "IN", "MX"]
        .iter()
        .flat_map(|r| fake::trending_items(r))
        .collect();
    let shared_every = if shape.overlap > 0.0 {
        (1.0 / shape.overlap).round() as usize
    } else {
        usize::MAX
    };
    let mut pages = HashMap::new();
    for (r, region) in regions(shape.regions).iter().enumerate() {
        for c in 0..shape.categories {
            let per_chart = shape.pages * 50;
            for p in 0..shape.pages {
                let items: Vec<Value> = (p * 50..(p + 1) * 50)
                    .map(|i| {
                        let template = &templates[(r * 7 + c * 13 + i) % templates.len()];
                        let mut item = template.clone();
                        let id = if i % shared_every == 0 {
                            format!("shared{:05}", c * per_chart + i)
                        } else {
                            format!("v{r:03}c{c:02}i{i:03}")
                        };
                        ids.insert(id.clone());
                        item["id"] = json!(id);
                        item
                    })
                    .collect();
                let mut body = json!({
                    "kind": "youtube#videoListResponse",
                    "etag": "bench",
                    "items": items,
                    "pageInfo": {"totalResults": per_chart, "resultsPerPage": 50},
                });
                if p + 1 < shape.pages {
                    body["nextPageToken"] = json!(format!("P{}", p + 1));
                }
                let body = fake::project(&body, trendtap::youtube::FIELDS);
                pages.insert((region.clone(), c.to_string(), p), body.to_string());
            }
        }
    }
    (pages, ids.len() as u64)
}

/// The binary under test, beside this example's directory.
fn binary() -> std::path::PathBuf {
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("trendtap");
    assert!(
        binary.is_file(),
        "build the binary first: cargo build --release ({} is missing)",
        binary.display()
    );
    binary
}

/// Applies the migrations, as every run but the first finds them: runs measure steady state.
fn migrate(url: &str) -> String {
    let status = std::process::Command::new(binary())
        .args(["migrate", "--database-url", url])
        .status()
        .unwrap();
    assert!(status.success(), "trendtap migrate");
    url.to_owned()
}

async fn fresh_postgres(admin: &str, name: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("PostgreSQL for the benchmark");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = migrate(&format!("{}/{name}", admin.rsplit_once('/').unwrap().0));
    // A run into a fresh database starts after a checkpoint, as a cron job's run does: the
    // previous runs' writes are flushed, so none of them lands in the middle of this one.
    sqlx::query("CHECKPOINT").execute(&mut conn).await.unwrap();
    url
}

/// Runs the real binary once for a shape and a database URL (None: a dry run, output
/// discarded), and reads its stage timings and peak memory from its JSON log.
async fn run(shape: &Shape, database_url: Option<&str>) -> Measured {
    let (pages, distinct) = build_pages(shape);
    let charts = Arc::new(FakeCharts {
        pages,
        distinct,
        shape: shape.clone(),
        wire_bytes: AtomicU64::new(0),
    });
    let server = MockServer::builder().start().await;
    Mock::given(path("/videos"))
        .respond_with(Serve(charts.clone()))
        .mount(&server)
        .await;

    let binary = binary();
    let categories: Vec<String> = (0..shape.categories).map(|c| c.to_string()).collect();
    let mut cmd = std::process::Command::new(&binary);
    cmd.args(["--log-format", "json", "-v", "fetch", "--region"])
        .arg(regions(shape.regions).join(","))
        .arg("--category")
        .arg(categories.join(","))
        .args([
            "--max-pages",
            &shape.pages.to_string(),
            "--concurrency",
            &shape.concurrency.to_string(),
        ])
        .args(["--api-base-url", &server.uri()])
        .env("YOUTUBE_API_KEY", "bench-key")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    match database_url {
        Some(url) => cmd.args(["--database-url", url]),
        None => cmd.arg("--dry-run"),
    };
    let started = Instant::now();
    // Reaped by wait4 below (which also reports its peak memory), not by Child::wait.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    // wait4 reaps the child and reports its peak resident memory.
    let (status, rusage) = tokio::task::spawn_blocking(move || {
        let mut status = 0;
        let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
        assert_eq!(rc, pid, "wait4");
        (status, rusage)
    })
    .await
    .unwrap();
    let wall = started.elapsed();
    let log = log.join().unwrap();
    if std::env::var_os("TRENDTAP_BENCH_LOG").is_some() {
        eprintln!("{log}");
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "trendtap failed:\n{log}"
    );
    let finished: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["fields"]["message"] == "run finished")
        .expect("a `run finished` log line");
    let f = &finished["fields"];
    let field_ms = |name: &str| Duration::from_millis(f[name].as_u64().unwrap_or(0));

    let received = server.received_requests().await.unwrap_or_default();
    let latencies = received
        .iter()
        .map(|r| {
            let region = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "regionCode")
                .map(|(_, v)| v.into_owned());
            latency(shape, &region.unwrap_or_default())
        })
        .collect();
    Measured {
        wall,
        setup: field_ms("setup_ms"),
        fetch: field_ms("fetch_ms"),
        normalize_cpu: field_ms("normalize_cpu_ms"),
        dedup: field_ms("dedup_ms"),
        store: field_ms("store_ms"),
        store_streamed: field_ms("store_streamed_ms"),
        entries: f["chart_entries"].as_u64().unwrap_or(0),
        videos: {
            let videos = f["videos"].as_u64().unwrap_or(0);
            assert_eq!(
                videos, charts.distinct,
                "trendtap merged every shared video"
            );
            videos
        },
        requests: f["requests"].as_u64().unwrap_or(0),
        wire_bytes: charts.wire_bytes.load(Ordering::Relaxed),
        // ru_maxrss is in kilobytes on Linux.
        // The child's own high-water mark, from its log; wait4's ru_maxrss would also count
        // this process's memory, which the child shares until it executes the binary.
        peak_rss_mb: f["peak_memory_mb"]
            .as_f64()
            .unwrap_or(rusage.ru_maxrss as f64 / 1024.0),
        latencies,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn rate(n: u64, d: Duration) -> String {
    if d.is_zero() {
        return "∞".to_owned();
    }
    format!("{:.0}/s", n as f64 / d.as_secs_f64())
}

/// The throughput shape: every region, 4 pages of 50, 10% of each chart shared.
fn throughput_shape() -> Shape {
    Shape {
        regions: 111,
        categories: 1,
        pages: 4,
        overlap: 0.1,
        latency_ms: (0, 0),
        concurrency: 4,
    }
}

/// Parsed pages: (region, items), in (region, page) order.
type Parsed = Vec<(&'static str, Vec<trendtap::youtube::wire::Video>)>;

/// Parses pages as the client does: the page, then each item on its own.
fn parse_pages(pages: &[(&'static str, usize, &str)]) -> Parsed {
    pages
        .iter()
        .map(|(region, _, body)| {
            let response: trendtap::youtube::wire::VideoListResponse =
                serde_json::from_str(body).unwrap();
            let items = response.videos().map(Result::unwrap).collect();
            (*region, items)
        })
        .collect()
}

/// Normalizes parsed pages into charts (one per region), as the chart tasks do.
fn normalize_pages(parsed: Parsed) -> Vec<trendtap::model::Chart> {
    let mut charts: Vec<trendtap::model::Chart> = Vec::new();
    for (region, items) in parsed {
        if charts.last().is_none_or(|c| c.key.region != region) {
            charts.push(trendtap::model::Chart {
                key: trendtap::model::ChartKey {
                    region,
                    category_id: "0".into(),
                },
                fetched_at: chrono::Utc::now(),
                entries: Vec::new(),
            });
        }
        let chart = charts.last_mut().unwrap();
        for item in items {
            let rank = chart.entries.len() as u32 + 1;
            let video = trendtap::normalize::video(item, region).unwrap();
            chart.entries.push((rank, video));
        }
    }
    charts
}

/// The CPU stages alone, in this process, on the throughput shape's pages (already in memory,
/// as after the network): parse the pages and their items, normalize (clean the text, resolve
/// the language), apply the channels' languages, merge by video. The same library calls as
/// the fetch; each figure is the fastest of 7 passes.
///
/// One thread measures the cost of a video; two threads (the pages split by region, as the
/// chart tasks spread over the runtime's two workers) measure what this machine does.
fn cpu() {
    let shape = throughput_shape();
    let (bodies, distinct) = build_bodies(&shape);
    let mut pages: Vec<(&'static str, usize, &str)> = bodies
        .iter()
        .map(|((region, _, page), body)| {
            let region = trendtap::regions::canonical(region).unwrap();
            (region, *page, body.as_str())
        })
        .collect();
    pages.sort_unstable_by_key(|(region, page, _)| (*region, *page));
    let bytes: usize = pages.iter().map(|(_, _, b)| b.len()).sum();

    #[derive(Default, Clone, Copy)]
    struct Pass {
        parse: Duration,
        normalize: Duration,
        normalize_two: Duration,
        labelled: Duration,
        merge: Duration,
    }
    let mut passes = Vec::new();
    let (mut entries, mut videos) = (0, 0);
    for _ in 0..7 {
        let mut pass = Pass::default();
        let started = Instant::now();
        let parsed = parse_pages(&pages);
        pass.parse = started.elapsed();

        let started = Instant::now();
        let mut charts = normalize_pages(parsed);
        pass.normalize = started.elapsed();

        // Two threads, each a share of the regions.
        let (mut even, mut odd) = (Vec::new(), Vec::new());
        for (i, page) in parse_pages(&pages).into_iter().enumerate() {
            if (i / shape.pages).is_multiple_of(2) {
                even.push(page);
            } else {
                odd.push(page);
            }
        }
        let started = Instant::now();
        let both = std::thread::scope(|scope| {
            let other = scope.spawn(|| normalize_pages(odd));
            let mine = normalize_pages(even);
            (mine, other.join().unwrap())
        });
        pass.normalize_two = started.elapsed();
        drop(both);

        // The same items with the API's language: normalization without detection.
        let mut labelled = parse_pages(&pages);
        for (_, items) in &mut labelled {
            for snippet in items.iter_mut().filter_map(|i| i.snippet.as_mut()) {
                snippet.default_audio_language = Some("en".into());
            }
        }
        let started = Instant::now();
        let labelled = normalize_pages(labelled);
        pass.labelled = started.elapsed();
        drop(labelled);

        let started = Instant::now();
        trendtap::language::apply_channel_languages(&mut charts);
        let merged = trendtap::dedup::merge(&charts);
        pass.merge = started.elapsed();
        entries = charts.iter().map(|c| c.entries.len()).sum::<usize>();
        videos = merged.len();
        assert_eq!(videos as u64, distinct, "every shared video merged");
        passes.push(pass);
    }
    let best = |f: fn(&Pass) -> Duration| passes.iter().map(f).min().unwrap();
    let (parse, normalize, merge) = (best(|p| p.parse), best(|p| p.normalize), best(|p| p.merge));
    let (normalize_two, labelled) = (best(|p| p.normalize_two), best(|p| p.labelled));
    let per = |d: Duration, n: usize| format!("{:.2} µs", d.as_secs_f64() * 1e6 / n as f64);
    println!(
        "\n## CPU stages: {entries} chart entries, {videos} videos, {} KiB of JSON (best of 7)\n",
        bytes / 1024
    );
    println!("| stage | threads | time | per chart entry | chart entries per second | videos per second |");
    println!("|---|---|---|---|---|---|");
    for (stage, threads, d) in [
        ("parse (pages and items)", 1, parse),
        ("normalize + detect", 1, normalize),
        ("normalize, API language (no detection)", 1, labelled),
        ("channel languages + dedup", 1, merge),
        ("**normalize + detect + dedup**", 1, normalize + merge),
        ("**normalize + detect + dedup**", 2, normalize_two + merge),
        (
            "parse + normalize + detect + dedup",
            1,
            parse + normalize + merge,
        ),
    ] {
        println!(
            "| {stage} | {threads} | {} | {} | {} | {} |",
            ms(d),
            per(d, entries),
            rate(entries as u64, d),
            rate(videos as u64, d)
        );
    }
}

async fn throughput(admin: &str) {
    println!("\n## Throughput: 111 regions x 4 pages x 50 videos, no latency, concurrency 4\n");
    let shape = throughput_shape();
    println!("| run | wall | setup | fetch (parse, normalize, detect) | normalize+detect (summed over tasks) | dedup | store after the fetch | store during the fetch | chart entries per second of store after the fetch | per second of all store work | videos | peak RSS | requests | bytes on the wire |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let sqlite_dir = std::env::temp_dir().join(format!("trendtap-bench-{}", std::process::id()));
    for backend in ["postgres", "postgres, again", "sqlite", "dry-run"] {
        let url = match backend {
            "postgres" => Some(fresh_postgres(admin, "trendtap_bench").await),
            // The same charts into the same database: every video and (video, region) is
            // known, as in a cron job's steady state.
            "postgres, again" => Some(format!(
                "{}/trendtap_bench",
                admin.rsplit_once('/').unwrap().0
            )),
            "sqlite" => {
                let _ = std::fs::remove_dir_all(&sqlite_dir);
                std::fs::create_dir_all(&sqlite_dir).unwrap();
                Some(migrate(&format!(
                    "sqlite://{}",
                    sqlite_dir.join("bench.db").display()
                )))
            }
            _ => None,
        };
        let m = run(&shape, url.as_deref()).await;
        let (after, all) = match backend {
            "dry-run" => ("(JSON to a sink)".to_owned(), String::new()),
            _ => (
                rate(m.entries, m.store),
                rate(m.entries, m.store + m.store_streamed),
            ),
        };
        println!(
            "| {backend} | {} | {} | {} | {} | {} | {} | {} | {after} | {all} | {} | {:.1} MB | {} | {} KiB |",
            ms(m.wall),
            ms(m.setup),
            ms(m.fetch),
            ms(m.normalize_cpu),
            ms(m.dedup),
            ms(m.store),
            ms(m.store_streamed),
            m.videos,
            m.peak_rss_mb,
            m.requests,
            m.wire_bytes / 1024,
        );
    }
}

/// The fetch's critical path: the requests' latencies scheduled in plan order on `slots`
/// parallel slots (what an ideal client could not beat).
fn critical_path(latencies: &[Duration], slots: usize) -> Duration {
    let mut free_at = vec![Duration::ZERO; slots];
    for l in latencies {
        let slot = free_at.iter_mut().min().unwrap();
        *slot += *l;
    }
    free_at.into_iter().max().unwrap_or_default()
}

async fn latency_bound(admin: &str) {
    println!(
        "\n## Latency: 8 regions x 1 page, 200-500 ms per request, concurrency 4 (PostgreSQL)\n"
    );
    let shape = Shape {
        regions: 8,
        categories: 1,
        pages: 1,
        overlap: 0.1,
        latency_ms: (200, 500),
        concurrency: 4,
    };
    println!("| run | wall | fetch | critical path | wall / critical path |");
    println!("|---|---|---|---|---|");
    for i in 1..=3 {
        let url = fresh_postgres(admin, "trendtap_bench").await;
        let m = run(&shape, Some(&url)).await;
        let cp = critical_path(&m.latencies, shape.concurrency as usize);
        println!(
            "| {i} | {} | {} | {} | {:.3} |",
            ms(m.wall),
            ms(m.fetch),
            ms(cp),
            m.wall.as_secs_f64() / cp.as_secs_f64()
        );
    }

    // At scale: what the run adds to its requests' latency, on a first run and on the next one
    // (every video already stored, as in a cron job's steady state).
    println!(
        "\n## Latency at scale: 111 regions x 4 pages, 50-150 ms per request, concurrency 4 (PostgreSQL)\n"
    );
    let shape = Shape {
        latency_ms: (50, 150),
        ..throughput_shape()
    };
    println!(
        "| run | wall | fetch | store after the fetch | critical path | wall / critical path |"
    );
    println!("|---|---|---|---|---|---|");
    let url = fresh_postgres(admin, "trendtap_bench").await;
    for run_name in ["first", "again (every video stored)"] {
        let m = run(&shape, Some(&url)).await;
        let cp = critical_path(&m.latencies, shape.concurrency as usize);
        println!(
            "| {run_name} | {} | {} | {} | {} | {:.3} |",
            ms(m.wall),
            ms(m.fetch),
            ms(m.store),
            ms(cp),
            m.wall.as_secs_f64() / cp.as_secs_f64()
        );
    }
}

async fn scaling(admin: &str) {
    println!(
        "\n## Scaling: 111 regions x 4 pages, 1, 4 and 16 categories, no latency (PostgreSQL)\n"
    );
    println!("| work | charts | chart entries | wall | store | time / 1x time |");
    println!("|---|---|---|---|---|---|");
    let mut base = None;
    for factor in [1usize, 4, 16] {
        let shape = Shape {
            categories: factor,
            ..throughput_shape()
        };
        let url = fresh_postgres(admin, "trendtap_bench").await;
        let m = run(&shape, Some(&url)).await;
        let base_wall = *base.get_or_insert(m.wall);
        println!(
            "| {factor}x | {} | {} | {} | {} | {:.2} |",
            111 * factor,
            m.entries,
            ms(m.wall),
            ms(m.store),
            m.wall.as_secs_f64() / base_wall.as_secs_f64()
        );
    }
}

fn bandwidth() {
    println!("\n## Bandwidth: bytes per video, recorded responses (parts snippet,contentDetails,statistics)\n");
    println!("| response | videos | full JSON | with fields= | full, gzip | fields=, gzip |");
    println!("|---|---|---|---|---|---|");
    for file in [
        "videos_mostPopular_IN_snippet_contentDetails_statistics_2024-11.json",
        "videos_mostPopular_SA_snippet_statistics_2024-07.json",
        "videos_mostPopular_KR_snippet_2022-12.json",
    ] {
        let text =
            std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        let full: Value = serde_json::from_str(&text).unwrap();
        let n = full["items"].as_array().unwrap().len();
        // Google sends prettyPrint=false bodies compact: compare compact with compact.
        let full = full.to_string();
        let partial = fake::project(
            &serde_json::from_str(&full).unwrap(),
            trendtap::youtube::FIELDS,
        )
        .to_string();
        let per = |bytes: usize| format!("{} B", bytes / n);
        println!(
            "| {file} | {n} | {} | {} | {} | {} |",
            per(full.len()),
            per(partial.len()),
            per(gzip(full.as_bytes()).len()),
            per(gzip(partial.as_bytes()).len())
        );
    }
}

#[tokio::main]
async fn main() {
    // RUST_LOG=sqlx=debug shows each statement with its time; RUST_LOG=trendtap=info the stages.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    let admin = std::env::var("TRENDTAP_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    println!(
        "# trendtap benchmark ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if matches!(which.as_str(), "all" | "bandwidth") {
        bandwidth();
    }
    if matches!(which.as_str(), "all" | "cpu") {
        cpu();
    }
    if matches!(which.as_str(), "all" | "lang") {
        lang_bench::run();
    }
    if matches!(which.as_str(), "all" | "sweep") {
        sweep::run(&binary()).await;
    }
    if matches!(which.as_str(), "all" | "throughput") {
        throughput(&admin).await;
    }
    if matches!(which.as_str(), "all" | "latency") {
        latency_bound(&admin).await;
    }
    if matches!(which.as_str(), "all" | "scaling") {
        scaling(&admin).await;
    }
    if which == "report" {
        report_bench::run(&admin, 30, true).await;
    }
    if which == "report-year" {
        report_bench::run(&admin, 365, false).await;
    }
    if which == "export" {
        let args: Vec<String> = std::env::args().skip(2).collect();
        let days = args.iter().find_map(|a| a.parse().ok()).unwrap_or(30);
        let descriptions = args.iter().any(|a| a == "--descriptions");
        export_bench::run(&admin, &binary(), days, descriptions).await;
    }
    if which == "export-sqlite" {
        let days = std::env::args()
            .skip(2)
            .find_map(|a| a.parse().ok())
            .unwrap_or(30);
        export_bench::run_sqlite(&binary(), days).await;
    }
}
