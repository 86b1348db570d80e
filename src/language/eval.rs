//! The labelled evaluation set (`tests/data/lang_eval.tsv`) and how a detector is scored on it:
//! precision of the languages it states, and coverage. Shared by `examples/lang_eval.rs` and the
//! regression test, so both count the same way.

use std::collections::BTreeMap;

/// The evaluation set, compiled in so that tests and the example need no path.
pub const LANG_EVAL_TSV: &str = include_str!("../../tests/data/lang_eval.tsv");

/// One labelled title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample<'a> {
    /// The title as the API sent it (NFC, trimmed).
    pub title: &'a str,
    /// The chart's region.
    pub region: &'a str,
    /// The title's language (ISO 639-1, 639-3 where 639-1 has none), or "und".
    pub lang: &'a str,
    /// The file and video id it came from.
    pub source: &'a str,
    /// How the label was made.
    pub label_method: &'a str,
}

impl Sample<'_> {
    /// Whether the title belongs to the held-out part (about 30%), never looked at while tuning.
    /// The split hashes the title (FNV-1a), so it is stable and independent of the file order.
    pub fn is_holdout(&self) -> bool {
        let hash = self.title.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        hash % 10 < 3
    }
}

/// Parses the TSV (a header, then title, region, lang, source, label_method).
pub fn parse(tsv: &str) -> Result<Vec<Sample<'_>>, String> {
    let mut lines = tsv.lines();
    let header = lines.next().ok_or("empty file")?;
    if header != "title\tregion\tlang\tsource\tlabel_method" {
        return Err(format!("unexpected header: {header}"));
    }
    lines
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(i, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            match f[..] {
                [title, region, lang, source, label_method] => Ok(Sample {
                    title,
                    region,
                    lang,
                    source,
                    label_method,
                }),
                _ => Err(format!("line {}: {} fields, not 5", i + 2, f.len())),
            }
        })
        .collect()
}

/// Counts of one detector on some titles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Titles seen.
    pub titles: u32,
    /// Titles for which a language was stated (not "und").
    pub stated: u32,
    /// Stated languages equal to the label.
    pub right: u32,
}

impl Tally {
    /// Counts one answer (`None` is "und") against its label.
    pub fn add(&mut self, label: &str, answer: Option<&str>) {
        self.titles += 1;
        if let Some(answer) = answer {
            self.stated += 1;
            self.right += u32::from(answer == label);
        }
    }

    /// Share of stated languages that are right (1 when nothing was stated).
    pub fn precision(&self) -> f64 {
        ratio(self.right, self.stated)
    }

    /// Share of titles given a language.
    pub fn coverage(&self) -> f64 {
        ratio(self.stated, self.titles)
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// Tallies of a detector: overall, on the dev and held-out parts, and per stated language
/// (precision) and per labelled language (coverage, recall).
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every title.
    pub all: Tally,
    /// The part used while tuning.
    pub dev: Tally,
    /// The held-out part.
    pub holdout: Tally,
    /// Per labelled language: how its titles were answered.
    pub by_label: BTreeMap<String, Tally>,
    /// Per stated language: how many statements of it were right.
    pub by_answer: BTreeMap<String, Tally>,
}

impl Report {
    /// Scores `detect` on every sample.
    pub fn run<'a>(
        samples: &[Sample<'a>],
        mut detect: impl FnMut(&Sample<'a>) -> Option<String>,
    ) -> Report {
        let mut report = Report::default();
        for sample in samples {
            let answer = detect(sample);
            report.add(sample, answer.as_deref());
        }
        report
    }

    fn add(&mut self, sample: &Sample<'_>, answer: Option<&str>) {
        self.all.add(sample.lang, answer);
        let part = if sample.is_holdout() {
            &mut self.holdout
        } else {
            &mut self.dev
        };
        part.add(sample.lang, answer);
        self.by_label
            .entry(sample.lang.to_owned())
            .or_default()
            .add(sample.lang, answer);
        if let Some(answer) = answer {
            self.by_answer
                .entry(answer.to_owned())
                .or_default()
                .add(sample.lang, Some(answer));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_count_precision_and_coverage() {
        let mut t = Tally::default();
        t.add("en", Some("en"));
        t.add("en", Some("fr"));
        t.add("und", None);
        t.add("hi", None);
        assert_eq!((t.titles, t.stated, t.right), (4, 2, 1));
        assert_eq!((t.precision(), t.coverage()), (0.5, 0.5));
        assert_eq!(Tally::default().precision(), 1.0);
    }

    #[test]
    fn the_evaluation_set_parses_and_is_clean() {
        let samples = parse(LANG_EVAL_TSV).unwrap();
        assert!(samples.len() >= 1000, "{}", samples.len());
        let mut titles: Vec<&str> = samples.iter().map(|s| s.title).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), samples.len(), "titles are deduplicated");
        for s in &samples {
            assert!(crate::regions::canonical(s.region).is_some(), "{s:?}");
            assert!(
                (2..=3).contains(&s.lang.len()) && s.lang.bytes().all(|b| b.is_ascii_lowercase()),
                "{s:?}"
            );
            assert_eq!(s.title, crate::normalize::clean_text(s.title), "{s:?}");
        }
        let holdout = samples.iter().filter(|s| s.is_holdout()).count();
        assert!((0.25..0.35).contains(&(holdout as f64 / samples.len() as f64)));
    }

    #[test]
    fn malformed_files_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("a\tb\n").is_err());
        assert!(parse("title\tregion\tlang\tsource\tlabel_method\nonly\ttwo\n").is_err());
    }
}
