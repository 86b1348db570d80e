//! The `lang` scenario of the benchmark: title language detection alone, on one core, over two
//! mixes of real chart titles, each title with its chart's region:
//!
//! - **multi-language**: every real chart of the repository: the 2017 rows of
//!   `tests/data/trending_2017.csv` (CA, GB, IN, MX, US), the recorded API responses of
//!   `tests/data/videos_*.json` (IN, JP, KR, SA, US) and the 2020 Kaggle chart titles of
//!   `tests/data/lang_eval.tsv` (BR, CA, DE, FR, GB, IN, JP, KR, MX, RU, US);
//! - **English-heavy**: the 2017 rows alone, the mix the `cpu` scenario's pages are made of.
//!
//! Every title goes through `language::detect_in`, after `normalize::clean_text` as in a run
//! (the cleaning is not timed). The mean is a whole pass over the mix divided by its titles
//! (fastest of the passes); the 99th percentile is over titles, each title's fastest pass.

use std::time::Instant;

use serde_json::Value;
use trendtap::{language, normalize};

const PASSES: usize = 7;

fn data(path: &str) -> String {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `(region, title)` of every row of the 2017 trending sample.
fn trending_2017() -> Vec<(String, String)> {
    let text = data("trending_2017.csv");
    let mut reader = csv_rows(&text);
    reader.next(); // header
    reader
        .map(|fields| (fields[0].clone(), fields[2].clone()))
        .collect()
}

/// A minimal CSV reader (quotes, doubled quotes): enough for the repository's sample.
fn csv_rows(text: &str) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut field)),
                '\n' if !quoted => break,
                '\r' if !quoted => {}
                _ => field.push(c),
            }
        }
        fields.push(field);
        Some(fields)
    })
}

/// `(region, title)` of every item of the recorded API responses.
fn api_examples() -> Vec<(String, String)> {
    let dir = format!("{}/tests/data", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("videos_") && n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let region = match name.strip_prefix("videos_mostPopular_") {
            Some(rest) => rest[..2].to_owned(),
            None if name.contains("_IN_") => "IN".to_owned(),
            None => "US".to_owned(),
        };
        let body: Value = serde_json::from_str(&data(&name)).unwrap();
        for item in body["items"].as_array().into_iter().flatten() {
            if let Some(title) = item["snippet"]["title"].as_str() {
                out.push((region.clone(), title.to_owned()));
            }
        }
    }
    out
}

/// `(region, title)` of the 2020 Kaggle chart titles in the labelled set.
fn kaggle_2020() -> Vec<(String, String)> {
    data("lang_eval.tsv")
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let kaggle = f.get(3)?.starts_with("kaggle-2020/") || f[3].contains("kaggle/US_");
            kaggle.then(|| (f[1].to_owned(), f[0].to_owned()))
        })
        .collect()
}

/// Mean and 99th percentile microseconds per title of detection on `mix`.
fn measure(mix: &[(String, String)]) -> (f64, f64) {
    let titles: Vec<(&str, String)> = mix
        .iter()
        .map(|(region, title)| {
            let region = trendtap::regions::canonical(region).unwrap_or("");
            (region, normalize::clean_text(title))
        })
        .collect();
    let mut best_pass = f64::INFINITY;
    let mut best = vec![f64::INFINITY; titles.len()];
    for _ in 0..PASSES {
        let started = Instant::now();
        for (region, title) in &titles {
            std::hint::black_box(language::detect_in(title, region));
        }
        best_pass = best_pass.min(started.elapsed().as_secs_f64() * 1e6);
        for (i, (region, title)) in titles.iter().enumerate() {
            let started = Instant::now();
            std::hint::black_box(language::detect_in(title, region));
            best[i] = best[i].min(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    best.sort_by(f64::total_cmp);
    let p99 = best[(best.len() * 99 / 100).min(best.len() - 1)];
    (best_pass / titles.len() as f64, p99)
}

/// Runs the scenario and prints its table.
pub fn run() {
    let english_heavy = trending_2017();
    let mut multi = english_heavy.clone();
    multi.extend(api_examples());
    multi.extend(kaggle_2020());
    let regions = |mix: &[(String, String)]| {
        let mut r: Vec<&str> = mix.iter().map(|(r, _)| r.as_str()).collect();
        r.sort_unstable();
        r.dedup();
        r.join(" ")
    };
    // Warm the lazily built tables (word sets, region models) out of the measurement.
    measure(&multi[..1]);
    println!("\n## Title language detection, one core (fastest of {PASSES} passes)\n");
    println!("| mix | titles | regions | mean µs/title | p99 µs/title |");
    println!("|---|---:|---|---:|---:|");
    for (name, mix) in [
        ("multi-language", &multi),
        ("English-heavy (2017 rows)", &english_heavy),
    ] {
        let (mean, p99) = measure(mix);
        println!(
            "| {name} | {} | {} | {mean:.2} | {p99:.1} |",
            mix.len(),
            regions(mix)
        );
    }
}
