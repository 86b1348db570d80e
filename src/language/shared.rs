//! Pure: the language of text in a script several languages share (Latin, Cyrillic, Arabic,
//! Devanagari). whatlang ranks the candidates; the region's prior narrows them; letters only one
//! language uses settle the rest; an uncertain answer is no answer.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use whatlang::{Detector, Lang};

use super::function_words::{self, Votes};
use super::{english, hindustani, iso639_1, whatlang_lang};
use crate::regions;

/// Latin-script languages every region's detector also weighs: the most common non-English
/// Latin languages of YouTube's charts. A French title in a British chart must not be called
/// English just because French is not expected there.
const WORLD: [Lang; 4] = [Lang::Spa, Lang::Fra, Lang::Por, Lang::Deu];

/// Decoys: languages that draw whatlang's first place away from English for text that looks like
/// no expected language (romanized Tamil, Telugu...). whatlang's answer is only ever taken for a
/// language the region expects, so a decoy in first place means "not English", never itself.
const DECOYS: [Lang; 2] = [Lang::Ind, Lang::Tgl];

const CYRILLIC: [Lang; 6] = [
    Lang::Rus,
    Lang::Ukr,
    Lang::Bel,
    Lang::Bul,
    Lang::Srp,
    Lang::Mkd,
];
const DEVANAGARI: [Lang; 3] = [Lang::Hin, Lang::Mar, Lang::Nep];
const ARABIC: [Lang; 3] = [Lang::Ara, Lang::Pes, Lang::Urd];

/// What detection knows of a region, built once per region ("" for no region).
struct RegionModel {
    /// whatlang restricted to the region's languages, English, [`WORLD`] and [`DECOYS`]. Each
    /// allowed language costs about 1.5 µs a title.
    detector: Detector,
    /// Whether the region expects a Latin-script language other than English that whatlang
    /// knows: only then can whatlang's answer alone name a Latin title's language.
    expects_latin_besides_english: bool,
}

fn region_model(region: &str) -> &'static RegionModel {
    static MODELS: OnceLock<FxHashMap<&'static str, RegionModel>> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        let build = |langs: &[&str]| {
            let mut allow: Vec<Lang> = langs.iter().filter_map(|l| whatlang_lang(l)).collect();
            // A script the region's languages do not use keeps all its candidates: a Russian
            // title in an Indian chart is still told from Ukrainian.
            for family in [&CYRILLIC[..], &DEVANAGARI, &ARABIC] {
                if !family.iter().any(|l| allow.contains(l)) {
                    allow.extend(family);
                }
            }
            for lang in [Lang::Eng].iter().chain(&WORLD).chain(&DECOYS) {
                if !allow.contains(lang) {
                    allow.push(*lang);
                }
            }
            let expects_latin_besides_english = langs.iter().any(|code| {
                *code != "en"
                    && whatlang_lang(code)
                        .is_some_and(|l| whatlang::Script::Latin.langs().contains(&l))
            });
            RegionModel {
                detector: Detector::with_allowlist(allow),
                expects_latin_besides_english,
            }
        };
        regions::LANGUAGE_PRIORS
            .iter()
            .map(|(code, langs)| (*code, build(langs)))
            .chain([("", build(&[]))])
            .collect()
    });
    models.get(region).unwrap_or_else(|| &models[""])
}

/// Letters in `text`.
fn letters(text: &str) -> usize {
    text.chars().filter(|c| super::clean::is_letter(*c)).count()
}

/// Fewer letters than this say nothing ("ea", "BYE").
const MIN_LETTERS: usize = 4;
/// English needs this share of its words among a title's words (names and tags count in the
/// total: "Ivanka Trump Visits Golconda Fort" is English)...
const ENGLISH_SHARE: f64 = 0.2;
/// ...or this share when whatlang also ranks English first.
const ENGLISH_SHARE_WITH_TRIGRAMS: f64 = 0.1;
/// A single English word is enough only with whatlang agreeing and this share ("Optical
/// Illusions"); otherwise one English word among names is a name ("Sun TV", "Lecrae - Broke").
const ONE_ENGLISH_WORD_SHARE: f64 = 0.25;
/// A language the region does not expect needs two function words, and two more than any other
/// language, unless whatlang agrees.
const UNEXPECTED_MARGIN: u8 = 2;
/// whatlang alone (no function word of the language) must be this sure.
const TRIGRAMS_ALONE: f64 = 0.9;

/// The language of Latin-script words seen in `region`.
///
/// In order: Hindi or Urdu in Latin letters (where expected); another language whose function
/// words outnumber English ones; English, when enough of the words are common English; whatlang
/// (restricted to the region's languages, English and the world's big Latin languages) alone
/// for a language the region expects; else `None`.
pub fn latin(words: &str, region: &str) -> Option<&'static str> {
    if letters(words) < MIN_LETTERS {
        return None;
    }
    let prior = regions::languages(region);
    let lower = words.to_lowercase();
    if let Some(code) = hindustani::detect(&lower, prior) {
        return Some(code);
    }
    let expected = |code: &str| code == "en" || prior.contains(&code);
    let votes = Votes::of_lower(&lower);
    // whatlang is the slow part (about 1.5 µs per allowed language): ask it only when needed.
    let trigram = std::cell::OnceCell::new();
    let trigram = || {
        *trigram.get_or_init(|| {
            region_model(region)
                .detector
                .detect(words)
                .map_or(("", 0.0), |i| (iso639_1(i.lang()), i.confidence()))
        })
    };
    let (total, english) = english_words(&lower);
    let share = f64::from(english) / f64::from(total.max(1));

    let answer = 'answer: {
        // Another language's grammar words outnumber English ones. A tie goes to a language
        // the region expects, else to whatlang's pick.
        let leader = votes
            .leader(|c| expected(c))
            .or_else(|| votes.leader(|c| c == trigram().0));
        if let Some((w, n)) = leader.filter(|(w, _)| *w != "en") {
            let ahead = n > votes.of_lang("en");
            if ahead && expected(w) && (n >= 2 || share < ENGLISH_SHARE) {
                break 'answer Some(w);
            }
            let margin = n - votes.runner_up(w);
            if ahead && n >= 2 && (margin >= UNEXPECTED_MARGIN || trigram().0 == w) {
                break 'answer Some(w);
            }
        }
        let enough = english >= 2
            || (english == 1 && share >= ONE_ENGLISH_WORD_SHARE && trigram().0 == "en");
        if enough
            && (share >= ENGLISH_SHARE
                || (share >= ENGLISH_SHARE_WITH_TRIGRAMS && trigram().0 == "en"))
        {
            break 'answer Some("en");
        }
        // No grammar words to go by: whatlang alone, for a language the region expects (when
        // the region expects none but English, whatlang's answer could not be taken).
        if !region_model(region).expects_latin_besides_english {
            break 'answer None;
        }
        let (t_code, t_conf) = trigram();
        if t_code != "en"
            && expected(t_code)
            && (votes.of_lang(t_code) > 0 || t_conf >= TRIGRAMS_ALONE)
        {
            break 'answer Some(t_code);
        }
        None
    }?;
    // whatlang has no Malay and calls it Indonesian: where Malay is expected, it cannot say.
    if answer == "id" && prior.contains(&"ms") && !prior.contains(&"id") {
        return None;
    }
    Some(answer)
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

/// Words only Marathi uses (auxiliaries, postpositions, the letter ळ) against Hindi's.
const MARATHI: &[&str] = &[
    "आहे",
    "आहेत",
    "काय",
    "च्या",
    "झाला",
    "झाली",
    "नाही",
    "मध्ये",
    "आणि",
    "होता",
    "केला",
    "केली",
];
/// Marathi genitive endings ("ठाकरेंचं", "देशाच्या"); Hindi marks the genitive with का/की/के.
const MARATHI_ENDINGS: &[&str] = &["च्या", "चं"];
const HINDI: &[&str] = &[
    "है",
    "हैं",
    "का",
    "की",
    "के",
    "में",
    "नहीं",
    "से",
    "को",
    "ने",
    "और",
    "था",
    "थी",
    "हुआ",
    "हुई",
    "क्या",
];

/// The language of Devanagari words: Hindi, Marathi or Nepali. Grammar words decide when they
/// are there (whatlang confuses the two on a few words); whatlang, within the region's
/// languages, otherwise.
pub fn devanagari(words: &str, region: &str) -> Option<&'static str> {
    let words_in = |list: &[&str]| words.split(' ').filter(|w| list.contains(w)).count();
    let marathi = words_in(MARATHI)
        + words
            .split(' ')
            .filter(|w| MARATHI_ENDINGS.iter().any(|e| w.ends_with(e)))
            .count()
        + usize::from(words.contains('ळ'));
    let hindi = words_in(HINDI);
    let prior = regions::languages(region);
    let allowed = |code| {
        prior.is_empty()
            || prior.contains(&code)
            || !prior.iter().any(|l| matches!(*l, "hi" | "mr" | "ne"))
    };
    if marathi > hindi && allowed("mr") {
        return Some("mr");
    }
    if hindi > marathi && allowed("hi") {
        return Some("hi");
    }
    let info = region_model(region).detector.detect(words)?;
    (info.confidence() >= 0.5 || prior.contains(&iso639_1(info.lang())))
        .then(|| iso639_1(info.lang()))
}

/// The language of Arabic-script words: Urdu and Persian have letters Arabic lacks.
pub fn arabic(words: &str, region: &str) -> Option<&'static str> {
    let prior = regions::languages(region);
    let only_arabic = prior.contains(&"ar") && !prior.iter().any(|l| matches!(*l, "fa" | "ur"));
    if only_arabic {
        return Some("ar");
    }
    if words
        .chars()
        .any(|c| matches!(c, 'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ۓ'))
    {
        return Some("ur");
    }
    if words
        .chars()
        .any(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی' | 'ک'))
    {
        return Some("fa");
    }
    Some("ar")
}

/// The language of Cyrillic words. Letters one language alone uses decide (і ї є ґ Ukrainian,
/// ў Belarusian, ђ ћ Serbian, ѓ ќ ѕ Macedonian, қ ғ ң ә ө ұ Kazakh, ы э ё Russian or
/// Belarusian); whatlang within the region's languages otherwise.
pub fn cyrillic(words: &str, region: &str) -> Option<&'static str> {
    let has = |set: &[char]| {
        words
            .chars()
            .any(|c| set.contains(&c.to_lowercase().next().unwrap_or(c)))
    };
    if has(&['қ', 'ғ', 'ң', 'ә', 'ө', 'ұ', 'ү', 'һ']) {
        return Some("kk");
    }
    if has(&['ў']) {
        return Some("be");
    }
    if has(&['ї', 'є', 'ґ']) || (has(&['і']) && !has(&['ы', 'э', 'ё'])) {
        return Some("uk");
    }
    if has(&['ѓ', 'ќ', 'ѕ']) {
        return Some("mk");
    }
    if has(&['ђ', 'ћ']) {
        return Some("sr");
    }
    if has(&['ы', 'э', 'ё']) {
        return Some("ru");
    }
    let info = region_model(region).detector.detect(words)?;
    let code = iso639_1(info.lang());
    let prior = regions::languages(region);
    // Bulgarian writes ъ in most sentences; without it, and where Bulgarian is not expected,
    // the far commoner Russian is the better reading of whatlang's "bg".
    if code == "bg" && !prior.contains(&"bg") && !has(&['ъ']) {
        return Some("ru");
    }
    (info.confidence() >= 0.5 || prior.contains(&code)).then_some(code)
}
