-- The thumbnail images kept by `trendtap thumbnails --dir DIR`: one row per video, describing the
-- file under DIR (`path`, relative to DIR: `<first two characters of the id>/<video_id>.jpg`)
-- or why there is none. A site joins it to `videos` on video_id. README.md ("Thumbnails").
CREATE TABLE thumbnails (
    video_id      text PRIMARY KEY,
    url           text NOT NULL,            -- where the image was (or would be) fetched from
    path          text,                     -- relative to --dir; set when status = 'ok'
    bytes         bigint,                   -- the file's size
    sha256        text,                     -- hex SHA-256 of the file
    content_type  text,                     -- as the image host sent it (image/...)
    etag          text,                     -- the host's ETag, sent back by --revalidate
    last_modified timestamptz,              -- the host's Last-Modified, sent back by --revalidate
    fetched_at    timestamptz NOT NULL,     -- when the host was last asked
    status        text NOT NULL CHECK (status IN ('ok', 'missing', 'failed')),
    error         text                      -- why not ok: the HTTP status or the failure
);
