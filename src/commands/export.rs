//! `trendtap export`: the stored history in the layouts analysts' tools read. This file plans
//! the files (one per region for the Kaggle layouts, one per month for Parquet, one stream for
//! NDJSON), reads each file's rows with one streaming query ([`Store::export_daily`], or
//! [`Store::export_entries`] joined to their videos and runs by [`Joiner`]) and hands them to
//! the format's writer ([`crate::export`]); every file is written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use futures_util::StreamExt;

use super::{fail, open_store, Context};
use crate::budget::Category;
use crate::cli::{ExportArgs, ExportFormat};
use crate::error::{Error, Exit};
use crate::export::atomic::AtomicFile;
use crate::export::categories::{category_json, Titles};
use crate::export::join::{self, Joined, Joiner, Order};
use crate::export::{kaggle, kaggle2017, DailyWriter, Layout, RecordWriter};
use crate::progress::RowsBar as Meter;
use crate::regions;
use crate::secret::Redactor;
use crate::store::{ExportQuery, Store};

/// The first instant an export reads when no `--since` is given.
const EPOCH: &str = "1970-01-01T00:00:00Z";
/// The instant an export stops before when no `--until` is given.
const END: &str = "9999-01-01T00:00:00Z";
/// The NDJSON file's name under `--out DIR`.
const NDJSON_FILE: &str = "chart_entries.ndjson";

/// What to export, checked.
#[derive(Debug)]
struct Plan {
    layout: Layout,
    /// The regions asked for (empty: all).
    regions: Vec<&'static str>,
    categories: Vec<String>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    out: Option<PathBuf>,
}

impl Plan {
    /// The query of the period and filters for `regions` (empty: every region).
    fn query(&self, regions: &[&str]) -> ExportQuery {
        ExportQuery {
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            categories: self.categories.clone(),
            since: self.since,
            until: self.until,
        }
    }

    /// The regions whose files the Kaggle layouts write: those asked for, else every one.
    fn kaggle_regions(&self) -> Vec<&'static str> {
        if self.regions.is_empty() {
            regions::REGIONS.iter().map(|(code, _)| *code).collect()
        } else {
            self.regions.clone()
        }
    }
}

/// Runs `trendtap export`.
pub async fn run(args: &ExportArgs, ctx: &Context) -> Exit {
    let plan = match resolve(args) {
        Ok(plan) => plan,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let url = match ctx.database_url(&args.db) {
        Ok(url) => url,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let store = match open_store(&url).await {
        Ok(store) => store,
        Err(e) => return fail(&Error::Store(e), &redactor),
    };
    let started = Instant::now();
    let mut meter = Meter::start(ctx.interactive);
    let done = export(&plan, &store, &mut meter).await;
    meter.finish();
    match done {
        Ok(files) => {
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(
                rows = meter.rows,
                files,
                seconds,
                peak_rss_bytes = crate::progress::peak_memory().unwrap_or(0),
                "export finished"
            );
            if ctx.interactive || meter.rows == 0 {
                eprintln!(
                    "trendtap: exported {} rows into {files} file(s) in {seconds:.1} s",
                    meter.rows
                );
            }
            Exit::Ok
        }
        Err(e) => fail(&e, &redactor),
    }
}

/// Checks the flags: regions, categories, dates, and where the output goes.
fn resolve(args: &ExportArgs) -> Result<Plan, Error> {
    let layout = match args.format {
        ExportFormat::Kaggle => Layout::Kaggle,
        ExportFormat::Kaggle2017 => Layout::Kaggle2017,
        ExportFormat::Ndjson => Layout::Ndjson,
        #[cfg(feature = "parquet")]
        ExportFormat::Parquet => Layout::Parquet,
    };
    let mut regions = Vec::new();
    for code in args
        .regions
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        let region = regions::canonical(code)
            .ok_or_else(|| Error::Usage(format!("unknown region code `{code}`")))?;
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    let mut categories = Vec::new();
    for id in args
        .categories
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        if id.len() > 4 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Usage(format!(
                "`{id}` is not a video category id (a number such as 0, 10 or 24)"
            )));
        }
        let id = id.trim_start_matches('0');
        let id = if id.is_empty() { "0" } else { id }.to_owned();
        if !categories.contains(&id) {
            categories.push(id);
        }
    }
    let since = match &args.since {
        Some(text) => instant("--since", text, false)?,
        None => EPOCH.parse().expect("a time"),
    };
    let until = match &args.until {
        Some(text) => instant("--until", text, true)?,
        None => END.parse().expect("a time"),
    };
    if since >= until {
        return Err(Error::Usage(format!(
            "--since ({since}) must come before --until ({until})"
        )));
    }
    let stdout_ok = match layout {
        Layout::Kaggle | Layout::Kaggle2017 => regions.len() == 1,
        Layout::Ndjson => true,
        #[cfg(feature = "parquet")]
        Layout::Parquet => false,
    };
    if args.out.is_none() && !stdout_ok {
        return Err(Error::Usage(format!(
            "--format {} writes several files: give --out DIR{}",
            format_name(layout),
            if layout.daily() {
                " (or a single --region to print its CSV on stdout)"
            } else {
                ""
            }
        )));
    }
    Ok(Plan {
        layout,
        regions,
        categories,
        since,
        until,
        out: args.out.clone(),
    })
}

fn format_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Kaggle => "kaggle",
        Layout::Kaggle2017 => "kaggle-2017",
        Layout::Ndjson => "ndjson",
        #[cfg(feature = "parquet")]
        Layout::Parquet => "parquet",
    }
}

/// `YYYY-MM-DD` (its first instant, or with `end` the first instant of the next day) or an
/// RFC 3339 instant.
fn instant(flag: &str, text: &str, end: bool) -> Result<DateTime<Utc>, Error> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if end { day + TimeDelta::days(1) } else { day };
        return Ok(day.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::Usage(format!(
                "{flag} `{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"
            ))
        })
}

/// Writes every file of the plan; returns how many were written.
async fn export(plan: &Plan, store: &Store, meter: &mut Meter) -> Result<usize, Error> {
    match plan.layout {
        Layout::Kaggle | Layout::Kaggle2017 => export_kaggle(plan, store, meter).await,
        Layout::Ndjson => {
            let titles = titles(store, &plan.kaggle_regions()).await?;
            let q = plan.query(&plan.regions);
            match &plan.out {
                None => to_stdout(store, &q, plan.layout, &titles, meter).await,
                Some(dir) => {
                    let path = dir.join(NDJSON_FILE);
                    let rows = to_file(store, &q, plan.layout, &titles, &path, meter).await?;
                    Ok(usize::from(rows > 0))
                }
            }
        }
        #[cfg(feature = "parquet")]
        Layout::Parquet => export_parquet(plan, store, meter).await,
    }
}

/// One CSV per region with entries, and its `XX_category_id.json`.
async fn export_kaggle(plan: &Plan, store: &Store, meter: &mut Meter) -> Result<usize, Error> {
    let titles = Titles::default();
    let Some(dir) = &plan.out else {
        return to_stdout(
            store,
            &plan.query(&plan.regions),
            plan.layout,
            &titles,
            meter,
        )
        .await;
    };
    let mut files = 0;
    for region in plan.kaggle_regions() {
        let name = match plan.layout {
            Layout::Kaggle => kaggle::file_name(region),
            _ => kaggle2017::file_name(region),
        };
        let path = dir.join(name);
        let rows = to_file(
            store,
            &plan.query(&[region]),
            plan.layout,
            &titles,
            &path,
            meter,
        )
        .await?;
        if rows == 0 {
            continue;
        }
        let (list, _) = store.video_categories(region).await?;
        let path = dir.join(format!("{region}_category_id.json"));
        write_whole(&path, category_json(&list).as_bytes())?;
        files += 2;
    }
    Ok(files)
}

/// One file per month with entries: `DIR/month=YYYY-MM/part-0000.parquet`.
#[cfg(feature = "parquet")]
async fn export_parquet(plan: &Plan, store: &Store, meter: &mut Meter) -> Result<usize, Error> {
    use chrono::Datelike;
    let dir = plan.out.as_ref().expect("checked by resolve");
    let all = plan.query(&plan.regions);
    let Some((first, last)) = store.export_bounds(&all).await? else {
        return Ok(0);
    };
    let titles = titles(store, &plan.kaggle_regions()).await?;
    let mut files = 0;
    let mut month = first.date_naive().with_day(1).expect("day 1");
    while month <= last.date_naive() {
        let next = month
            .checked_add_months(chrono::Months::new(1))
            .expect("a later month");
        let start = month.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let end = next.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        let q = ExportQuery {
            since: all.since.max(start),
            until: all.until.min(end),
            ..all.clone()
        };
        let path = dir
            .join(format!("month={}", month.format("%Y-%m")))
            .join("part-0000.parquet");
        if to_file(store, &q, plan.layout, &titles, &path, meter).await? > 0 {
            files += 1;
        }
        month = next;
    }
    Ok(files)
}

/// The category titles of `regions`, from their stored lists (or the built-in one).
async fn titles(store: &Store, regions: &[&'static str]) -> Result<Titles, Error> {
    let mut lists: Vec<(String, Vec<Category>)> = Vec::new();
    for region in regions {
        let (list, _) = store.video_categories(region).await?;
        lists.push(((*region).to_owned(), list));
    }
    Ok(Titles::new(lists))
}

/// Streams the rows of `q` into `path`, atomically; returns the rows written. With no row, no
/// file is written. A failure leaves no file under `path` and names it.
async fn to_file(
    store: &Store,
    q: &ExportQuery,
    layout: Layout,
    titles: &Titles,
    path: &Path,
    meter: &mut Meter,
) -> Result<u64, Error> {
    let failed = |cause: String| Error::Export {
        path: path.display().to_string(),
        cause,
    };
    let file = AtomicFile::create(path).map_err(|e| failed(e.to_string()))?;
    meter.file(path);
    let (rows, file) = stream(store, q, layout, titles, file, meter)
        .await
        .map_err(failed)?;
    if let Some(file) = file {
        file.commit().map_err(|e| failed(e.to_string()))?;
    }
    Ok(rows)
}

/// Streams the rows of `q` to stdout.
async fn to_stdout(
    store: &Store,
    q: &ExportQuery,
    layout: Layout,
    titles: &Titles,
    meter: &mut Meter,
) -> Result<usize, Error> {
    let out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout());
    let (rows, _) = stream(store, q, layout, titles, out, meter)
        .await
        .map_err(|cause| Error::Export {
            path: "stdout".to_owned(),
            cause,
        })?;
    Ok(usize::from(rows > 0))
}

/// The rows written, and the output, finished, when there was a row.
type Written<W> = (u64, Option<W>);

/// Reads `q`'s rows into a `layout` writer on `out` and finishes it.
async fn stream<W: Write + Send + 'static>(
    store: &Store,
    q: &ExportQuery,
    layout: Layout,
    titles: &Titles,
    out: W,
    meter: &mut Meter,
) -> Result<Written<W>, String> {
    if layout.daily() {
        daily(store, q, DailyWriter::new(layout, out), meter).await
    } else {
        records(store, q, layout, titles, out, meter).await
    }
}

fn database(e: crate::store::StoreError) -> String {
    format!("the database failed: {e}")
}

/// The Kaggle layouts: one row per region, video and day, as the store returns them.
async fn daily<W: Write>(
    store: &Store,
    q: &ExportQuery,
    mut writer: DailyWriter<W>,
    meter: &mut Meter,
) -> Result<Written<W>, String> {
    let mut rows = store.export_daily(q);
    while let Some(row) = rows.next().await {
        writer
            .write(&row.map_err(database)?)
            .map_err(|e| e.to_string())?;
        meter.row();
    }
    finished(writer.rows(), || writer.finish())
}

/// What a writer of `rows` rows gives: nothing when there was no row (no file is kept),
/// else the rows and the output `finish` completes.
fn finished<W>(
    rows: u64,
    finish: impl FnOnce() -> std::io::Result<W>,
) -> Result<Written<W>, String> {
    match rows {
        0 => Ok((0, None)),
        n => Ok((n, Some(finish().map_err(|e| e.to_string())?))),
    }
}

/// NDJSON and Parquet: every entry, read bare in chunks, each chunk joined to the videos and
/// runs it needs ([`read_joined`]) here, and encoded on a thread of its own ([`encode`]): the
/// encoding takes about two thirds of the CPU time, the reading and joining the rest, and the
/// two run side by side.
async fn records<W: Write + Send + 'static>(
    store: &Store,
    q: &ExportQuery,
    layout: Layout,
    titles: &Titles,
    out: W,
    meter: &mut Meter,
) -> Result<Written<W>, String> {
    let (chunks, mut received) = tokio::sync::mpsc::channel::<Joined>(1);
    let (done, encoded) = tokio::sync::oneshot::channel();
    let titles = titles.clone();
    std::thread::Builder::new()
        .name("export-encoder".to_owned())
        .spawn(move || {
            let _ = done.send(encode(layout, out, &titles, &mut received));
        })
        .map_err(|e| format!("cannot start the encoder thread: {e}"))?;
    let read = read_joined(store, q, chunks, meter).await;
    let encoded = encoded
        .await
        .map_err(|_| "the encoder thread panicked".to_owned())?;
    // The encoder's error first: when it stops (disk full), the reader only sees it gone.
    let written = encoded?;
    read?;
    Ok(written)
}

/// Reads `q`'s entries in chunks, put in order ([`Order`]) and joined ([`Joiner`]), and sends
/// them to the encoder.
async fn read_joined(
    store: &Store,
    q: &ExportQuery,
    chunks: tokio::sync::mpsc::Sender<Joined>,
    meter: &mut Meter,
) -> Result<(), String> {
    let mut joiner = Joiner::new(join::VIDEO_BUDGET_BYTES);
    let mut order = Order::default();
    let mut entries = store.export_entries(q).chunks(join::CHUNK);
    let mut end = false;
    while !end {
        let chunk = match entries.next().await {
            Some(chunk) => order.push(
                chunk
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .map_err(database)?,
            ),
            None => {
                end = true;
                order.finish()
            }
        };
        if chunk.is_empty() {
            continue;
        }
        let missing = joiner.missing(&chunk);
        let mut videos = Vec::with_capacity(missing.videos.len());
        for ids in missing.videos.chunks(join::LOOKUP) {
            videos.extend(store.export_videos(ids).await.map_err(database)?);
        }
        let runs = match missing.runs.is_empty() {
            true => Vec::new(),
            false => store.export_runs(&missing.runs).await.map_err(database)?,
        };
        joiner.add(videos, runs);
        let joined = joiner.join(chunk)?;
        let rows = joined.len();
        if chunks.send(joined).await.is_err() {
            return Err("the encoder stopped".to_owned());
        }
        crate::alloc::release();
        meter.add(rows as u64);
    }
    tracing::debug!(
        videos_read = joiner.read(),
        videos_held = joiner.held(),
        "the entries' videos were read by key"
    );
    Ok(())
}

/// Writes the chunks it receives as `layout` records on `out`, until the reader is done.
fn encode<W: Write + Send>(
    layout: Layout,
    out: W,
    titles: &Titles,
    chunks: &mut tokio::sync::mpsc::Receiver<Joined>,
) -> Result<Written<W>, String> {
    let mut writer = RecordWriter::new(layout, out, titles).map_err(|e| e.to_string())?;
    while let Some(joined) = chunks.blocking_recv() {
        for row in joined.rows() {
            writer.write(row).map_err(|e| e.to_string())?;
        }
    }
    finished(writer.rows(), || writer.finish())
}

/// A small file written whole, atomically.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let failed = |e: std::io::Error| Error::Export {
        path: path.display().to_string(),
        cause: e.to_string(),
    };
    let mut file = AtomicFile::create(path).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.commit().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_or_instants_and_until_includes_its_day() {
        let day = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            instant("--since", "2026-11-01", false).unwrap(),
            day("2026-11-01T00:00:00Z")
        );
        assert_eq!(
            instant("--until", "2026-11-30", true).unwrap(),
            day("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            instant("--until", "2026-11-30T06:00:00+01:00", true).unwrap(),
            day("2026-11-30T05:00:00Z")
        );
        assert!(instant("--since", "yesterday", false).is_err());
    }
}
