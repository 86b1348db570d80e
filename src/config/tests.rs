//! Resolution tests: precedence, checks and the errors that name their origin.

use std::path::Path;

use super::*;
use crate::cli::FetchArgs;
use crate::error::ConfigError;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn file(text: &str) -> FileConfig {
    parse_file(text, Path::new("trendtap.toml")).unwrap()
}

fn args(regions: &[&str]) -> FetchArgs {
    FetchArgs {
        regions: regions.iter().map(|s| s.to_string()).collect(),
        ..FetchArgs::default()
    }
}

#[test]
fn flag_beats_env_beats_file_beats_default() {
    let f = file(
        r#"
        regions = ["jp"]
        database_url = "postgres://file@h/db"
        api_base_url = "http://file.example"
        concurrency = 7
        "#,
    );
    let env = env_of(&[
        ("YOUTUBE_API_KEY", "k"),
        ("DATABASE_URL", "postgres://env@h/db"),
        ("YOUTUBE_API_BASE_URL", "http://env.example/"),
    ]);

    // Flags win over everything.
    let mut a = args(&["ae"]);
    a.db.database_url = Some("postgres://flag@h/db".into());
    a.api_base_url = Some("http://flag.example".into());
    a.concurrency = Some(2);
    let c = resolve_fetch(&a, &f, None, &env).unwrap();
    assert_eq!(c.regions, ["AE"]);
    assert_eq!(
        c.database.as_ref().unwrap().url.expose(),
        "postgres://flag@h/db"
    );
    assert_eq!(c.api().unwrap().base_url, "http://flag.example");
    assert_eq!(c.concurrency, 2);

    // Without flags, the environment wins over the file.
    let c = resolve_fetch(&args(&[]), &f, None, &env).unwrap();
    assert_eq!(c.regions, ["JP"]);
    assert_eq!(
        c.database.as_ref().unwrap().url.expose(),
        "postgres://env@h/db"
    );
    assert_eq!(c.api().unwrap().base_url, "http://env.example");
    assert_eq!(c.concurrency, 7);

    // Without flags and environment, the file wins over the defaults.
    let only_key = env_of(&[("YOUTUBE_API_KEY", "k")]);
    let c = resolve_fetch(&args(&[]), &f, None, &only_key).unwrap();
    assert_eq!(
        c.database.as_ref().unwrap().url.expose(),
        "postgres://file@h/db"
    );
    assert_eq!(c.api().unwrap().base_url, "http://file.example");

    // Defaults when nothing says otherwise.
    let mut dry = args(&["us"]);
    dry.dry_run = true;
    let c = resolve_fetch(&dry, &FileConfig::default(), None, &only_key).unwrap();
    assert_eq!(
        c.api().unwrap().base_url,
        crate::youtube::settings::DEFAULT_BASE_URL
    );
    assert_eq!((c.max_pages, c.concurrency), (4, 4));
    assert_eq!(c.categories, ["0"]);
    assert_eq!(c.api().unwrap().timeout, Duration::from_secs(30));
    assert_eq!(c.api().unwrap().retry.max_attempts, 4);
    assert_eq!(c.dry_run, Some(Format::Json));
    assert!(c.database.is_none());
}

#[test]
fn regions_are_checked_deduplicated_and_named_in_errors() {
    let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
    let mut a = args(&["ae", "AE", " us"]);
    a.dry_run = true;
    assert_eq!(
        resolve_fetch(&a, &FileConfig::default(), None, &env)
            .unwrap()
            .regions,
        ["AE", "US"]
    );

    let mut a = args(&["ae", "xx"]);
    a.dry_run = true;
    let err = resolve_fetch(&a, &FileConfig::default(), None, &env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`xx`") && err.contains("--region"), "{err}");

    let err = resolve_fetch(&args(&[]), &FileConfig::default(), None, &env).unwrap_err();
    assert!(matches!(err, ConfigError::NoRegions));
}

#[test]
fn categories_accept_numbers_and_strings_and_reject_others() {
    let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
    let mut a = args(&["us"]);
    a.dry_run = true;
    let f = file(r#"categories = [10, "24", "010"]"#);
    assert_eq!(
        resolve_fetch(&a, &f, None, &env).unwrap().categories,
        ["10", "24"]
    );
    a.categories = vec!["music".into()];
    let err = resolve_fetch(&a, &f, None, &env).unwrap_err().to_string();
    assert!(err.contains("`music`"), "{err}");
    // `all`, from a flag or the file, alone: category 0 and each region's own categories.
    a.categories = vec!["ALL".into()];
    let c = resolve_fetch(&a, &f, None, &env).unwrap();
    assert_eq!(
        (c.categories, c.all_categories),
        (vec!["0".to_owned()], true)
    );
    let c = resolve_fetch(&args(&["us"]), &file(r#"categories = ["all"]"#), None, &env).unwrap();
    assert!(c.all_categories);
    a.categories = vec!["all".into(), "10".into()];
    let err = resolve_fetch(&a, &f, None, &env).unwrap_err().to_string();
    assert!(err.contains("alone"), "{err}");
}

#[test]
fn the_budget_settings_resolve_and_are_checked() {
    let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
    let mut a = args(&["us"]);
    a.dry_run = true;
    let c = resolve_fetch(&a, &FileConfig::default(), None, &env).unwrap();
    assert_eq!((c.budget.daily_quota, c.budget.quota_reserve), (10_000, 0));
    assert_eq!(c.no_chart_skip_days, 7);
    let f = file("daily_quota = 50000\nquota_reserve = 1000\nno_chart_skip_days = 3");
    let c = resolve_fetch(&a, &f, None, &env).unwrap();
    assert_eq!(
        (c.budget.daily_quota, c.budget.limit(), c.no_chart_skip_days),
        (50_000, 49_000, 3)
    );
    a.quota.daily_quota = Some(20_000);
    a.fit_budget = true;
    let c = resolve_fetch(&a, &f, None, &env).unwrap();
    assert_eq!(c.budget.daily_quota, 20_000, "the flag beats the file");
    assert!(c.budget.fit);
    a.quota.quota_reserve = Some(20_000);
    let err = resolve_fetch(&a, &f, None, &env).unwrap_err().to_string();
    assert!(err.contains("quota_reserve"), "{err}");
}

#[test]
fn key_comes_from_env_or_key_file_and_is_required() {
    let dir = std::env::temp_dir().join(format!("trendtap-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("key.txt"), "AIzaFromFile\n").unwrap();
    let cfg_path = dir.join("trendtap.toml");
    let f = file(r#"api_key_file = "key.txt""#);
    let mut a = args(&["us"]);
    a.dry_run = true;

    let c = resolve_fetch(&a, &f, Some(&cfg_path), &env_of(&[])).unwrap();
    assert_eq!(c.api().unwrap().key.expose(), "AIzaFromFile");
    let c = resolve_fetch(
        &a,
        &f,
        Some(&cfg_path),
        &env_of(&[("YOUTUBE_API_KEY", "AIzaEnv")]),
    )
    .unwrap();
    assert_eq!(c.api().unwrap().key.expose(), "AIzaEnv");

    let err = resolve_fetch(&a, &FileConfig::default(), None, &env_of(&[])).unwrap_err();
    assert!(matches!(err, ConfigError::MissingApiKey));
    let missing = file(r#"api_key_file = "nope.txt""#);
    let err = resolve_fetch(&a, &missing, Some(&cfg_path), &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope.txt"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn database_defaults_to_sqlite_and_must_be_postgres_or_sqlite() {
    let env = env_of(&[("YOUTUBE_API_KEY", "k")]);
    let c = resolve_fetch(&args(&["us"]), &FileConfig::default(), None, &env).unwrap();
    assert_eq!(
        c.database.as_ref().unwrap().url.expose(),
        "sqlite://trendtap.db"
    );
    let mut a = args(&["us"]);
    a.db.database_url = Some("mysql://root:pw@h/db".into());
    let err = resolve_fetch(&a, &FileConfig::default(), None, &env)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--database-url") && !err.contains("pw"),
        "{err}"
    );
}

#[test]
fn file_errors_name_the_file_and_line() {
    let err = parse_file(
        "regions = [\"us\"]\nconcurency = 3\n",
        Path::new("/etc/trendtap.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("/etc/trendtap.toml") && err.contains("line 2") && err.contains("concurency"),
        "{err}"
    );
}

#[test]
fn example_config_parses() {
    // The example documents every setting, so every field must be set by it.
    let text = include_str!("../../config.example.toml");
    let f = parse_file(text, Path::new("config.example.toml")).unwrap();
    let debug = format!("{f:?}");
    assert!(
        !debug.contains("None"),
        "a setting is missing from config.example.toml: {debug}"
    );
}
