//! Scores trendtap's title language detection on the labelled set `tests/data/lang_eval.tsv`,
//! side by side with plain whatlang (its answer, always) and whatlang when it calls itself
//! reliable. See `tests/data/lang_eval.md` for how the set was made, `BENCHMARKS.md` for results.
//!
//! ```sh
//! cargo run --release --example lang_eval                 # the tables
//! cargo run --release --example lang_eval -- --errors dev # trendtap's wrong answers (dev part)
//! ```
//!
//! The titles go through `normalize::clean_text` first, as in a run. Only the title is used:
//! the API's language, when a video has one, would be stored instead (source `api`), and it is
//! not the title's language often enough to be scored as if it were (see lang_eval.md).

use std::time::Instant;

use trendtap::language::{self, eval};
use trendtap::normalize;

/// One way of answering.
struct System {
    name: &'static str,
    detect: fn(&str, &str) -> Option<String>,
}

const SYSTEMS: [System; 3] = [
    System {
        name: "trendtap",
        detect: |title, region| language::detect_in(title, region).map(str::to_owned),
    },
    System {
        name: "whatlang",
        detect: |title, _| whatlang::detect(title).map(|i| language::iso639_1(i.lang()).to_owned()),
    },
    System {
        name: "whatlang reliable",
        detect: |title, _| {
            whatlang::detect(title)
                .filter(|i| i.is_reliable())
                .map(|i| language::iso639_1(i.lang()).to_owned())
        },
    },
];

/// Timing passes; each title's time is its fastest pass (the least disturbed by the machine).
const PASSES: usize = 5;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let errors_in = match args.as_slice() {
        [] => None,
        [flag, part]
            if flag == "--errors" && ["dev", "holdout", "all"].contains(&part.as_str()) =>
        {
            Some(part.clone())
        }
        _ => return Err("usage: lang_eval [--errors dev|holdout|all]".into()),
    };
    let samples = eval::parse(eval::LANG_EVAL_TSV)?;
    let titles: Vec<String> = samples
        .iter()
        .map(|s| normalize::clean_text(s.title))
        .collect();

    let mut reports = Vec::new();
    for system in &SYSTEMS {
        let mut answers = titles
            .iter()
            .zip(&samples)
            .map(|(t, s)| (system.detect)(t, s.region));
        let report = eval::Report::run(&samples, |_| answers.next().flatten());
        reports.push((system, report, median_micros(system, &titles, &samples)));
    }

    println!(
        "Title language on tests/data/lang_eval.tsv: {} titles ({} dev, {} held out)\n",
        samples.len(),
        samples.iter().filter(|s| !s.is_holdout()).count(),
        samples.iter().filter(|s| s.is_holdout()).count()
    );
    println!("| detector | precision | coverage | precision (dev / held out) | coverage (dev / held out) | median µs/title |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (system, r, micros) in &reports {
        println!(
            "| {} | {} | {} | {} / {} | {} / {} | {micros:.1} |",
            system.name,
            pct(r.all.precision()),
            pct(r.all.coverage()),
            pct(r.dev.precision()),
            pct(r.holdout.precision()),
            pct(r.dev.coverage()),
            pct(r.holdout.coverage()),
        );
    }

    println!("\nPer language. titles: labelled so; precision: of the detector's answers in that language; recall: share of its titles answered right.\n");
    print!("| lang | titles |");
    for (system, _, _) in &reports {
        print!(" {0} precision | {0} recall |", system.name);
    }
    println!();
    println!("|---|---:|{}", "---:|---:|".repeat(reports.len()));
    let mut langs: Vec<&String> = reports
        .iter()
        .flat_map(|(_, r, _)| r.by_label.keys().chain(r.by_answer.keys()))
        .collect();
    langs.sort_unstable();
    langs.dedup();
    for lang in langs {
        let labelled = reports[0].1.by_label.get(lang).copied().unwrap_or_default();
        print!("| {lang} | {} |", labelled.titles);
        for (_, r, _) in &reports {
            let answered = r.by_answer.get(lang).copied().unwrap_or_default();
            let label = r.by_label.get(lang).copied().unwrap_or_default();
            let precision = if answered.stated == 0 {
                "–".to_owned()
            } else {
                format!(
                    "{} ({}/{})",
                    pct(answered.precision()),
                    answered.right,
                    answered.stated
                )
            };
            let recall = if label.titles == 0 || lang == language::UNDETERMINED {
                "–".to_owned()
            } else {
                pct(f64::from(label.right) / f64::from(label.titles))
            };
            print!(" {precision} | {recall} |");
        }
        println!();
    }

    if let Some(part) = errors_in {
        println!("\ntrendtap's wrong or missing answers ({part}):");
        for (sample, title) in samples.iter().zip(&titles) {
            let wanted = match part.as_str() {
                "dev" => !sample.is_holdout(),
                "holdout" => sample.is_holdout(),
                _ => true,
            };
            let answer = language::detect_in(title, sample.region);
            if wanted && answer != Some(sample.lang) {
                println!(
                    "{}\t{}\t{}\t{}",
                    sample.region,
                    sample.lang,
                    answer.unwrap_or("und"),
                    title
                );
            }
        }
    }
    Ok(())
}

/// Median over titles of each title's fastest time, in microseconds.
fn median_micros(system: &System, titles: &[String], samples: &[eval::Sample<'_>]) -> f64 {
    let mut best = vec![f64::INFINITY; titles.len()];
    for _ in 0..PASSES {
        for (i, (title, sample)) in titles.iter().zip(samples).enumerate() {
            let start = Instant::now();
            let answer = (system.detect)(title, sample.region);
            let micros = start.elapsed().as_secs_f64() * 1e6;
            std::hint::black_box(answer);
            best[i] = best[i].min(micros);
        }
    }
    best.sort_by(f64::total_cmp);
    best[best.len() / 2]
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}
