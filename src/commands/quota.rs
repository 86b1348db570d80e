//! `trendtap quota`: today's figures for the configured key, from the ledger that every
//! trendtap process using the same database books its requests in. Text for a person (with
//! the runs that spent today's units), or one JSON object for scripts and monitoring.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{fail, open_store, Context};
use crate::budget::{self, Budget, Usage};
use crate::cli::{FetchArgs, QuotaArgs, ReportFormat};
use crate::config;
use crate::error::{Error, Exit};
use crate::secret::Redactor;
use crate::store::Store;
use crate::youtube::quota::next_reset;

/// Runs `trendtap quota`.
pub async fn run(args: &QuotaArgs, ctx: &Context) -> Exit {
    let resolved = (|| {
        let loaded = ctx.config_file(args.db.config.as_deref())?;
        let origin = || match &loaded.path {
            Some(p) => format!("config file {}", p.display()),
            None => "config file".to_owned(),
        };
        let budget = config::resolve_budget(&args.quota, &loaded.file, &origin)?;
        let fetch_args = FetchArgs {
            db: args.db.clone(),
            ..FetchArgs::default()
        };
        let path = loaded.path.as_deref();
        let api = config::resolve_api(&fetch_args, &loaded.file, path, ctx.env)?;
        let url = config::resolve_db_url(&args.db, &loaded.file, path, ctx.env)?;
        Ok::<_, Error>((budget, budget::fingerprint(&api.key), url))
    })();
    let (budget, fingerprint, url) = match resolved {
        Ok(r) => r,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let now = Utc::now();
    let usage = async {
        let store = open_store(&url).await?;
        today(&store, &budget, &fingerprint, now).await
    }
    .await;
    match usage {
        Ok(usage) => {
            let report = Report::new(usage, now);
            match args.format {
                ReportFormat::Json => {
                    println!("{}", serde_json::to_string(&report).expect("plain data"))
                }
                ReportFormat::Text => print!("{}", report.text()),
            }
            Exit::Ok
        }
        Err(e) => fail(&Error::Store(e), &redactor),
    }
}

/// Today's usage of the key with `fingerprint`, from the ledger.
pub async fn today(
    store: &Store,
    budget: &Budget,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Usage, crate::store::StoreError> {
    let day = budget::day_of(now);
    let (runs, exhausted_at) = store.quota_day(day, fingerprint).await?;
    Ok(Usage::new(day, budget, runs, exhausted_at))
}

/// What `quota` prints: the usage, the reset time, whether Google said the quota is spent.
#[derive(Debug, Serialize)]
struct Report {
    #[serde(flatten)]
    usage: Usage,
    resets_at: String,
    exhausted: bool,
}

impl Report {
    fn new(usage: Usage, now: DateTime<Utc>) -> Self {
        Report {
            exhausted: usage.exhausted_at.is_some(),
            resets_at: next_reset(now).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            usage,
        }
    }

    fn text(&self) -> String {
        let u = &self.usage;
        let mut out = format!(
            "day        {} (Pacific time)\nlimit      {}\nreserve    {} (left for other programs)\nused       {}\nreserved   {}\nremaining  {}\nresets at  {}\n",
            u.day, u.limit, u.quota_reserve, u.used, u.reserved, u.remaining, self.resets_at
        );
        if let Some(at) = u.exhausted_at {
            out.push_str(&format!(
                "exhausted  Google said so at {} (runs exit 5 until the reset; --ignore-exhausted tries anyway)\n",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        if !u.runs.is_empty() {
            out.push_str("\nrun      job      spent  reserved  state\n");
            for r in &u.runs {
                let state = if r.settled { "done" } else { "running" };
                out.push_str(&format!(
                    "{:<8} {:<8} {:>5}  {:>8}  {state}\n",
                    r.run_id, r.job, r.spent, r.reserved
                ));
            }
        }
        out
    }
}
