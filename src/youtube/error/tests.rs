use super::*;

fn c(status: u16, body: &str) -> ApiError {
    classify(StatusCode::from_u16(status).unwrap(), body.as_bytes(), None)
}

fn body(status: u16, reason: &str) -> String {
    format!(
        r#"{{"error":{{"code":{status},"message":"m","errors":[{{"reason":"{reason}","domain":"d"}}]}}}}"#
    )
}

#[test]
fn recorded_error_bodies_are_classified() {
    let quota = include_str!("../../../tests/data/errors/quotaExceeded_403.json");
    assert!(matches!(c(403, quota), ApiError::Quota { .. }));
    let blocked =
        include_str!("../../../tests/data/errors/forbidden_API_KEY_SERVICE_BLOCKED_403.json");
    assert!(
        matches!(c(403, blocked), ApiError::BadKey { ref reason, .. } if reason == "API_KEY_SERVICE_BLOCKED")
    );
    let legacy = include_str!("../../../tests/data/errors/keyInvalid_400_legacy.json");
    assert!(
        matches!(c(400, legacy), ApiError::BadKey { ref reason, .. } if reason == "keyInvalid")
    );
    let current = include_str!("../../../tests/data/errors/apiKeyInvalid_400_current_shape.json");
    assert!(
        matches!(c(400, current), ApiError::BadKey { ref reason, .. } if reason == "API_KEY_INVALID")
    );
}

#[test]
fn retry_classification() {
    for status in [429, 500, 502, 503, 504] {
        assert!(c(status, "<html>oops</html>").is_transient(), "{status}");
    }
    assert!(c(403, &body(403, "rateLimitExceeded")).is_transient());
    assert!(c(403, &body(403, "userRateLimitExceeded")).is_transient());
    assert!(!c(403, &body(403, "quotaExceeded")).is_transient());
    assert!(!c(400, &body(400, "invalidPageToken")).is_transient());
    assert!(!c(401, "").is_transient());
    assert!(matches!(
        c(403, &body(403, "dailyLimitExceeded")),
        ApiError::Quota { .. }
    ));
    assert!(matches!(
        c(403, &body(403, "accessNotConfigured")),
        ApiError::BadKey { .. }
    ));
}

#[test]
fn missing_charts_are_not_failures() {
    assert!(matches!(
        c(400, &body(400, "videoChartNotFound")),
        ApiError::NoChart { status: 400, .. }
    ));
    assert!(matches!(
        c(404, &body(404, "notFound")),
        ApiError::NoChart { status: 404, .. }
    ));
}

#[test]
fn other_errors_keep_status_reason_and_body() {
    let err = c(400, &body(400, "invalidFilters")).to_string();
    assert!(
        err.contains("HTTP 400") && err.contains("invalidFilters"),
        "{err}"
    );
    let err = c(418, "<!DOCTYPE html><title>teapot</title>").to_string();
    assert!(
        err.contains("HTTP 418") && err.contains("<!DOCTYPE html>"),
        "{err}"
    );
}

/// The current bad-key shape as it also comes: without its `details` (issue 18).
const KEY_NOT_VALID_WITHOUT_DETAILS: &str = r#"{"error":{"code":400,
    "message":"API key not valid. Please pass a valid API key.",
    "errors":[{"message":"API key not valid. Please pass a valid API key.","domain":"global",
               "reason":"badRequest"}],
    "status":"INVALID_ARGUMENT"}}"#;

#[test]
fn a_key_error_without_details_is_a_bad_key_that_says_check_the_key() {
    let err = c(400, KEY_NOT_VALID_WITHOUT_DETAILS);
    assert!(
        matches!(err, ApiError::BadKey { ref reason, .. } if reason == "badRequest"),
        "{err:?}"
    );
    assert_eq!(err.scope(), Scope::Run);
    let text = err.to_string();
    assert!(text.contains("check the key"), "{text}");
    assert!(text.contains("API key not valid"), "{text}");
}

#[test]
fn a_400_or_401_about_what_every_request_shares_stops_the_run() {
    for reason in [
        "invalidFilters",
        "incompatibleParameters",
        "missingRequiredParameter",
        "unexpectedParameter",
        "badRequest",
        "invalidParameter",
    ] {
        let err = c(400, &body(400, reason));
        assert!(
            matches!(err, ApiError::Rejected { .. }),
            "{reason}: {err:?}"
        );
        assert_eq!(err.scope(), Scope::Run, "{reason}");
    }
    let err = c(401, &body(401, "unauthorized"));
    assert_eq!(err.scope(), Scope::Run, "{err:?}");
    assert_eq!(c(401, "").scope(), Scope::Run);
    assert_eq!(c(400, "<html>bad request</html>").scope(), Scope::Run);
    // The reasons about this chart or this page stay the chart's.
    for reason in ["invalidRegionCode", "invalidPageToken"] {
        assert_eq!(c(400, &body(400, reason)).scope(), Scope::Chart, "{reason}");
    }
    assert!(matches!(
        c(400, &body(400, "videoChartNotFound")),
        ApiError::NoChart { .. }
    ));
    // Neither other 4xx nor 5xx.
    assert_eq!(c(403, &body(403, "somethingElse")).scope(), Scope::Chart);
    assert_eq!(c(500, &body(500, "backendError")).scope(), Scope::Transient);
}

#[test]
fn a_401_whose_words_are_about_the_key_says_check_the_key() {
    let err = c(
        401,
        r#"{"error":{"code":401,"message":"API keys are not supported by this API.","status":"UNAUTHENTICATED"}}"#,
    );
    assert!(matches!(err, ApiError::BadKey { .. }), "{err:?}");
    assert!(err.to_string().contains("check the key"));
}

#[test]
fn a_rejected_fields_selector_points_to_partial_response() {
    let legacy = r#"{"error":{"errors":[{"domain":"global","reason":"invalidParameter",
        "message":"Invalid field selection nextPageTokn","locationType":"parameter",
        "location":"fields"}],"code":400,"message":"Invalid field selection nextPageTokn"}}"#;
    let current = r#"{"error":{"code":400,"message":"Request contains an invalid argument.",
        "status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations":[{"field":"fields","description":"Invalid field selection"}]}]}}"#;
    for body in [legacy, current] {
        let err = c(400, body);
        assert!(
            matches!(err, ApiError::Rejected { fields: true, .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("partial_response = false"), "{text}");
    }
    let text = c(400, &body(400, "invalidFilters")).to_string();
    assert!(!text.contains("partial_response"), "{text}");
}

#[test]
fn the_api_message_loses_its_html_and_is_bounded() {
    let long = "x".repeat(5000);
    let body = format!(
        r#"{{"error":{{"code":400,"message":"see \u003ca href=\"/q\"\u003equota\u003c/a\u003e {long}"}}}}"#
    );
    let text = c(400, &body).to_string();
    assert!(text.contains("see quota x"), "{text}");
    assert!(text.len() < 1000, "{}", text.len());
}

#[test]
fn signatures_ignore_what_names_the_chart() {
    let a = ApiError::Malformed {
        status: 200,
        detail: "expected value at line 1 column 1".into(),
        body_start: "<html>AE".into(),
    };
    let b = ApiError::Malformed {
        status: 200,
        detail: "expected value at line 1 column 7".into(),
        body_start: "<html>US".into(),
    };
    assert_eq!(a.signature(), b.signature());
    assert!(a.signature().is_some());
    let truncated = ApiError::Malformed {
        status: 200,
        detail: "EOF while parsing an object at line 1 column 40".into(),
        body_start: "{\"items\":[".into(),
    };
    assert_ne!(a.signature(), truncated.signature());
    assert_eq!(c(503, "").signature(), None, "transient");
    assert_eq!(c(404, "").signature(), None, "no chart");
    assert!(c(403, &body(403, "somethingElse")).signature().is_some());
}
