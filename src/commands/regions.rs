//! `trendtap regions`: the region codes YouTube supports, one `CODE<TAB>name` a line.

use crate::error::Exit;
use crate::regions::REGIONS;

/// Prints the region list on stdout.
pub fn run() -> Exit {
    let mut text = String::new();
    for (code, name) in REGIONS {
        text.push_str(&format!("{code}\t{name}\n"));
    }
    print!("{text}");
    Exit::Ok
}
