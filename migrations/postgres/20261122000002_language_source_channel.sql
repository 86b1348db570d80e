-- videos.language_source may also say 'channel': the language came from the API's language for
-- the same channel's other videos in the run (README.md, "Language"). The CHECK was written
-- inline in the initial migration; PostgreSQL named it videos_language_source_check.
ALTER TABLE videos DROP CONSTRAINT videos_language_source_check;
ALTER TABLE videos ADD CONSTRAINT videos_language_source_check
    CHECK (language_source IN ('api', 'channel', 'detected', 'none'));
