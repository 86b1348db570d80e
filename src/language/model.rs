//! Pure: what detection knows of a region, built once per region: whatlang restricted to the
//! languages that can trend there, and whether the region expects a Latin-script language other
//! than English.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use whatlang::{Detector, Lang};

use super::codes::whatlang_lang;
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

/// What detection knows of a region ("" for no region).
pub struct RegionModel {
    /// whatlang restricted to the region's languages, English, [`WORLD`] and [`DECOYS`]. Each
    /// allowed language costs about 1.5 µs a title.
    pub detector: Detector,
    /// Whether the region expects a Latin-script language other than English that whatlang
    /// knows: only then can whatlang's answer alone name a Latin title's language.
    pub expects_latin_besides_english: bool,
}

/// The model of `region` (an unknown region gets the model of no region).
pub fn region_model(region: &str) -> &'static RegionModel {
    static MODELS: OnceLock<FxHashMap<&'static str, RegionModel>> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        regions::LANGUAGE_PRIORS
            .iter()
            .map(|(code, langs)| (*code, build(langs)))
            .chain([("", build(&[]))])
            .collect()
    });
    models.get(region).unwrap_or_else(|| &models[""])
}

fn build(langs: &[&str]) -> RegionModel {
    let mut allow: Vec<Lang> = langs.iter().filter_map(|l| whatlang_lang(l)).collect();
    // A script the region's languages do not use keeps all its candidates: a Russian title in
    // an Indian chart is still told from Ukrainian.
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
            && whatlang_lang(code).is_some_and(|l| whatlang::Script::Latin.langs().contains(&l))
    });
    RegionModel {
        detector: Detector::with_allowlist(allow),
        expects_latin_besides_english,
    }
}
