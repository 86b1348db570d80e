//! `trendtap export` end to end on both backends: the Kaggle layouts byte for byte against the
//! datasets' own records (../shared/data/kaggle, loaded through normalization and the store),
//! one row per region, video and day, Parquet read back with its types, the filters, atomic
//! output, and descriptions fetched through the fake API.

mod reference;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::both;
use crate::store::{chart, save};
use crate::support::fake::synthetic_items;
use crate::support::{temp_dir, CliStore, FakeYouTube, Kind, KEY};
use reference::Reference;

both!(
    kaggle_layout_is_the_datasets_byte_for_byte,
    kaggle_2017_layout_is_the_datasets_byte_for_byte,
    one_row_per_region_video_and_day_with_the_days_last_counts,
    parquet_is_partitioned_by_month_and_reads_back_typed,
    since_until_region_and_category_filter_the_entries,
    a_failed_export_leaves_no_file_and_names_it,
    descriptions_are_fetched_on_request_and_exported,
);

/// The full-fidelity record's columns, in their documented order.
const COLUMNS: &str = "run_id,run_started_at,fetched_at,region,chart_category_id,\
    chart_category_title,rank,video_id,title,channel_id,channel_title,category_id,\
    category_title,published_at,duration_seconds,language,language_source,view_count,\
    like_count,comment_count,tags,thumbnail_url,age_restricted,blocked_regions,\
    allowed_regions,caption,definition,licensed_content,live_broadcast_content,description";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// Stores each of a reference file's trending days as one run of its region's chart, fetched
/// at 06:00 UTC that day, its records ranked in file order.
async fn load(db: &CliStore, reference: &Reference) {
    let store = db.open().await;
    for (day, items) in reference.days() {
        let fetched = at(&format!("{day}T06:00:00Z"));
        save(&store, fetched, &[chart(reference.region, &items, fetched)]).await;
    }
}

async fn kaggle_layout_is_the_datasets_byte_for_byte(kind: Kind) {
    let db = CliStore::new(kind).await;
    let reference = Reference::read("US_youtube_trending_data_head.csv", "US", false);
    load(&db, &reference).await;
    let dir = temp_dir("kaggle");
    let out = db
        .run(&["export", "--format", "kaggle", "--out", &path(&dir)], &[])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read(dir.join("US_youtube_trending_data.csv")).unwrap();
    assert_same(&written, &reference.expected());
    // Only the region with entries gets files; its categories are the built-in list.
    let mut names: Vec<String> = files(&dir);
    names.sort();
    assert_eq!(
        names,
        ["US_category_id.json", "US_youtube_trending_data.csv"]
    );
    let categories: Value =
        serde_json::from_slice(&std::fs::read(dir.join("US_category_id.json")).unwrap()).unwrap();
    assert_eq!(categories["kind"], "youtube#videoCategoryListResponse");
    assert_eq!(categories["items"].as_array().unwrap().len(), 32);
    assert_eq!(categories["items"][2]["snippet"]["title"], "Music");
    let _ = std::fs::remove_dir_all(dir);
}

async fn kaggle_2017_layout_is_the_datasets_byte_for_byte(kind: Kind) {
    let db = CliStore::new(kind).await;
    let reference = Reference::read("CAvideos_head.csv", "CA", true);
    load(&db, &reference).await;
    // One region: the CSV on stdout.
    let out = db
        .run(
            &["export", "--format", "kaggle-2017", "--region", "ca"],
            &[],
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_same(out.stdout.as_bytes(), &reference.expected());
}

fn assert_same(written: &[u8], expected: &[u8]) {
    if written != expected {
        let w = String::from_utf8_lossy(written);
        let e = String::from_utf8_lossy(expected);
        for (i, (a, b)) in w.lines().zip(e.lines()).enumerate() {
            assert_eq!(a, b, "line {} differs", i + 1);
        }
        assert_eq!(w.len(), e.len(), "same lines, different lengths");
    }
}

fn path(dir: &Path) -> String {
    dir.display().to_string()
}

fn files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// `n` items whose views are `base + i`, likes hidden for the first one.
fn items(prefix: &str, n: usize, base: i64) -> Vec<Value> {
    let mut items = synthetic_items(prefix, n);
    for (i, item) in items.iter_mut().enumerate() {
        item["statistics"] = if i == 0 {
            json!({"viewCount": (base + i as i64).to_string(), "commentCount": "5"})
        } else {
            json!({"viewCount": (base + i as i64).to_string(), "likeCount": "7", "commentCount": "5"})
        };
    }
    items
}

/// Day 1: runs at 06:00, 12:00 and 18:00; day 2: one run at 06:00. US and CA, 3 videos each
/// (two shared), and at 18:00 on day 1 also a category-10 chart in US.
async fn several_runs_a_day(db: &CliStore) {
    let store = db.open().await;
    for (time, base) in [
        ("2026-11-01T06:00:00Z", 100),
        ("2026-11-01T12:00:00Z", 200),
        ("2026-11-01T18:00:00Z", 300),
        ("2026-11-02T06:00:00Z", 400),
    ] {
        let t = at(time);
        let mut charts = vec![
            chart("US", &items("vid", 3, base), t),
            chart("CA", &items("vid", 2, base + 50), t),
        ];
        if time.ends_with("18:00:00Z") {
            let mut music = chart("US", &items("mus", 1, 9), t);
            music.key.category_id = "10".into();
            charts.push(music);
        }
        save(&store, t, &charts).await;
    }
}

/// The data lines of a Kaggle 2020 CSV as unquoted fields (no field holds a comma here).
fn kaggle_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|f| f.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

async fn one_row_per_region_video_and_day_with_the_days_last_counts(kind: Kind) {
    let db = CliStore::new(kind).await;
    several_runs_a_day(&db).await;
    let dir = temp_dir("daily");
    let out = db
        .run(&["export", "--format", "kaggle", "--out", &path(&dir)], &[])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let us =
        kaggle_rows(&std::fs::read_to_string(dir.join("US_youtube_trending_data.csv")).unwrap());
    // (video, day, views, likes, ratings_disabled): day 1's last counts (the 18:00 run), the
    // category-10 video once, then day 2.
    let got: Vec<(&str, &str, &str, &str, &str)> = us
        .iter()
        .map(|r| (&r[0][..], &r[6][..10], &r[8][..], &r[9][..], &r[14][..]))
        .collect();
    assert_eq!(
        got,
        [
            ("vid0000", "2026-11-01", "300", "0", "True"),
            ("mus0000", "2026-11-01", "9", "0", "True"),
            ("vid0001", "2026-11-01", "301", "7", "False"),
            ("vid0002", "2026-11-01", "302", "7", "False"),
            ("vid0000", "2026-11-02", "400", "0", "True"),
            ("vid0001", "2026-11-02", "401", "7", "False"),
            ("vid0002", "2026-11-02", "402", "7", "False"),
        ]
    );
    let ca =
        kaggle_rows(&std::fs::read_to_string(dir.join("CA_youtube_trending_data.csv")).unwrap());
    assert_eq!(ca.len(), 4, "2 videos x 2 days");
    assert_eq!(ca[1][8], "351");
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(feature = "parquet")]
async fn parquet_is_partitioned_by_month_and_reads_back_typed(kind: Kind) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    let db = CliStore::new(kind).await;
    let store = db.open().await;
    for time in ["2026-10-31T23:00:00Z", "2026-11-01T01:00:00Z"] {
        let t = at(time);
        save(&store, t, &[chart("US", &items("vid", 3, 100), t)]).await;
    }
    let dir = temp_dir("parquet");
    let out = db
        .run(
            &["export", "--format", "parquet", "--out", &path(&dir)],
            &[],
        )
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut months = files(&dir);
    months.sort();
    assert_eq!(months, ["month=2026-10", "month=2026-11"]);
    assert_eq!(files(&dir.join("month=2026-11")), ["part-0000.parquet"]);

    let file = std::fs::File::open(dir.join("month=2026-11/part-0000.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    let fields = schema.root_schema().get_fields();
    let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
    assert_eq!(names.join(","), COLUMNS);
    let mut printed = Vec::new();
    parquet::schema::printer::print_schema(&mut printed, schema.root_schema());
    let printed = String::from_utf8(printed).unwrap();
    for line in [
        "REQUIRED INT64 fetched_at (TIMESTAMP(MICROS,true));",
        "OPTIONAL INT64 published_at (TIMESTAMP(MICROS,true));",
        "OPTIONAL INT64 like_count;",
        "REQUIRED INT32 rank;",
        "OPTIONAL BOOLEAN caption;",
        "REQUIRED BYTE_ARRAY video_id (STRING);",
        "REQUIRED group tags (LIST) {",
        "OPTIONAL group blocked_regions (LIST) {",
    ] {
        assert!(printed.contains(line), "{line} in\n{printed}");
    }

    let rows: Vec<_> = reader
        .get_row_iter(None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3);
    let get = |row: usize, name: &str| {
        rows[row]
            .get_column_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| f.clone())
            .unwrap()
    };
    assert_eq!(get(0, "video_id"), Field::Str("vid0000".into()));
    assert_eq!(get(0, "rank"), Field::Int(1));
    assert_eq!(get(0, "view_count"), Field::Long(100));
    assert_eq!(
        get(0, "like_count"),
        Field::Null,
        "hidden likes stay unknown, not 0"
    );
    assert_eq!(get(1, "like_count"), Field::Long(7));
    assert_eq!(
        get(0, "fetched_at"),
        Field::TimestampMicros(at("2026-11-01T01:00:00Z").timestamp_micros())
    );
    assert_eq!(get(0, "category_title"), Field::Str("Music".into()));
    assert_eq!(get(0, "chart_category_title"), Field::Null);
    assert!(matches!(get(0, "tags"), Field::ListInternal(l) if l.len() == 0));
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(not(feature = "parquet"))]
async fn parquet_is_partitioned_by_month_and_reads_back_typed(_kind: Kind) {}

/// The NDJSON lines of an export to stdout.
async fn ndjson(db: &CliStore, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["export", "--format", "ndjson"];
    args.extend(extra);
    let out = db.run(&args, &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn since_until_region_and_category_filter_the_entries(kind: Kind) {
    let db = CliStore::new(kind).await;
    several_runs_a_day(&db).await;
    let all = ndjson(&db, &[]).await;
    assert_eq!(
        all.len(),
        4 * 5 + 1,
        "every entry: 4 runs x 5, and the category-10 one"
    );
    // The keys in their documented order, unknown values null, never 0.
    let first = all[0].as_object().unwrap();
    let line_keys: Vec<&str> = COLUMNS.split(',').collect();
    assert_eq!(first.len(), line_keys.len());
    let hidden = all.iter().find(|e| e["video_id"] == "vid0000").unwrap();
    assert_eq!(hidden["like_count"], Value::Null);
    assert_eq!(hidden["comment_count"], 5);
    let times: Vec<&str> = all
        .iter()
        .map(|e| e["fetched_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");

    let day2 = ndjson(&db, &["--since", "2026-11-02"]).await;
    assert_eq!(day2.len(), 5);
    let day1 = ndjson(&db, &["--until", "2026-11-01"]).await;
    assert_eq!(day1.len(), 16);
    let morning = ndjson(
        &db,
        &[
            "--since",
            "2026-11-01T06:00:00Z",
            "--until",
            "2026-11-01T12:00:00Z",
        ],
    )
    .await;
    assert_eq!(
        morning.len(),
        5,
        "--until with a time excludes that instant"
    );
    let ca = ndjson(&db, &["--region", "CA"]).await;
    assert_eq!(ca.len(), 8);
    assert!(ca.iter().all(|e| e["region"] == "CA"));
    let music = ndjson(&db, &["--category", "10"]).await;
    assert_eq!(music.len(), 1);
    assert_eq!(music[0]["chart_category_title"], "Music");

    let bad = db
        .run(&["export", "--format", "ndjson", "--region", "XX"], &[])
        .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let several = db.run(&["export", "--format", "kaggle"], &[]).await;
    assert_eq!(
        several.code, 2,
        "several files need --out: {}",
        several.stderr
    );
}

async fn a_failed_export_leaves_no_file_and_names_it(kind: Kind) {
    let db = CliStore::new(kind).await;
    several_runs_a_day(&db).await;
    // A row that cannot be read, on day 2: day 1's rows are written first.
    let store = db.open().await;
    save(
        &store,
        at("2026-11-02T09:00:00Z"),
        &[chart("US", &items("bad", 1, 1), at("2026-11-02T09:00:00Z"))],
    )
    .await;
    match kind {
        Kind::Postgres => {
            db.execute(
                "ALTER TABLE videos DROP CONSTRAINT videos_language_source_check;
                 UPDATE videos SET language_source = 'bogus' WHERE video_id = 'bad0000'",
            )
            .await
        }
        Kind::Sqlite => {
            db.execute("UPDATE videos SET tags = 'not json' WHERE video_id = 'bad0000'")
                .await
        }
    }
    let dir = temp_dir("failed");
    let target = dir.join("US_youtube_trending_data.csv");
    std::fs::write(&target, "an older export\n").unwrap();
    let out = db
        .run(
            &[
                "export",
                "--format",
                "kaggle",
                "--region",
                "US",
                "--out",
                &path(&dir),
            ],
            &[],
        )
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains(&path(&target)), "{}", out.stderr);
    assert!(out.stderr.contains("database"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "an older export\n"
    );
    assert_eq!(
        files(&dir),
        ["US_youtube_trending_data.csv"],
        "no temporary file is left"
    );
    let _ = std::fs::remove_dir_all(dir);

    // The same for the formats whose videos are read by key beside the entries' stream and
    // encoded on a thread of their own: the failed lookup stops the file, and the reader's
    // error is the one reported.
    for format in ["parquet", "ndjson"] {
        let dir = temp_dir(&format!("failed-{format}"));
        let out = db
            .run(&["export", "--format", format, "--out", &path(&dir)], &[])
            .await;
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(out.stderr.contains("database"), "{format}: {}", out.stderr);
        let file = match format {
            "parquet" => dir.join("month=2026-11").join("part-0000.parquet"),
            _ => dir.join("chart_entries.ndjson"),
        };
        assert!(
            out.stderr.contains(&path(&file)),
            "{format}: {}",
            out.stderr
        );
        let left: Vec<String> = match format {
            "parquet" => files(&dir.join("month=2026-11")),
            _ => files(&dir),
        };
        assert!(
            left.is_empty(),
            "{format}: no file, not even a temporary one: {left:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Every file under `dir`, however deep (temporary ones included).
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(all_files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A disk that fills up mid-export. The child may write no file beyond 8 KiB
/// (`RLIMIT_FSIZE`, with `SIGXFSZ` ignored so that the write fails with `EFBIG`, as it would
/// with `ENOSPC` on a full disk); each region's CSV, the NDJSON stream and the Parquet file are
/// larger. Every format exits 1 naming the file and the cause, and leaves no file at all, under
/// its final name or a temporary one. And stdout on a full device (`/dev/full`) fails the same
/// way, naming stdout. PostgreSQL only: the limit holds for every file the process writes, and
/// a SQLite store is one.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_the_export_and_leaves_no_file() {
    let db = CliStore::new(Kind::Postgres).await;
    let store = db.open().await;
    let t = at("2026-11-01T06:00:00Z");
    let charts = [
        chart("US", &items("full", 200, 1), t),
        chart("CA", &items("full", 200, 1000), t),
    ];
    save(&store, t, &charts).await;
    for (format, file) in [
        ("kaggle", "_youtube_trending_data.csv"),
        ("kaggle-2017", "videos.csv"),
        ("ndjson", "chart_entries.ndjson"),
        ("parquet", "part-0000.parquet"),
    ] {
        let dir = temp_dir(&format!("full-{format}"));
        let mut command = db.command(&["export", "--format", format, "--out", &path(&dir)], &[]);
        // SAFETY: between fork and exec the closure only makes two async-signal-safe calls.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 8 * 1024,
                    rlim_max: 8 * 1024,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0
                    || libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = crate::support::finish(command.spawn().unwrap()).await;
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            out.stderr.contains(": File too large") && !out.stderr.contains("External"),
            "{format}: the cause, as the system gives it: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&path(&dir)) && out.stderr.contains(file),
            "{format}: the file is named: {}",
            out.stderr
        );
        assert_eq!(
            all_files(&dir),
            Vec::<PathBuf>::new(),
            "{format}: no file left"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut command = db.command(&["export", "--format", "ndjson"], &[]);
    command.stdout(full);
    let out = crate::support::finish(command.spawn().unwrap()).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("stdout") && out.stderr.contains("No space left on device"),
        "{}",
        out.stderr
    );
}

async fn descriptions_are_fetched_on_request_and_exported(kind: Kind) {
    let db = CliStore::new(kind).await;
    let api = FakeYouTube::start().await;
    let mut items = synthetic_items("des", 2);
    items[0]["snippet"]["description"] = json!("first line\nsecond \"line\"");
    items[1]["snippet"]["description"] = json!("");
    api.chart("US", "0", &items).await;
    let url = api.url();
    let env = [
        ("YOUTUBE_API_KEY", KEY),
        ("YOUTUBE_API_BASE_URL", url.as_str()),
    ];

    let out = db.run(&["fetch", "--region", "US"], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let without = ndjson(&db, &[]).await;
    assert_eq!(
        without[0]["description"],
        Value::Null,
        "not collected: unknown"
    );

    let out = db
        .run(&["fetch", "--region", "US", "--descriptions"], &env)
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let fields: Vec<String> = api
        .requests()
        .await
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "fields")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert!(!fields[0].contains("description") && fields[1].contains("description,"));
    let with = ndjson(&db, &["--since", "2000-01-01"]).await;
    let last = &with[with.len() - 2..];
    assert_eq!(last[0]["description"], "first line\nsecond \"line\"");
    assert_eq!(last[1]["description"], "");

    // A later run that does not collect descriptions keeps them.
    let out = db.run(&["fetch", "--region", "US"], &env).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = db
        .run(
            &["export", "--format", "kaggle-2017", "--region", "US"],
            &[],
        )
        .await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(
        csv.stdout
            .contains(",\"first line\\nsecond \"\"line\"\"\"\n"),
        "{}",
        csv.stdout
    );
}

/// The shared data folder beside the repository (CI lays a copy of shared/ there too).
pub fn shared_kaggle() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/kaggle");
    assert!(
        dir.is_dir(),
        "{} is missing: the shared data sits beside the repository",
        dir.display()
    );
    dir
}
