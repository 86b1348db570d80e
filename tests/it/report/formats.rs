//! The formats of every report (text aligned by display width, CSV with its documented header,
//! JSON), the HTML page (one `<svg>` per chart, nothing from the network, written atomically),
//! and the usage errors.

use unicode_width::UnicodeWidthStr;

use super::history::{A, B_TITLE};
use super::{json, report, with_history};
use crate::both;
use crate::support::{temp_dir, Kind};

both!(
    every_report_prints_text_csv_and_json,
    text_tables_line_up_cjk_and_emoji_titles,
    html_page_has_a_chart_per_report_and_nothing_from_the_network,
    bad_filters_are_usage_errors,
);

/// A report's arguments, and each of its tables' name and columns.
type Expected = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// Every report, its tables and each table's columns: the names README.md documents.
const REPORTS: &[Expected] = &[
    (
        &["days-on-trending"],
        &[
            (
                "videos",
                "region,video_id,title,channel_title,days,first_seen_at,last_seen_at,best_rank",
            ),
            ("distribution", "region,days,videos"),
        ],
    ),
    (
        &["time-to-trend"],
        &[("regions", "region,videos,timed,median_hours,p90_hours")],
    ),
    (
        &["overlap"],
        &[
            (
                "pairs",
                "region,other_region,videos,other_videos,shared,jaccard",
            ),
            (
                "exported",
                "region,video_id,title,channel_title,first_seen_at,other_regions",
            ),
        ],
    ),
    (
        &["languages"],
        &[(
            "languages",
            "region,language,videos,share,source_api,source_channel,source_detected,source_none",
        )],
    ),
    (
        &["categories"],
        &[("categories", "region,category_id,title,videos,share")],
    ),
    (
        &["channels"],
        &[
            (
                "by_entries",
                "region,channel_id,channel_title,entries,videos,entries_rank,videos_rank",
            ),
            (
                "by_videos",
                "region,channel_id,channel_title,entries,videos,entries_rank,videos_rank",
            ),
        ],
    ),
    (
        &["video", A],
        &[
            (
                "ranks",
                "fetched_at,run_id,region,category_id,rank,view_count",
            ),
            (
                "video",
                "video_id,title,channel_title,category_id,published_at,language,view_count",
            ),
            ("views", "fetched_at,run_id,view_count"),
        ],
    ),
];

async fn every_report_prints_text_csv_and_json(kind: Kind) {
    let db = with_history(kind).await;
    for (args, tables) in REPORTS {
        // JSON: one array per table, objects keyed by the columns, in column order.
        let out = report(&db, &[args, &["--format", "json"][..]].concat()).await;
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        for (name, columns) in *tables {
            let rows = v[name]
                .as_array()
                .unwrap_or_else(|| panic!("{args:?} {name}"));
            assert!(!rows.is_empty(), "{args:?} {name}");
            let keys: Vec<&str> = rows[0]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.as_str())
                .collect();
            let mut expected: Vec<&str> = columns.split(',').collect();
            expected.sort();
            assert_eq!(keys, expected, "{args:?} {name}");
            let order = out.stdout.find(&format!(
                "\"{name}\":[{{\"{}\"",
                columns.split(',').next().unwrap()
            ));
            assert!(order.is_some(), "{args:?} {name}: first column first");
            // CSV: the header, then as many lines as JSON rows.
            let csv = report(
                &db,
                &[args, &["--format", "csv", "--table", name][..]].concat(),
            )
            .await;
            let lines: Vec<&str> = csv.stdout.lines().collect();
            assert_eq!(lines[0], *columns, "{args:?} {name}");
            assert_eq!(lines.len(), rows.len() + 1, "{args:?} {name}");
            // Text: a heading, the column names, a line per row.
            let text = report(&db, &[args, &["--table", name][..]].concat()).await;
            let names: Vec<&str> = text
                .stdout
                .lines()
                .nth(1)
                .unwrap()
                .split_whitespace()
                .collect();
            assert_eq!(names.join(","), *columns, "{args:?} {name}");
            assert_eq!(
                text.stdout.lines().count(),
                rows.len() + 2,
                "{args:?} {name}"
            );
        }
        // Without --table: CSV prints the first table listed here, text every table.
        let csv = report(&db, &[args, &["--format", "csv"][..]].concat()).await;
        assert_eq!(csv.stdout.lines().next().unwrap(), tables[0].1, "{args:?}");
        let text = report(&db, args).await;
        for (name, columns) in *tables {
            let header = columns.split(',').collect::<Vec<_>>();
            let found = text
                .stdout
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == header);
            assert!(found, "{args:?} {name}:\n{}", text.stdout);
        }
    }
}

async fn text_tables_line_up_cjk_and_emoji_titles(kind: Kind) {
    let db = with_history(kind).await;
    let out = report(&db, &["days-on-trending", "--table", "videos"]).await;
    assert!(out.stdout.contains(B_TITLE), "{}", out.stdout);
    // The last column (best_rank) is right-aligned: every line of the table is as wide on a
    // terminal, the one with a Japanese and emoji title too.
    let lines: Vec<&str> = out.stdout.lines().skip(1).collect();
    let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
    assert!(
        widths.iter().all(|w| *w == widths[0]),
        "{widths:?}\n{}",
        out.stdout
    );
    // And each column starts at the same display column: `days` ends where its header ends.
    let end_of_days = |l: &str| {
        let header = lines[0];
        let at = header.find("days").unwrap() + "days".len();
        let cut: String = l
            .chars()
            .scan(0, |w, c| {
                *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                Some((*w, c))
            })
            .take_while(|(w, _)| *w <= header[..at].width())
            .map(|(_, c)| c)
            .collect();
        cut.chars().last().unwrap()
    };
    for line in &lines[1..] {
        assert!(end_of_days(line).is_ascii_digit(), "{line}");
    }
}

async fn html_page_has_a_chart_per_report_and_nothing_from_the_network(kind: Kind) {
    let db = with_history(kind).await;
    let dir = temp_dir("html");
    let file = dir.join("report.html");
    let path = file.to_str().unwrap();
    report(&db, &["html", "--out", path, "--since", "2026-11-01"]).await;
    let html = std::fs::read_to_string(&file).unwrap();
    // One chart per report: days histogram, rank lines, time to trend, overlap heatmap,
    // language mix, category mix, channels.
    assert_eq!(html.matches("<svg").count(), 7, "charts");
    assert_eq!(html.matches("</svg>").count(), 7);
    for id in [
        "days-on-trending",
        "rank-over-time",
        "time-to-trend",
        "overlap",
        "languages",
        "categories",
        "channels",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // Self-contained: no script, no stylesheet or image or font to load, no URL but the SVG
    // namespace.
    let lower = html.to_lowercase();
    for needle in [
        "<script",
        "<link",
        "<img",
        "src=",
        "href=",
        "url(",
        "@import",
        "@font-face",
    ] {
        assert!(!lower.contains(needle), "{needle}");
    }
    let urls = lower.matches("http://").count() + lower.matches("https://").count();
    assert_eq!(
        urls,
        lower
            .matches("xmlns=\"http://www.w3.org/2000/svg\"")
            .count()
    );
    // The period and the regions covered; titles escaped and present.
    assert!(html.contains("UTC days 2026-11-01 to the last"), "period");
    assert!(
        html.contains("2026-11-01 06:00 to 2026-11-05 06:00 UTC"),
        "coverage"
    );
    assert!(html.contains("GB, JP, US (3)"), "regions");
    assert!(html.contains("Epsilon") && html.contains(B_TITLE));
    // Written atomically: nothing else in the directory; an unwritable path fails, exit 1.
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    let bad = dir.join("missing/report.html");
    let out = db
        .run(&["report", "html", "--out", bad.to_str().unwrap()], &[])
        .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("missing/report.html"), "{}", out.stderr);
    // An empty period still draws every chart.
    report(&db, &["html", "--out", path, "--since", "2030-01-01"]).await;
    let html = std::fs::read_to_string(&file).unwrap();
    assert_eq!(html.matches("<svg").count(), 7, "charts");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn bad_filters_are_usage_errors(kind: Kind) {
    let db = with_history(kind).await;
    for args in [
        &["report", "languages", "--region", "XX"][..],
        &["report", "languages", "--category", "music"],
        &[
            "report",
            "languages",
            "--since",
            "2026-11-05",
            "--until",
            "2026-11-01",
        ],
        &["report", "languages", "--since", "yesterday"],
        &["report", "languages", "--table", "nosuch"],
        &["report", "nosuch"],
    ] {
        let out = db.run(args, &[]).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // An empty selection is not an error: the tables are empty.
    let r = json(&db, &["languages", "--region", "FR"]).await;
    assert_eq!(r["languages"].as_array().unwrap().len(), 0);
}
