//! A title's language: the API's word first, then detection on the cleaned title, else "und".
//! Pure functions; codes are ISO 639-1 where one exists, as the API's own tags are.

use whatlang::Lang;

use crate::model::LanguageSource;

/// The language when nothing is known.
pub const UNDETERMINED: &str = "und";

/// Picks the language: `defaultAudioLanguage`, else `defaultLanguage` (primary subtag, lower
/// case), else whatlang on `title` when its guess is reliable, else "und".
pub fn resolve(
    default_audio_language: Option<&str>,
    default_language: Option<&str>,
    title: &str,
) -> (String, LanguageSource) {
    if let Some(code) = default_audio_language
        .and_then(primary_subtag)
        .or_else(|| default_language.and_then(primary_subtag))
    {
        return (code, LanguageSource::Api);
    }
    match detect(title) {
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

/// whatlang's guess for a text, when it says the guess is reliable.
pub fn detect(text: &str) -> Option<&'static str> {
    let info = whatlang::detect(text)?;
    info.is_reliable().then(|| iso639_1(info.lang()))
}

/// ISO 639-1 for whatlang's ISO 639-3 languages (639-3 where 639-1 has none).
pub fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_language_wins_and_is_reduced_to_its_primary_subtag() {
        assert_eq!(
            resolve(Some("en-US"), Some("fr"), "Hola"),
            ("en".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(None, Some("pt-BR"), "Hello"),
            ("pt".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(Some("hi-Latn"), None, ""),
            ("hi".into(), LanguageSource::Api)
        );
        assert_eq!(
            resolve(Some("zh_TW"), None, ""),
            ("zh".into(), LanguageSource::Api)
        );
        // A useless tag falls through to detection.
        assert_eq!(resolve(Some("zxx"), None, "").1, LanguageSource::None);
    }

    #[test]
    fn detection_only_when_reliable() {
        let (lang, source) = resolve(
            None,
            None,
            "تحدي فك الشفرة سيناريو مجنون مع الأصدقاء في المدينة",
        );
        assert_eq!((lang.as_str(), source), ("ar", LanguageSource::Detected));
        let (lang, source) = resolve(
            None,
            None,
            "Les enfants jouent dans le jardin pendant que leurs parents préparent le dîner",
        );
        assert_eq!((lang.as_str(), source), ("fr", LanguageSource::Detected));
        assert_eq!(
            resolve(None, None, "🔥🔥 2018"),
            ("und".into(), LanguageSource::None)
        );
        assert_eq!(
            resolve(None, None, ""),
            ("und".into(), LanguageSource::None)
        );
    }

    #[test]
    fn every_whatlang_language_maps_to_a_distinct_code() {
        let mut codes: Vec<_> = Lang::all().iter().map(|l| iso639_1(*l)).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Lang::all().len());
    }
}
