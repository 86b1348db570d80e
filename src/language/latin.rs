//! Pure: the language of Latin-script words seen in a region. Grammar words, telling letters,
//! common English words and romanized Hindi, Punjabi, Tamil, Telugu or Malayalam decide; whatlang, restricted to the
//! region's languages, speaks alone only for a language the region expects; an uncertain answer
//! is no answer.

use std::cell::OnceCell;

use super::codes::iso639_1;
use super::function_words::{self, Votes};
use super::model::region_model;
use super::{dravidian, english, hindustani, telling};
use crate::regions;

/// Fewer letters than this say nothing ("ea", "BYE").
const MIN_LETTERS: usize = 4;
/// English needs this share of its words among a title's words (names and tags count in the
/// total: "Ivanka Trump Visits Golconda Fort" is English)...
const ENGLISH_SHARE: f64 = 0.2;
/// ...or this share when whatlang also ranks English first.
const ENGLISH_SHARE_WITH_TRIGRAMS: f64 = 0.1;
/// A single English word is enough only with this share ("Optical Illusions"), and whatlang
/// agreeing unless English is the region's home language; otherwise one English word among
/// names is a name ("Sun TV", "Lecrae - Broke").
const ONE_ENGLISH_WORD_SHARE: f64 = 0.25;
/// The region's own language (its first, when not English) wins over English vocabulary with a
/// single grammar word or telling letter, unless English words are at least this share.
const HOME_OVER_ENGLISH_SHARE: f64 = 0.5;
/// A language the region does not expect needs two function words, and two more than any other
/// language, unless whatlang agrees.
const UNEXPECTED_MARGIN: u8 = 2;
/// whatlang alone (no function word of the language) must be this sure.
const TRIGRAMS_ALONE: f64 = 0.9;

/// What a title's Latin words say, computed once.
struct Evidence<'a> {
    words: &'a str,
    region: &'a str,
    prior: &'static [&'static str],
    votes: Votes,
    /// Words, and words that are common English.
    total: u32,
    english: u32,
    trigram: OnceCell<(&'static str, f64)>,
}

impl Evidence<'_> {
    fn expected(&self, code: &str) -> bool {
        code == "en" || self.prior.contains(&code)
    }

    fn share(&self) -> f64 {
        f64::from(self.english) / f64::from(self.total.max(1))
    }

    /// whatlang's first language (within the region's model) and its confidence. whatlang is
    /// the slow part (about 1.5 µs per allowed language): asked only when needed.
    fn trigram(&self) -> (&'static str, f64) {
        *self.trigram.get_or_init(|| {
            region_model(self.region)
                .detector
                .detect(self.words)
                .map_or(("", 0.0), |i| (iso639_1(i.lang()), i.confidence()))
        })
    }

    /// Another language whose grammar words or telling letters outnumber English grammar words.
    /// A tie goes to a language the region expects, else to whatlang's pick.
    fn by_grammar(&self) -> Option<&'static str> {
        let (w, n) = self
            .votes
            .leader(|c| self.expected(c))
            .or_else(|| self.votes.leader(|c| c == self.trigram().0))
            .filter(|(w, _)| *w != "en")?;
        let ahead = n > self.votes.of_lang("en");
        let share = self.share();
        let home = self.prior.first() == Some(&w);
        let expected_enough = n >= 2
            || share < ENGLISH_SHARE
            || (home && self.votes.of_lang("en") == 0 && share < HOME_OVER_ENGLISH_SHARE);
        if ahead && self.expected(w) && expected_enough {
            return Some(w);
        }
        let margin = n - self.votes.runner_up(w);
        (ahead && n >= 2 && (margin >= UNEXPECTED_MARGIN || self.trigram().0 == w)).then_some(w)
    }

    /// English, when enough of the words are common English.
    fn by_english_words(&self) -> Option<&'static str> {
        let share = self.share();
        // Where English is the region's home language, whatlang is not asked to confirm a
        // single English word ("Microphone", "Meek Mill Outrage"): its trigrams mistake single
        // English words for French.
        let english_home = self.prior.first() == Some(&"en");
        // A title whose only word is common English is that word (a one-word work title that
        // is an ordinary word counts as one: "'Birthday' MV" once the name is set aside).
        let alone = self.total == 1;
        let enough = self.english >= 2
            || (self.english == 1
                && share >= ONE_ENGLISH_WORD_SHARE
                && (english_home || alone || self.trigram().0 == "en"));
        let english = enough
            && (share >= ENGLISH_SHARE
                || (share >= ENGLISH_SHARE_WITH_TRIGRAMS && self.trigram().0 == "en"));
        english.then_some("en")
    }

    /// whatlang alone, for a Latin language the region expects besides English (where the
    /// region expects none, whatlang's answer could not be taken).
    fn by_trigrams(&self) -> Option<&'static str> {
        if !region_model(self.region).expects_latin_besides_english {
            return None;
        }
        let (code, confidence) = self.trigram();
        (code != "en"
            && self.expected(code)
            && (self.votes.of_lang(code) > 0 || confidence >= TRIGRAMS_ALONE))
            .then_some(code)
    }
}

/// The language of Latin-script words seen in `region`.
///
/// In order: Hindi, Urdu or Punjabi in Latin letters, else Tamil, Telugu or Malayalam (where
/// expected); another language whose
/// function words and telling letters outnumber English function words; English, when enough of
/// the words are common English; whatlang (restricted to the region's languages, English and the
/// world's big Latin languages) alone for a language the region expects; else `None`.
pub fn latin(words: &str, region: &str) -> Option<&'static str> {
    latin_led(words, 0, region)
}

/// [`latin`], knowing that the title's first part holds the first `lead` words (0: not
/// known). A first part of two or three words with no English word is the work's title
/// ("Thaanaa Serndha Koottam | Suriya | Anirudh", "Apne Chichas V/S Asaduddin Owaisi"), and
/// one romanized Hindustani, Tamil, Telugu or Malayalam word there is enough, as it is in a
/// title of at most three words, unless the whole title holds more English words than that
/// first part has words.
pub fn latin_led(words: &str, lead: usize, region: &str) -> Option<&'static str> {
    if letters(words) < MIN_LETTERS {
        return None;
    }
    let prior = regions::languages(region);
    let lower = words.to_lowercase();
    let (total, english) = english_words(&lower);
    let romanized = romanized(&lower, prior).or_else(|| {
        // Not when the rest of the title is English ("Faisla Gujarat Ka: BJP will get nothing
        // less than 150 seats, says ..."): it holds more English words than the lead words.
        if !(2..=3).contains(&lead) || english as usize > lead {
            return None;
        }
        let end = lower
            .match_indices(' ')
            .nth(lead - 1)
            .map_or(lower.len(), |(i, _)| i);
        let title = &lower[..end];
        let english = title
            .split(' ')
            .any(|w| function_words::is_english(w) || english::is_common(w));
        if english {
            return None;
        }
        romanized(title, prior)
    });
    if let Some(((code, hits), english_before)) = romanized {
        // A title that opens in English, with as many English words before the first
        // Hindustani (or Tamil, Telugu, Malayalam) one as there are such words, is an English
        // title quoting a show or film ("Every Arranged Marriage Ever | Shaadi Mein Zaroor
        // Aana", "Types Of Kaam Wali Bai"): the label policy gives a tie to the first language.
        // English decides below.
        if hits > english_before {
            return Some(code);
        }
    }
    let mut votes = Votes::of_lower(&lower);
    telling::vote(&lower, prior, &mut votes);
    let evidence = Evidence {
        words,
        region,
        prior,
        votes,
        total,
        english,
        trigram: OnceCell::new(),
    };
    let answer = evidence
        .by_grammar()
        .or_else(|| evidence.by_english_words())
        .or_else(|| evidence.by_trigrams())?;
    // whatlang has no Malay and calls it Indonesian: where Malay is expected, it cannot say.
    if answer == "id" && prior.contains(&"ms") && !prior.contains(&"id") {
        return None;
    }
    Some(answer)
}

/// Hindi, Urdu or Punjabi in Latin letters, else Tamil, Telugu or Malayalam (where `prior`
/// expects them), with how many of their words `lower` holds and how many common English
/// words come before the first of them.
fn romanized(lower: &str, prior: &[&str]) -> Option<((&'static str, usize), usize)> {
    hindustani::detect(lower, prior)
        .map(|found| (found, english_before(lower, hindustani::is_word)))
        .or_else(|| {
            dravidian::detect(lower, prior).map(|found| {
                let english = english_before(lower, |w| dravidian::language_of(w).is_some());
                (found, english)
            })
        })
}

/// Letters in `text`.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| super::clean::is_letter(*c)).count()
}

/// Common English words (function words included) of lower-case words before the first
/// romanized word of another language (`is_word`).
fn english_before(lower: &str, is_word: impl Fn(&str) -> bool) -> usize {
    lower
        .split(' ')
        .take_while(|w| !is_word(w))
        .filter(|w| function_words::is_english(w) || english::is_common(w))
        .count()
}

/// Words, and words that are common English (function words included), of lower-case words.
fn english_words(lower: &str) -> (u32, u32) {
    let (mut total, mut english) = (0, 0);
    for word in lower.split(' ') {
        total += 1;
        // The function words first: one look-up, and the commonest words of a title.
        english += u32::from(function_words::is_english(word) || english::is_common(word));
    }
    (total, english)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_romanized_word_in_a_short_first_part_is_enough() {
        // "Thaanaa Serndha Koottam | Suriya | Anirudh": the first part is the work's title.
        assert_eq!(
            latin_led("Kadhal Desam Suriya Anirudh Vignesh Shivan", 2, "IN"),
            Some("ta")
        );
        assert_eq!(
            latin_led("Apna Sapna Asaduddin Owaisi Baigan", 2, "IN"),
            Some("hi")
        );
        // Without the parts, one word among many names is not enough.
        assert_eq!(
            latin("Kadhal Desam Suriya Anirudh Vignesh Shivan", "IN"),
            None
        );
        // Not when the first part holds English, nor when the rest of the title is English.
        assert_eq!(
            latin_led("Kadhal Story Suriya Anirudh Vignesh Shivan", 2, "IN"),
            None
        );
        assert_eq!(
            latin_led(
                "Faisla Gujarat Ka BJP will get nothing less than seats in the poll says Rawal",
                3,
                "IN"
            ),
            Some("en")
        );
        // Nor where the region does not expect the language.
        assert_eq!(
            latin_led("Kadhal Desam Suriya Anirudh Vignesh Shivan", 2, "FR"),
            None
        );
    }
}
