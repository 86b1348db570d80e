//! `trendtap doctor`: checks what a run needs, one line per check with a hint when it fails:
//! the configuration, the API key (one cheap request), the database (reachable, migrated, lock
//! free), the last run and today's quota (from the ledger). The report goes to stdout; the exit code is 1 when any check fails.

use std::fmt::Write as _;
use std::path::Path;

use super::Context;
use crate::budget::{self, Budget};
use crate::cli::{DoctorArgs, FetchArgs, QuotaFlags};
use crate::config::{self, EnvFn, Loaded};
use crate::error::{ConfigError, Exit};
use crate::secret::{DatabaseUrl, Redactor};
use crate::store::{LockState, Store};
use crate::youtube::quota::next_reset;
use crate::youtube::{ApiError, Client, ClientSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    hint: Option<String>,
}

fn check(
    name: &'static str,
    status: Status,
    detail: impl Into<String>,
    hint: Option<&str>,
) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
        hint: hint.map(str::to_owned),
    }
}

/// Runs `trendtap doctor`: the report on stdout, exit 1 when a check failed.
pub async fn run(args: &DoctorArgs, ctx: &Context) -> Exit {
    let mut report = String::new();
    let exit = diagnose(args, &ctx.cwd, ctx.env, &mut report).await;
    print!("{report}");
    exit
}

/// The checks found so far, and the secrets met on the way (kept out of the report).
#[derive(Default)]
struct Checks {
    list: Vec<Check>,
    secrets: Vec<String>,
}

impl Checks {
    fn push(&mut self, c: Check) {
        self.list.push(c);
    }
}

/// Runs every check and writes the report into `out`; returns the exit code.
pub async fn diagnose(args: &DoctorArgs, cwd: &Path, env: EnvFn<'_>, out: &mut String) -> Exit {
    let mut checks = Checks::default();
    let loaded = match Loaded::read(args.db.config.as_deref(), cwd) {
        Ok(loaded) => loaded,
        Err(e) => {
            checks.push(check(
                "config",
                Status::Fail,
                e.to_string(),
                Some("fix the file, or pass --config PATH"),
            ));
            return report(&checks, out);
        }
    };
    let origin = loaded.path.as_ref().map_or_else(
        || "no config file: defaults".to_owned(),
        |p| format!("{}", p.display()),
    );
    checks.push(check("config", Status::Ok, origin, None));
    let fetch_args = FetchArgs {
        api_base_url: args.api_base_url.clone(),
        db: args.db.clone(),
        ..FetchArgs::default()
    };
    let (file, path) = (&loaded.file, loaded.path.as_deref());
    if let Err(ConfigError::NoRegions) = config::resolve_fetch(&fetch_args, file, path, env) {
        checks.push(check(
            "regions",
            Status::Warn,
            "none configured",
            Some("set `regions` in the config file, or pass --region to fetch"),
        ));
    }
    match config::resolve_api(&fetch_args, file, path, env) {
        Err(e) => checks.push(check("api key", Status::Fail, e.to_string(), None)),
        Ok(_) if args.offline => checks.push(check(
            "api key",
            Status::Warn,
            "not checked (--offline)",
            None,
        )),
        Ok(api) => {
            checks.secrets.push(api.key.expose().to_owned());
            checks.push(check_key(&api).await);
        }
    }
    // Today's quota needs the key's fingerprint (not the key itself, nor a request).
    let origin = || "config file".to_owned();
    let quota = match (
        config::resolve_api(&fetch_args, file, path, env),
        config::resolve_budget(&QuotaFlags::default(), file, &origin),
    ) {
        (Ok(api), Ok(budget)) => Some((budget, budget::fingerprint(&api.key))),
        _ => None,
    };
    match config::resolve_db_url(&args.db, file, path, env) {
        Ok(url) => {
            checks.secrets.extend(url.password().map(str::to_owned));
            check_database(&url, &mut checks, quota).await;
        }
        Err(e) => checks.push(check("database", Status::Fail, e.to_string(), None)),
    }
    report(&checks, out)
}

/// The key, with the cheapest request there is (1 unit).
async fn check_key(api: &ClientSettings) -> Check {
    let result = match Client::new(api) {
        Ok(client) => client.check_key().await,
        Err(e) => Err(ApiError::Transport {
            kind: "client",
            message: e,
            retryable: false,
        }),
    };
    match result {
        Ok(n) => check("api key", Status::Ok, format!("accepted by {} ({n} regions listed)", api.base_url), None),
        Err(e @ ApiError::BadKey { .. }) => check(
            "api key",
            Status::Fail,
            e.to_string(),
            Some("check YOUTUBE_API_KEY or api_key_file, and that the key may call the YouTube Data API v3"),
        ),
        Err(e @ ApiError::Quota { .. }) => check(
            "api key",
            Status::Fail,
            e.to_string(),
            Some("the quota resets at midnight Pacific time"),
        ),
        Err(e) => check(
            "api key",
            Status::Fail,
            format!("{}: {e}", api.base_url),
            Some("check the network and api_base_url"),
        ),
    }
}

/// The database: reachable, migrated, its lock free, its last run.
async fn check_database(url: &DatabaseUrl, checks: &mut Checks, quota: Option<(Budget, String)>) {
    let mut store = match Store::open(url).await {
        Ok(store) => store,
        Err(e) => {
            checks.push(check(
                "database",
                Status::Fail,
                e.to_string(),
                Some("is the server running, and the URL (--database-url, DATABASE_URL, database_url) right?"),
            ));
            return;
        }
    };
    checks.push(check(
        "database",
        Status::Ok,
        format!("reachable: {}", store.target()),
        None,
    ));
    let pending = store.pending_migrations().await;
    if pending > 0 {
        checks.push(check(
            "migrations",
            Status::Warn,
            format!("{pending} pending"),
            Some("fetch applies them itself; `trendtap migrate` applies them now"),
        ));
        return;
    }
    checks.push(check("migrations", Status::Ok, "all applied", None));
    checks.push(check_lock(&mut store).await);
    checks.push(check_last_run(&store).await);
    if let Some((budget, fingerprint)) = quota {
        checks.push(check_quota(&store, &budget, &fingerprint).await);
    }
}

/// Today's quota from the ledger: a warning when Google said it is spent or under 10% is left.
async fn check_quota(store: &Store, budget: &Budget, fingerprint: &str) -> Check {
    let now = chrono::Utc::now();
    let usage = match super::quota::today(store, budget, fingerprint, now).await {
        Ok(usage) => usage,
        Err(e) => return check("quota", Status::Fail, e.to_string(), None),
    };
    let detail = format!(
        "{} of {} units used or reserved today ({} Pacific), {} left; resets {}",
        usage.used + usage.reserved,
        usage.limit,
        usage.day,
        usage.remaining,
        next_reset(now).format("%Y-%m-%d %H:%M UTC")
    );
    if usage.exhausted_at.is_some() {
        check("quota", Status::Warn, detail, Some("Google said today's quota is exhausted: fetches exit 5 until the reset (--ignore-exhausted tries anyway)"))
    } else if usage.remaining * 10 < budget.limit() {
        check(
            "quota",
            Status::Warn,
            detail,
            Some("under 10% left: `trendtap quota` shows which runs spent it"),
        )
    } else {
        check("quota", Status::Ok, detail, None)
    }
}

async fn check_lock(store: &mut Store) -> Check {
    match store.lock(None).await {
        Ok(LockState::Acquired) => check("lock", Status::Ok, "free", None),
        Ok(LockState::Busy { run_id, started_at }) => check(
            "lock",
            Status::Fail,
            format!(
                "held by run {} (started {})",
                run_id.map_or_else(|| "?".to_owned(), |r| r.to_string()),
                started_at.map_or_else(|| "?".to_owned(), |t| t.to_rfc3339())
            ),
            Some("a fetch is running; `fetch --wait-lock SECONDS` waits for it"),
        ),
        Err(e) => check("lock", Status::Fail, e.to_string(), None),
    }
}

async fn check_last_run(store: &Store) -> Check {
    match store.latest_run().await {
        Ok(None) => check(
            "last run",
            Status::Warn,
            "none yet",
            Some("run `trendtap fetch`"),
        ),
        Ok(Some((id, status, started))) if status == "ok" || status == "running" => check(
            "last run",
            Status::Ok,
            format!("run {id} ({started}): {status}"),
            None,
        ),
        Ok(Some((id, status, started))) => check(
            "last run",
            Status::Fail,
            format!("run {id} ({started}): {status}"),
            Some("its `runs` row has each chart's error (columns charts and error)"),
        ),
        Err(e) => check("last run", Status::Fail, e.to_string(), None),
    }
}

fn report(checks: &Checks, out: &mut String) -> Exit {
    let redactor = Redactor::new(checks.secrets.iter().map(String::as_str));
    for c in &checks.list {
        let status = match c.status {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        let _ = writeln!(
            out,
            "{status:<5} {:<11} {}",
            c.name,
            redactor.redact(&c.detail)
        );
        if let Some(hint) = &c.hint {
            let _ = writeln!(out, "{:<17} hint: {hint}", "");
        }
    }
    if checks.list.iter().any(|c| c.status == Status::Fail) {
        Exit::Failure
    } else {
        Exit::Ok
    }
}
