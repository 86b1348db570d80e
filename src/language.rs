//! A video's language: the API's word first, then the title (cleaned, its script, the region's
//! likely languages, whatlang), then the channel's other videos in the run, else "und".
//! Pure functions; codes are ISO 639-1 where one exists, as the API's own tags are.
//!
//! A wrong language is worse than an honest "und": every rule here abstains when the evidence is
//! thin. `tests/data/lang_eval.tsv` measures it (`cargo run --release --example lang_eval`; the
//! guard is the integration test `tests/it/lang_eval`).

mod channel;
mod clean;
mod codes;
mod dravidian;
mod english;
mod function_words;
mod hindustani;
mod latin;
mod model;
mod non_latin;
mod script;
mod telling;

use crate::model::LanguageSource;
use crate::regions;
use function_words::Votes;
use script::{Census, Script};

pub use channel::apply_channel_languages;
pub use codes::{iso639_1, whatlang_lang};

/// Text in a non-Latin script decides when it weighs at least this much of the Latin text:
/// Latin runs in Indian or Korean titles are mostly names and credits ("Pawan Kalyan", "BTS").
const NATIVE_OVER_LATIN: f64 = 0.5;

/// Between this and [`NATIVE_OVER_LATIN`] the two scripts compete too evenly to say.
const CONTESTED_OVER_LATIN: f64 = 0.25;

/// The language when nothing is known.
pub const UNDETERMINED: &str = "und";

/// Picks the language: `defaultAudioLanguage`, else `defaultLanguage` (primary subtag, lower
/// case), else detection on `title` with the chart's `region` as prior, else "und". The
/// channel's language is applied later, over the whole run ([`apply_channel_languages`]).
pub fn resolve(
    default_audio_language: Option<&str>,
    default_language: Option<&str>,
    title: &str,
    region: &str,
) -> (String, LanguageSource) {
    if let Some(code) = default_audio_language
        .and_then(primary_subtag)
        .or_else(|| default_language.and_then(primary_subtag))
    {
        return (code, LanguageSource::Api);
    }
    match detect_in(title, region) {
        Some(code) => (code.to_owned(), LanguageSource::Detected),
        None => (UNDETERMINED.to_owned(), LanguageSource::None),
    }
}

/// `"en-US"` gives `"en"`, `"hi-Latn"` gives `"hi"`; empty, malformed or "und" tags give `None`.
pub fn primary_subtag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let valid =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let code = primary.to_ascii_lowercase();
    (valid && code != UNDETERMINED && code != "zxx").then_some(code)
}

/// The language of a title without knowing its region, when the evidence is strong enough.
pub fn detect(text: &str) -> Option<&'static str> {
    detect_in(text, "")
}

/// The language of a title seen in `region` (a canonical region code; an unknown or empty one
/// means no prior), or `None` when the title does not say clearly.
pub fn detect_in(text: &str, region: &str) -> Option<&'static str> {
    let (words, parts) = clean::words_and_parts(text);
    let census = Census::of(&words);
    let latin_words = if census.all_in(Script::Latin) {
        std::borrow::Cow::Borrowed(words.as_str())
    } else {
        std::borrow::Cow::Owned(only(&words, Script::Latin))
    };
    let Some((script, native)) = census.strongest_non_latin() else {
        // A Latin title's lone words beside separators are names or one-word work titles; a
        // work title that is an ordinary word of a language counts as that word ("Kane Brown -
        // Heaven"), so a lone word stays when it is a common word of a language.
        let ordinary = |w: &str| is_ordinary_word(&w.to_lowercase(), region);
        let telling = |w: &str| telling::languages_of_word(&w.to_lowercase()).is_some();
        // The first part, when it holds two or three words, is kept whole by the lone-word
        // rule and leads the kept words.
        let lead = usize::from(parts[0]);
        return match clean::without_lone_words(&words, &parts, ordinary, telling) {
            Some(kept) => latin::latin_led(&kept, lead, region),
            None => latin::latin_led(&latin_words, lead, region),
        };
    };
    // A script met only inside brackets glosses the Latin words before it ("GFRIEND(여자친구) _
    // Summer Rain(여름비)"): a title given twice counts in its first language, when its Latin
    // words say one.
    if script::only_in_brackets(text, script) {
        if let Some(code) = latin::latin(&latin_words, region) {
            return Some(code);
        }
    }
    // A name followed by its spelling in the other script ("Red Velvet 레드벨벳 'Birthday' MV",
    // "TAEMIN 태민 'MOVE'"): that one word is the name again, and the other Latin words say the
    // language when they say one (a one-word work title that is an ordinary word counts).
    let native_words = only(&words, script);
    if !native_words.contains(' ') {
        if let Some(name) = script::name_spelled_before(text, script) {
            let rest = [&text[..name.start], &text[name.end..]].concat();
            let rest = only(&clean::words_and_parts(&rest).0, Script::Latin);
            if let Some(code) = latin::latin(&rest, region) {
                return Some(code);
            }
        }
    }
    let latin = census.weight(Script::Latin);
    // Latin words without function words (an English one, or two of any language) are names
    // and tags ("BTS (방탄소년단) 'DNA'"): the other script speaks. Latin words that make
    // sentences compete with it by length.
    let votes = Votes::of(&latin_words);
    let sentences = votes.of_lang("en") > 0 || votes.max() >= 2;
    if native >= latin * NATIVE_OVER_LATIN || !sentences {
        by_script(script, &native_words, text, region)
    } else if native >= latin * CONTESTED_OVER_LATIN {
        None
    } else {
        latin::latin(&latin_words, region)
    }
}

/// Whether a lone word (lower case) beside separators is an ordinary word of a language rather
/// than a name: a common English word (not a function word: "It", "to" alone say nothing), a
/// telling word ("officiel", "unterwegs"), in a region whose home language writes them a word
/// with telling letters ("Recomeço" in Brazil), or where the region expects them a romanized
/// Hindustani, Tamil, Telugu or Malayalam word of three letters or more ("Sadak 2 | Official
/// Trailer").
fn is_ordinary_word(lower: &str, region: &str) -> bool {
    let prior = regions::languages(region);
    english::is_common(lower)
        || telling::languages_of_word(lower).is_some()
        || telling::home_letters(lower, prior)
        || (lower.len() >= 3
            && ((hindustani::is_word(lower) && prior.iter().any(|l| matches!(*l, "hi" | "ur")))
                || dravidian::language_of(lower).is_some_and(|l| prior.contains(&l))))
}

/// The words of `words` whose first letter is in `script`.
fn only(words: &str, script: Script) -> String {
    let mut out = String::with_capacity(words.len());
    for word in words
        .split(' ')
        .filter(|w| w.chars().find_map(Script::of) == Some(script))
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The language of text in a non-Latin script (`words`, of the whole `title`).
fn by_script(script: Script, words: &str, title: &str, region: &str) -> Option<&'static str> {
    let code = match script {
        Script::Hangul => "ko",
        Script::Kana => "ja",
        // Han alone is Chinese, but a Japanese chart's Han-only title is Japanese.
        Script::Han if region == "JP" => "ja",
        Script::Han => "zh",
        Script::Thai => "th",
        Script::Lao => "lo",
        Script::Greek => "el",
        Script::Hebrew => "he",
        Script::Georgian => "ka",
        Script::Armenian => "hy",
        Script::Bengali => "bn",
        Script::Gurmukhi => "pa",
        Script::Gujarati => "gu",
        Script::Oriya => "or",
        Script::Tamil => "ta",
        Script::Telugu => "te",
        Script::Kannada => "kn",
        Script::Malayalam => "ml",
        Script::Sinhala => "si",
        Script::Myanmar => "my",
        Script::Khmer => "km",
        // Amharic and Tigrinya share the script and whatlang knows only Amharic.
        Script::Ethiopic => return None,
        Script::Devanagari => return non_latin::devanagari(words, title, region),
        Script::Arabic => return non_latin::arabic(words, region),
        Script::Cyrillic => return non_latin::cyrillic(words, region),
        Script::Latin => return latin::latin(words, region),
    };
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_language_wins_and_is_reduced_to_its_primary_subtag() {
        assert_eq!(
            resolve(Some("en-US"), Some("fr"), "Hola", "MX"),
            ("en".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(None, Some("pt-BR"), "Hello", "US"),
            ("pt".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(Some("hi-Latn"), None, "", "IN"),
            ("hi".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(Some("zh_TW"), None, "", "TW"),
            ("zh".into(), LanguageSource::Api)
        );
        // A useless tag falls through to detection.
        assert_eq!(resolve(Some("zxx"), None, "", "US").1, LanguageSource::None);
    }

    #[test]
    fn detection_speaks_only_with_evidence() {
        let (lang, source) = resolve(
            None,
            None,
            "تحدي فك الشفرة سيناريو مجنون مع الأصدقاء في المدينة",
            "SA",
        );
        assert_eq!((lang.as_str(), source), ("ar", LanguageSource::Detected));
        let (lang, source) = resolve(
            None,
            None,
            "Les enfants jouent dans le jardin pendant que leurs parents préparent le dîner",
            "FR",
        );
        assert_eq!((lang.as_str(), source), ("fr", LanguageSource::Detected));
        for nothing in ["🔥🔥 2018", "", "#shorts @someone", "BTS | Official MV"] {
            assert_eq!(
                resolve(None, None, nothing, "US"),
                ("und".into(), LanguageSource::None),
                "{nothing}"
            );
        }
    }

    #[test]
    fn scripts_that_settle_the_language() {
        for (title, lang) in [
            ("경기가 끝난 후 선수들을 찾은 구자철", "ko"),
            ("ザコ審判【テニス】#Shorts", "ja"),
            (
                "急诊科医生 | Emergency Physician 25（张嘉译、王珞丹、柯蓝等主演）",
                "zh",
            ),
            ("வாணி ராணி - VAANI RANI - Episode 1416", "ta"),
            ("ఇవాంకా హైదరాబాద్ కు వచ్చింది", "te"),
            ("Red Velvet 레드벨벳 'Zimzalabim' MV", "ko"),
            ("Ελλάδα σήμερα", "el"),
            ("ข่าวเช้า วันนี้", "th"),
        ] {
            assert_eq!(detect_in(title, "CA"), Some(lang), "{title}");
        }
        // Han alone is Japanese in a Japanese chart.
        assert_eq!(detect_in("東京大学", "JP"), Some("ja"));
        // Amharic and Tigrinya share a script.
        assert_eq!(detect_in("ድጉል ህያብ ራብዓይ ክፋል", "CA"), None);
    }

    #[test]
    fn a_name_spelled_in_its_script_leaves_the_latin_words_to_speak() {
        // The Hangul word spells the name before it; the one-word work title is English.
        assert_eq!(
            detect_in("Red Velvet 레드벨벳 'Birthday' MV", "KR"),
            Some("en")
        );
        assert_eq!(detect_in("TAEMIN 태민 'MOVE' #1 MV", "GB"), Some("en"));
        // The name's own words do not count, so a coined title leaves the script to speak.
        assert_eq!(
            detect_in("Red Velvet 레드벨벳 'Zimzalabim' MV", "KR"),
            Some("ko")
        );
        // The script in brackets, or more than one word of it: not a name spelled again.
        assert_eq!(
            detect_in("BTS (방탄소년단) 'DNA' Official MV", "GB"),
            Some("ko")
        );
        assert_eq!(
            detect_in("Red Velvet 레드벨벳 '피카부' Teaser", "GB"),
            Some("ko")
        );
    }

    #[test]
    fn scripts_shared_by_several_languages() {
        assert_eq!(
            detect_in("ठाणे : मनसे अध्यक्ष राज ठाकरेंचं भाषण", "IN"),
            Some("mr")
        );
        assert_eq!(
            detect_in("बारिश में हुआ शशि कपूर का अंतिम संस्कार", "IN"),
            Some("hi")
        );
        assert_eq!(
            detect_in("Слуга Народа 2 - От любви до импичмента", "CA"),
            Some("ru")
        );
        // A lone Devanagari word beside its Latin spelling is a name: the script is shared.
        assert_eq!(
            detect_in("Naagin 5 | नागिन 5 | Episode 01 | Recap", "IN"),
            None
        );
        assert_eq!(detect_in("Anjali - अंजली - Episode 153", "IN"), None);
        // Marathi words in Latin letters, or the channel's language, tell Marathi from Hindi.
        assert_eq!(
            detect_in("Lagira Zhala Jee - लगिरा झला जी - Episode 188", "IN"),
            Some("mr")
        );
        assert_eq!(
            detect_in(
                "Tuzhat Jeev Rangala | अखेर राणा जिंकला वज्रकेसरी | Zee Marathi Latest Update",
                "IN"
            ),
            Some("mr")
        );
        assert_eq!(detect_in("Та нічого, все нормально", "CA"), Some("uk"));
        assert_eq!(detect_in("پاکستان کے وزیر اعظم نے کہا", "PK"), Some("ur"));
        assert_eq!(detect_in("ملخص مباراة الهلال والنصر", "SA"), Some("ar"));
    }

    #[test]
    fn latin_titles_use_grammar_words_english_vocabulary_and_the_region() {
        for (title, region, lang) in [
            (
                "How To Train Your Dragon | Official Teaser Trailer",
                "IN",
                Some("en"),
            ),
            ("Garlic Knot Chicken Alfredo Ring", "US", Some("en")),
            ("El Día Después: Jugar así es una mierda", "GB", Some("es")),
            (
                "Si vous voyez ceci en forêt, courez vite et demandez de l'aide!",
                "CA",
                Some("fr"),
            ),
            (
                "Yeh Rishta Kya Kehlata Hai PROMO | 19th November 2024",
                "IN",
                Some("hi"),
            ),
            (
                "Pinoy Singers, binigyan ni Donald Trump ng standing ovation sa ASEAN Summit",
                "PH",
                Some("tl"),
            ),
            // A title that opens in English quotes a Hindi film or show: English.
            (
                "Every Arranged Marriage Ever ft. Rajkummar Rao | Shaadi Mein Zaroor Aana",
                "IN",
                Some("en"),
            ),
            ("Types Of Kaam Wali Bai (House Maids)", "IN", Some("en")),
            ("Papa Ka Prem Patra || Make Joke Of", "IN", Some("hi")),
            // A title that is one common English word is English in any region (a one-word
            // work title that is an ordinary word counts as that word).
            ("Heaven (Official Video)", "IN", Some("en")),
            // So is a lone romanized Hindi word where Hindi is expected, not elsewhere.
            ("Sapna | Official Trailer | Ravi | Meena", "IN", Some("hi")),
            ("Sapna | Official Trailer | Ravi | Meena", "GB", None),
            // A romanized word that no list holds is not weighed ("Kuladheivam", Tamil for
            // family deity): no language rather than a guess.
            ("Kuladheivam SUN TV Episode - 775 (17-11-17)", "IN", None),
            // Names and tags only: no language.
            ("Alanyaspor 0-1 Fenerbahçe 17' Vincent Janssen", "GB", None),
        ] {
            assert_eq!(detect_in(title, region), lang, "{title}");
        }
    }
}
