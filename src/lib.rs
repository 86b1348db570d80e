//! trendtap: collects YouTube's most-popular charts for many regions at once, cleans the titles,
//! merges the regions by video and keeps the history in PostgreSQL or an embedded SQLite file.
//!
//! The data flows one way:
//! `cli`/`config` → `ingest` (the `youtube` client, one task per chart) → `normalize` → `dedup`
//! → `store` (or `output` for a dry run). `main` only parses, sets up logging and maps the
//! outcome to an exit code through [`error::Exit`].

#![warn(missing_docs)]

pub mod cli;
pub mod config;
pub mod dedup;
pub mod doctor;
pub mod error;
pub mod ingest;
pub mod language;
pub mod model;
pub mod normalize;
pub mod output;
pub mod progress;
pub mod raw;
pub mod regions;
pub mod secret;
pub mod shutdown;
pub mod store;
pub mod youtube;

use std::path::Path;

use cli::{Cli, Command, DbArgs, FetchArgs, LogFormat, TopArgs};
use error::{Error, Exit, Halt, RunEnd};
use secret::Redactor;

/// Runs a parsed command line to its exit code. Errors are reported on stderr, redacted.
pub async fn run(cli: Cli) -> Exit {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    // A person is watching: show progress and a closing summary.
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && !cli.quiet
        && cli.log_format == LogFormat::Text;
    match cli.command {
        Command::Fetch(args) => fetch(&args, &cwd, interactive).await,
        Command::Migrate(args) => migrate(&args, &cwd).await,
        Command::Top(args) => top(&args, &cwd).await,
        Command::Doctor(args) => {
            let mut report = String::new();
            let exit = doctor::run(&args, &cwd, &config::process_env, &mut report).await;
            print!("{report}");
            exit
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "trendtap", &mut std::io::stdout());
            Exit::Ok
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            match man.render(&mut std::io::stdout()) {
                Ok(()) => Exit::Ok,
                Err(e) => fail(&Error::Output(e), &Redactor::default()),
            }
        }
        Command::Regions => {
            let mut text = String::new();
            for (code, name) in regions::REGIONS {
                text.push_str(&format!("{code}\t{name}\n"));
            }
            print!("{text}");
            Exit::Ok
        }
    }
}

async fn fetch(args: &FetchArgs, cwd: &Path, interactive: bool) -> Exit {
    let cfg = match config::load_file(args.db.config.as_deref(), cwd).and_then(|(file, path)| {
        config::resolve_fetch(args, &file, path.as_deref(), &config::process_env)
    }) {
        Ok(cfg) => cfg,
        Err(e) => return fail(&Error::Config(e), &Redactor::default()),
    };
    let redactor = cfg.redactor();
    let ctl = shutdown::RunControl::new();
    if let Err(e) = shutdown::watch_signals(ctl.clone()) {
        tracing::warn!("cannot watch signals: {e}");
    }
    if let Some(deadline) = cfg.deadline {
        shutdown::watch_deadline(ctl.clone(), deadline);
    }
    let progress = std::sync::Arc::new(progress::Progress::default());
    let display = interactive.then(|| progress::Display::start(progress.clone()));
    let clock = std::time::Instant::now();
    let result = ingest::run(&cfg, ctl, progress.clone(), &mut std::io::stdout().lock()).await;
    if let Some(display) = display {
        display.finish();
        if let Ok(end) = &result {
            eprintln!(
                "{}",
                progress::summary(end, &progress, clock.elapsed().as_secs_f64())
            );
        }
    }
    match result {
        Ok(end) => report_end(&end),
        Err(e) => fail(&e, &redactor),
    }
}

async fn migrate(args: &DbArgs, cwd: &Path) -> Exit {
    let url = match config::load_file(args.config.as_deref(), cwd).and_then(|(file, path)| {
        config::resolve_db_url(args, &file, path.as_deref(), &config::process_env)
    }) {
        Ok(url) => url,
        Err(e) => return fail(&Error::Config(e), &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let result = async {
        let mut store = store::Store::open(&url).await?;
        let applied = store.migrate().await?;
        eprintln!(
            "trendtap: {applied} migration(s) applied to {}",
            store.target()
        );
        Ok::<_, store::StoreError>(())
    }
    .await;
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => fail(&Error::Store(e), &redactor),
    }
}

async fn top(args: &TopArgs, cwd: &Path) -> Exit {
    let region = match &args.region {
        Some(code) => match regions::canonical(code) {
            Some(r) => Some(r),
            None => {
                return fail(
                    &Error::Usage(format!("unknown region code `{code}`")),
                    &Redactor::default(),
                )
            }
        },
        None => None,
    };
    let url = match config::load_file(args.db.config.as_deref(), cwd).and_then(|(file, path)| {
        config::resolve_db_url(&args.db, &file, path.as_deref(), &config::process_env)
    }) {
        Ok(url) => url,
        Err(e) => return fail(&Error::Config(e), &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let rows = async {
        let mut store = store::Store::open(&url).await?;
        store.migrate().await?;
        store.top(region, args.limit).await
    }
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return fail(&Error::Store(e), &redactor),
    };
    if rows.is_empty() {
        eprintln!("trendtap: no chart stored yet in {}", url);
        return Exit::Ok;
    }
    let mut text = String::new();
    let mut chart = None;
    for row in &rows {
        if chart != Some((&row.region, &row.category_id)) {
            chart = Some((&row.region, &row.category_id));
            let name = regions::name(&row.region).unwrap_or("");
            text.push_str(&format!(
                "\n{} {name}, category {} (run {})\n",
                row.region, row.category_id, row.run_id
            ));
        }
        let views = row
            .view_count
            .map_or_else(|| "-".to_owned(), |v| v.to_string());
        let channel = row.channel_title.as_deref().unwrap_or("");
        text.push_str(&format!(
            "{:>4}  {views:>12}  [{}]  {}  ({channel})\n",
            row.rank, row.language, row.title
        ));
    }
    print!("{}", text.trim_start());
    Exit::Ok
}

fn fail(err: &Error, redactor: &Redactor) -> Exit {
    eprintln!("trendtap: error: {}", err.report(redactor));
    err.exit()
}

/// One closing line for runs that did not end cleanly; cron mails stderr, so it must say it all.
fn report_end(end: &RunEnd) -> Exit {
    let total = end.charts_done + end.charts_failed;
    let stored = if end.stored { "stored" } else { "kept" };
    match end.halt {
        Some(Halt::Quota) => {
            let reset = youtube::quota::next_reset(chrono::Utc::now());
            eprintln!(
                "trendtap: the daily YouTube API quota is exhausted; it resets at midnight Pacific time ({}). {} of {total} charts were {stored}.",
                reset.format("%Y-%m-%d %H:%M UTC"),
                end.charts_done
            );
        }
        Some(Halt::BadKey) => eprintln!(
            "trendtap: error: the YouTube API rejected the key: check YOUTUBE_API_KEY or api_key_file, and that the key may call the YouTube Data API v3. {} of {total} charts were {stored}.",
            end.charts_done
        ),
        Some(h @ (Halt::Sigint | Halt::Sigterm)) => eprintln!(
            "trendtap: interrupted ({h}); {} of {total} complete charts were {stored}.",
            end.charts_done
        ),
        Some(Halt::Deadline) => eprintln!(
            "trendtap: error: the run's deadline passed; {} of {total} complete charts were {stored}.",
            end.charts_done
        ),
        None if end.charts_failed > 0 && end.charts_done > 0 => eprintln!(
            "trendtap: {} of {total} charts failed (see above); the other {} were {stored}.",
            end.charts_failed, end.charts_done
        ),
        None if end.charts_failed > 0 => eprintln!("trendtap: error: every chart failed (see above); nothing was stored."),
        None => {}
    }
    end.exit()
}
