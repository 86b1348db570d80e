//! The 111 content regions YouTube supports (codes and English names).
//!
//! Copied from `shared/youtube-api/regions.json` (YouTube's own location menu, see its README) and
//! compiled in so that a region code is checked before any request spends quota.

/// Every supported region as `(code, English name)`, sorted by code.
pub const REGIONS: &[(&str, &str)] = &[
    ("AE", "United Arab Emirates"),
    ("AM", "Armenia"),
    ("AR", "Argentina"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BO", "Bolivia"),
    ("BR", "Brazil"),
    ("BY", "Belarus"),
    ("CA", "Canada"),
    ("CH", "Switzerland"),
    ("CL", "Chile"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("GE", "Georgia"),
    ("GH", "Ghana"),
    ("GR", "Greece"),
    ("GT", "Guatemala"),
    ("HK", "Hong Kong"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IN", "India"),
    ("IQ", "Iraq"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KH", "Cambodia"),
    ("KR", "South Korea"),
    ("KW", "Kuwait"),
    ("KZ", "Kazakhstan"),
    ("LA", "Laos"),
    ("LB", "Lebanon"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MK", "North Macedonia"),
    ("MT", "Malta"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PR", "Puerto Rico"),
    ("PT", "Portugal"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russia"),
    ("SA", "Saudi Arabia"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SI", "Slovenia"),
    ("SK", "Slovakia"),
    ("SN", "Senegal"),
    ("SV", "El Salvador"),
    ("TH", "Thailand"),
    ("TN", "Tunisia"),
    ("TR", "Turkey"),
    ("TW", "Taiwan"),
    ("TZ", "Tanzania"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("US", "United States"),
    ("UY", "Uruguay"),
    ("VE", "Venezuela"),
    ("VN", "Vietnam"),
    ("YE", "Yemen"),
    ("ZA", "South Africa"),
    ("ZW", "Zimbabwe"),
];

/// Looks up a region code, case-insensitively, and returns its canonical upper-case form.
pub fn canonical(code: &str) -> Option<&'static str> {
    let upper = code.trim().to_ascii_uppercase();
    REGIONS
        .binary_search_by(|(c, _)| (*c).cmp(upper.as_str()))
        .ok()
        .map(|i| REGIONS[i].0)
}

/// The English name of a canonical region code.
pub fn name(code: &str) -> Option<&'static str> {
    REGIONS
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| REGIONS[i].1)
}

/// The languages a region's charts are written in, most common first, as ISO 639-1 codes: the
/// prior of title language detection (see `language`). English is listed wherever it trends,
/// which is nearly everywhere. A language whatlang cannot detect (Swahili, Malay, Kazakh...) is
/// listed when it matters anyway: it keeps a neighbour from being claimed in its place (whatlang
/// calls Malay "Indonesian").
///
/// Compiled from the official and widely used languages of each country and from what its
/// trending charts show (e.g. Indian charts: Hindi, English and every major Indic language).
pub const LANGUAGE_PRIORS: &[(&str, &[&str])] = &[
    ("AE", &["ar", "en", "hi", "ur", "ml"]),
    ("AM", &["hy", "ru", "en"]),
    ("AR", &["es", "en"]),
    ("AT", &["de", "en"]),
    ("AU", &["en"]),
    ("AZ", &["az", "ru", "tr", "en"]),
    ("BA", &["bs", "hr", "sr", "en"]),
    ("BD", &["bn", "en", "hi"]),
    ("BE", &["nl", "fr", "de", "en"]),
    ("BG", &["bg", "en"]),
    ("BH", &["ar", "en", "hi", "ur", "ml"]),
    ("BO", &["es", "en"]),
    ("BR", &["pt", "en"]),
    ("BY", &["ru", "be", "en"]),
    ("CA", &["en", "fr"]),
    ("CH", &["de", "fr", "it", "en"]),
    ("CL", &["es", "en"]),
    ("CO", &["es", "en"]),
    ("CR", &["es", "en"]),
    ("CY", &["el", "tr", "en"]),
    ("CZ", &["cs", "sk", "en"]),
    ("DE", &["de", "en", "tr"]),
    ("DK", &["da", "en"]),
    ("DO", &["es", "en"]),
    ("DZ", &["ar", "fr", "en"]),
    ("EC", &["es", "en"]),
    ("EE", &["et", "ru", "en"]),
    ("EG", &["ar", "en"]),
    ("ES", &["es", "ca", "en"]),
    ("FI", &["fi", "sv", "en"]),
    ("FR", &["fr", "en"]),
    ("GB", &["en"]),
    ("GE", &["ka", "ru", "en"]),
    ("GH", &["en", "ak"]),
    ("GR", &["el", "en"]),
    ("GT", &["es", "en"]),
    ("HK", &["zh", "en"]),
    ("HN", &["es", "en"]),
    ("HR", &["hr", "sr", "en"]),
    ("HU", &["hu", "en"]),
    ("ID", &["id", "jv", "en"]),
    ("IE", &["en"]),
    ("IL", &["he", "ar", "ru", "en"]),
    (
        "IN",
        &[
            "hi", "en", "ta", "te", "ml", "kn", "mr", "bn", "gu", "pa", "or", "ur",
        ],
    ),
    ("IQ", &["ar", "ku", "en"]),
    ("IS", &["is", "en"]),
    ("IT", &["it", "en"]),
    ("JM", &["en"]),
    ("JO", &["ar", "en"]),
    ("JP", &["ja", "en"]),
    ("KE", &["en", "sw"]),
    ("KH", &["km", "en"]),
    ("KR", &["ko", "en"]),
    ("KW", &["ar", "en", "hi", "ur"]),
    ("KZ", &["kk", "ru", "en"]),
    ("LA", &["lo", "th", "en"]),
    ("LB", &["ar", "fr", "en"]),
    ("LI", &["de", "en"]),
    ("LK", &["si", "ta", "en"]),
    ("LT", &["lt", "ru", "en"]),
    ("LU", &["lb", "fr", "de", "en"]),
    ("LV", &["lv", "ru", "en"]),
    ("LY", &["ar", "en"]),
    ("MA", &["ar", "fr", "en"]),
    ("MD", &["ro", "ru", "en"]),
    ("ME", &["sr", "hr", "en"]),
    ("MK", &["mk", "sq", "en"]),
    ("MT", &["mt", "en"]),
    ("MX", &["es", "en"]),
    ("MY", &["ms", "en", "zh", "ta"]),
    ("NG", &["en", "ha", "yo", "ig"]),
    ("NI", &["es", "en"]),
    ("NL", &["nl", "en"]),
    ("NO", &["nb", "en"]),
    ("NP", &["ne", "hi", "en"]),
    ("NZ", &["en"]),
    ("OM", &["ar", "en", "hi", "ur"]),
    ("PA", &["es", "en"]),
    ("PE", &["es", "en"]),
    ("PG", &["en"]),
    ("PH", &["tl", "en"]),
    ("PK", &["ur", "en", "hi", "pa"]),
    ("PL", &["pl", "en"]),
    ("PR", &["es", "en"]),
    ("PT", &["pt", "en"]),
    ("PY", &["es", "en"]),
    ("QA", &["ar", "en", "hi", "ur"]),
    ("RO", &["ro", "en"]),
    ("RS", &["sr", "en"]),
    ("RU", &["ru", "en"]),
    ("SA", &["ar", "en"]),
    ("SE", &["sv", "en"]),
    ("SG", &["en", "zh", "ms", "ta"]),
    ("SI", &["sl", "hr", "en"]),
    ("SK", &["sk", "cs", "en"]),
    ("SN", &["fr", "wo", "en"]),
    ("SV", &["es", "en"]),
    ("TH", &["th", "en"]),
    ("TN", &["ar", "fr", "en"]),
    ("TR", &["tr", "en"]),
    ("TW", &["zh", "en"]),
    ("TZ", &["sw", "en"]),
    ("UA", &["uk", "ru", "en"]),
    ("UG", &["en", "sw"]),
    ("US", &["en", "es"]),
    ("UY", &["es", "en"]),
    ("VE", &["es", "en"]),
    ("VN", &["vi", "en"]),
    ("YE", &["ar", "en"]),
    ("ZA", &["en", "af", "zu"]),
    ("ZW", &["en", "sn"]),
];

/// The languages expected in a canonical region's charts (empty for an unknown code).
pub fn languages(code: &str) -> &'static [&'static str] {
    LANGUAGE_PRIORS
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .map_or(&[], |i| LANGUAGE_PRIORS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_unique_and_complete() {
        assert_eq!(REGIONS.len(), 111);
        assert!(REGIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(REGIONS
            .iter()
            .all(|(c, _)| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    #[test]
    fn codes_are_case_insensitive_and_checked() {
        assert_eq!(canonical("ae"), Some("AE"));
        assert_eq!(canonical(" Jp "), Some("JP"));
        assert_eq!(canonical("XX"), None);
        assert_eq!(canonical("USA"), None);
        assert_eq!(name("AE"), Some("United Arab Emirates"));
    }

    #[test]
    fn every_region_has_a_language_prior() {
        assert_eq!(LANGUAGE_PRIORS.len(), REGIONS.len());
        for ((code, _), (prior_code, langs)) in REGIONS.iter().zip(LANGUAGE_PRIORS) {
            assert_eq!(code, prior_code);
            assert!(!langs.is_empty() && langs.contains(&"en"), "{code}");
            assert!(langs
                .iter()
                .all(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase())));
        }
        assert_eq!(languages("FI"), ["fi", "sv", "en"]);
        assert_eq!(languages("XX"), [] as [&str; 0]);
    }
}
