//! `trendtap completions SHELL` and `trendtap man`: the command line, described for shells and
//! for man, from clap's own definition (so they never drift from the flags).

use clap::CommandFactory;

use super::fail;
use crate::cli::Cli;
use crate::error::{Error, Exit};
use crate::secret::Redactor;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "trendtap", &mut std::io::stdout());
    Exit::Ok
}

/// Prints the man page (roff) on stdout.
pub fn man() -> Exit {
    let man = clap_mangen::Man::new(Cli::command());
    match man.render(&mut std::io::stdout()) {
        Ok(()) => Exit::Ok,
        Err(e) => fail(&Error::Output(e), &Redactor::default()),
    }
}
