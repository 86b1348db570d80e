//! The `trendtap` binary: parse, set up logging, run, exit. Everything else is in the library.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use trendtap::cli::{Cli, LogFormat};
use trendtap::progress::StderrAboveBar;

/// mimalloc (without transparent huge pages, which would bloat the resident set): a run
/// allocates and frees hundreds of thousands of small strings (titles, tags, ids), and the
/// normalize stage runs about 15% faster than on glibc's allocator, at the same peak memory
/// (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and exit 0; usage errors go to stderr with 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    init_logging(cli.verbose, cli.quiet, cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("trendtap: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let exit = runtime.block_on(trendtap::run(cli));
    ExitCode::from(exit as u8)
}

/// Logs go to stderr only. RUST_LOG wins; otherwise warnings and errors (cron mails only
/// problems), -q errors only, -v info, -vv debug, -vvv trace.
fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // sqlx warns of every statement that runs over a second, and each export stream is one.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,sqlx::query=error,trendtap={level}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(StderrAboveBar);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}
