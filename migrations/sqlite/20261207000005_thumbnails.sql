-- The thumbnail images kept by `trendtap thumbnails --dir DIR`: the same table as PostgreSQL's
-- (migrations/postgres), timestamps as UTC text. README.md ("Thumbnails").
CREATE TABLE thumbnails (
    video_id      text PRIMARY KEY,
    url           text NOT NULL,
    path          text,            -- relative to --dir; set when status = 'ok'
    bytes         integer,
    sha256        text,            -- hex
    content_type  text,
    etag          text,
    last_modified text,
    fetched_at    text NOT NULL,
    status        text NOT NULL CHECK (status IN ('ok', 'missing', 'failed')),
    error         text
);
