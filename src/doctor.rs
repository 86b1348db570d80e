//! `trendtap doctor`: checks what a run needs, one line per check with a hint when it fails:
//! the configuration, the API key (one cheap request), the database (reachable, migrated, lock
//! free) and the last run. The report goes to stdout; the exit code is 1 when any check fails.

use std::fmt::Write as _;
use std::path::Path;

use crate::cli::{DoctorArgs, FetchArgs};
use crate::config::{self, EnvFn};
use crate::error::{ConfigError, Exit};
use crate::secret::Redactor;
use crate::store::{LockState, Store};
use crate::youtube::{ApiError, Client};

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

/// Runs every check and writes the report; returns the exit code.
pub async fn run(args: &DoctorArgs, cwd: &Path, env: EnvFn<'_>, out: &mut String) -> Exit {
    let mut checks = Vec::new();
    // Secrets met on the way, kept out of the report.
    let mut secrets: Vec<String> = Vec::new();

    let (file, path) = match config::load_file(args.db.config.as_deref(), cwd) {
        Ok(loaded) => loaded,
        Err(e) => {
            checks.push(check(
                "config",
                Status::Fail,
                e.to_string(),
                Some("fix the file, or pass --config PATH"),
            ));
            return report(&checks, &secrets, out);
        }
    };
    let origin = path.as_ref().map_or_else(
        || "no config file: defaults".to_owned(),
        |p| format!("{}", p.display()),
    );
    checks.push(check("config", Status::Ok, origin, None));
    let fetch_args = FetchArgs {
        api_base_url: args.api_base_url.clone(),
        db: args.db.clone(),
        ..FetchArgs::default()
    };
    if let Err(ConfigError::NoRegions) =
        config::resolve_fetch(&fetch_args, &file, path.as_deref(), env)
    {
        checks.push(check(
            "regions",
            Status::Warn,
            "none configured",
            Some("set `regions` in the config file, or pass --region to fetch"),
        ));
    }

    match config::resolve_api(&fetch_args, &file, path.as_deref(), env) {
        Err(e) => checks.push(check("api key", Status::Fail, e.to_string(), None)),
        Ok(_) if args.offline => checks.push(check(
            "api key",
            Status::Warn,
            "not checked (--offline)",
            None,
        )),
        Ok(api) => {
            secrets.push(api.key.expose().to_owned());
            let result = match Client::new(&api) {
                Ok(client) => client.check_key().await,
                Err(e) => Err(ApiError::Transport {
                    kind: "client",
                    message: e,
                    retryable: false,
                }),
            };
            checks.push(match result {
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
            });
        }
    }

    let url = match config::resolve_db_url(&args.db, &file, path.as_deref(), env) {
        Ok(url) => url,
        Err(e) => {
            checks.push(check("database", Status::Fail, e.to_string(), None));
            return report(&checks, &secrets, out);
        }
    };
    secrets.extend(url.password().map(str::to_owned));
    let mut store = match Store::open(&url).await {
        Ok(store) => store,
        Err(e) => {
            checks.push(check(
                "database",
                Status::Fail,
                e.to_string(),
                Some("is the server running, and the URL (--database-url, DATABASE_URL, database_url) right?"),
            ));
            return report(&checks, &secrets, out);
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
        return report(&checks, &secrets, out);
    }
    checks.push(check("migrations", Status::Ok, "all applied", None));
    checks.push(match store.lock(None).await {
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
    });
    checks.push(match store.latest_run().await {
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
    });
    report(&checks, &secrets, out)
}

fn report(checks: &[Check], secrets: &[String], out: &mut String) -> Exit {
    let redactor = Redactor::new(secrets.iter().map(String::as_str));
    for c in checks {
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
    if checks.iter().any(|c| c.status == Status::Fail) {
        Exit::Failure
    } else {
        Exit::Ok
    }
}
