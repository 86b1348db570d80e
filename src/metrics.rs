//! `--metrics-file PATH`: the last run's figures in the Prometheus text exposition format, for
//! node_exporter's textfile collector. Written after every run, failed ones included, to a
//! temporary name in the same directory and renamed, so the collector never reads half a file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What one run reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunMetrics {
    /// The command (`fetch`, `refresh`, ...), the `job` label.
    pub job: &'static str,
    /// When the run ended, seconds since the epoch.
    pub finished_at: f64,
    /// Its exit code.
    pub exit_code: u8,
    /// When the newest run that stored its charts (exit 0 or 3) ended, this one or an earlier
    /// one (carried over from the previous file), seconds since the epoch.
    pub last_success: Option<f64>,
    /// How long it took.
    pub duration_seconds: f64,
    /// Charts per status: `ok`, `no_chart`, `failed`, `skipped`.
    pub charts: [(&'static str, u64); 4],
    /// Requests sent to the API (quota units spent).
    pub api_requests: u64,
    /// Today's units used by every job on the key (the ledger), when known.
    pub quota_used: Option<u64>,
    /// Today's units left for trendtap, when known.
    pub quota_remaining: Option<u64>,
}

impl RunMetrics {
    /// The figures of a run of `job` that just ended with `exit` after `took`: a run that
    /// stored its data (exit 0 or 3) is the new last success.
    pub fn ended(job: &'static str, exit: crate::error::Exit, took: std::time::Duration) -> Self {
        let now = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
        let succeeded = matches!(exit, crate::error::Exit::Ok | crate::error::Exit::Partial);
        RunMetrics {
            job,
            finished_at: now,
            exit_code: exit as u8,
            last_success: succeeded.then_some(now),
            duration_seconds: took.as_secs_f64(),
            charts: [("ok", 0), ("no_chart", 0), ("failed", 0), ("skipped", 0)],
            ..RunMetrics::default()
        }
    }

    /// Writes the file, logging a failure (the run's outcome stands).
    pub fn write_or_log(&self, path: &Path) {
        if let Err(e) = self.write(path) {
            tracing::error!(path = %path.display(), "cannot write the metrics file: {e}");
        }
    }

    /// The ledger's figures for today: used or reserved, and what is left.
    pub fn with_usage(self, usage: Option<&crate::budget::Usage>) -> Self {
        RunMetrics {
            quota_used: usage.map(|u| u.used + u.reserved),
            quota_remaining: usage.map(|u| u.remaining),
            ..self
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let job = self.job;
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, samples: &[(String, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{{{labels}}} {value}");
            }
        };
        let one = |value: String| vec![(format!("job=\"{job}\""), value)];
        gauge(
            "trendtap_last_run_timestamp_seconds",
            "When the last run ended (Unix time).",
            &one(format!("{:.3}", self.finished_at)),
        );
        gauge(
            "trendtap_last_run_exit_code",
            "Exit code of the last run (0 ok, 3 partial, 5 quota; README: Exit codes).",
            &one(self.exit_code.to_string()),
        );
        if let Some(at) = self.last_success {
            gauge(
                "trendtap_last_success_timestamp_seconds",
                "When the newest run that stored its charts (exit 0 or 3) ended (Unix time).",
                &one(format!("{at:.3}")),
            );
        }
        gauge(
            "trendtap_last_run_duration_seconds",
            "Wall time of the last run.",
            &one(format!("{:.3}", self.duration_seconds)),
        );
        let charts: Vec<(String, String)> = self
            .charts
            .iter()
            .map(|(status, n)| (format!("job=\"{job}\",status=\"{status}\""), n.to_string()))
            .collect();
        gauge(
            "trendtap_charts",
            "Charts of the last run by status.",
            &charts,
        );
        gauge(
            "trendtap_api_requests",
            "Requests the last run sent to the API (quota units).",
            &one(self.api_requests.to_string()),
        );
        if let Some(used) = self.quota_used {
            gauge(
                "trendtap_quota_used_units",
                "Quota units used today (Pacific day) on this key by every trendtap job.",
                &one(used.to_string()),
            );
        }
        if let Some(remaining) = self.quota_remaining {
            gauge(
                "trendtap_quota_remaining_units",
                "Quota units trendtap may still spend today on this key.",
                &one(remaining.to_string()),
            );
        }
        out
    }

    /// Writes the file atomically (temporary name in the same directory, then rename). A run
    /// that did not succeed carries the previous file's last success over.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut metrics = self.clone();
        if metrics.last_success.is_none() {
            metrics.last_success = std::fs::read_to_string(path)
                .ok()
                .and_then(|old| previous_success(&old, self.job));
        }
        write_atomically(path, metrics.render().as_bytes())
    }
}

/// The last success recorded in a previous file, for `job`.
fn previous_success(text: &str, job: &str) -> Option<f64> {
    let series = format!("trendtap_last_success_timestamp_seconds{{job=\"{job}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(series.as_str()))
        .and_then(|v| v.trim().parse().ok())
}

/// Writes `bytes` to `path` through a temporary file beside it, synced, then renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp.{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_with_help_type_and_labels() {
        let m = RunMetrics {
            job: "fetch",
            finished_at: 1_796_000_000.5,
            exit_code: 3,
            last_success: Some(1_796_000_000.5),
            duration_seconds: 12.25,
            charts: [("ok", 5), ("no_chart", 1), ("failed", 2), ("skipped", 0)],
            api_requests: 21,
            quota_used: Some(121),
            quota_remaining: Some(9879),
        };
        let text = m.render();
        for line in [
            "trendtap_last_run_timestamp_seconds{job=\"fetch\"} 1796000000.500",
            "trendtap_last_run_exit_code{job=\"fetch\"} 3",
            "trendtap_last_run_duration_seconds{job=\"fetch\"} 12.250",
            "trendtap_charts{job=\"fetch\",status=\"failed\"} 2",
            "trendtap_api_requests{job=\"fetch\"} 21",
            "trendtap_quota_used_units{job=\"fetch\"} 121",
            "trendtap_quota_remaining_units{job=\"fetch\"} 9879",
            "# TYPE trendtap_charts gauge",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        // Unknown quota figures are left out, never written as 0.
        let dry = RunMetrics {
            quota_used: None,
            quota_remaining: None,
            ..m.clone()
        };
        assert!(!dry.render().contains("trendtap_quota"));
        assert_eq!(previous_success(&text, "fetch"), Some(1_796_000_000.5));
    }

    #[test]
    fn a_failed_run_carries_the_last_success_over() {
        let dir = std::env::temp_dir().join(format!("trendtap-success-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trendtap.prom");
        let ok = RunMetrics {
            job: "fetch",
            finished_at: 100.0,
            last_success: Some(100.0),
            ..RunMetrics::default()
        };
        ok.write(&path).unwrap();
        let failed = RunMetrics {
            job: "fetch",
            finished_at: 200.0,
            exit_code: 1,
            ..RunMetrics::default()
        };
        failed.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(previous_success(&text, "fetch"), Some(100.0));
        assert!(text.contains("trendtap_last_run_exit_code{job=\"fetch\"} 1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("trendtap-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trendtap.prom");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(write_atomically(&dir.join("missing/x.prom"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
