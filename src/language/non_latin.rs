//! Pure: the language of text in a non-Latin script several languages share (Cyrillic, Arabic,
//! Devanagari). Letters and grammar words one language alone uses decide; whatlang within the
//! region's languages otherwise; an uncertain answer is no answer.

use super::codes::iso639_1;
use super::model::region_model;
use crate::regions;

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
    "भी",
    "लिए",
    "साथ",
    "बाद",
    "पर",
];

/// Marathi in Latin letters beside Devanagari ("Lagira Zhala Jee", "Tuzhat Jeev Rangala"), and
/// the language's name in the title ("Zee Marathi"): words Hindi does not write. They only tell
/// Marathi from Hindi in a Devanagari title.
const MARATHI_LATIN: &[&str] = &[
    "aahe", "majha", "majhi", "marathi", "tujha", "tujhi", "tuzhat", "tuzya", "zhala", "zhali",
];

/// The language of Devanagari words: Hindi, Marathi or Nepali. Grammar words decide when they
/// are there (whatlang confuses the two on a few words), and Marathi words in Latin letters
/// elsewhere in the title (`title`); whatlang, within the region's languages, otherwise. A
/// single Devanagari word without them is taken for a name ("Anjali - अंजली"): the script is
/// shared, so it says no language, even when the word is an ordinary one ("Naagin | नागिन",
/// Hindi for the label policy since one-word work titles that are ordinary words count: a
/// miss, never a wrong language).
pub fn devanagari(words: &str, title: &str, region: &str) -> Option<&'static str> {
    let words_in = |list: &[&str]| words.split(' ').filter(|w| list.contains(w)).count();
    let latin_marathi = if title.is_ascii() {
        0
    } else {
        title
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 4 && MARATHI_LATIN.iter().any(|m| m.eq_ignore_ascii_case(w)))
            .count()
    };
    let marathi = words_in(MARATHI)
        + words
            .split(' ')
            .filter(|w| MARATHI_ENDINGS.iter().any(|e| w.ends_with(e)))
            .count()
        + usize::from(words.contains('ळ'))
        + latin_marathi;
    let hindi = words_in(HINDI);
    if marathi == 0 && hindi == 0 && !words.contains(' ') {
        return None;
    }
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

/// The language of Cyrillic words. Letters one language alone uses decide (ҷ ӯ ӣ Tajik,
/// і ї є ґ Ukrainian, ў Belarusian, ђ ћ Serbian, ѓ ќ ѕ Macedonian, қ ғ ң ә ө ұ Kazakh, ы э ё
/// Russian or Belarusian); whatlang within the region's languages otherwise.
pub fn cyrillic(words: &str, region: &str) -> Option<&'static str> {
    let has = |set: &[char]| {
        words
            .chars()
            .any(|c| set.contains(&c.to_lowercase().next().unwrap_or(c)))
    };
    // Tajik first: it shares ғ and қ with Kazakh.
    if has(&['ҷ', 'ӯ', 'ӣ']) {
        return Some("tg");
    }
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
