#!/usr/bin/env python3
"""Extracts the candidate titles of trendtap's language evaluation set (tests/data/lang_eval.tsv).

This script only picks and deduplicates titles; it assigns no language. The labels in
lang_eval.tsv were written by a person reading each title (see lang_eval.md).

Usage: python3 tests/data/lang_eval_candidates.py [SHARED_DIR] > candidates.tsv
       python3 tests/data/lang_eval_candidates.py --round 2 [SHARED_DIR] > candidates2.tsv
SHARED_DIR defaults to /work/shared. Output columns: key, title, region, source, api_language,
channel_title, stratum (round 2: region, title, source, stratum). Deterministic: the same inputs
give the same output.

Round 2 (issue 16) reads lang_eval.tsv beside this script to skip titles already labelled: the
first round's and the 2020 Kaggle chart titles, which were transcribed from the public copy of
the dataset (see lang_eval.md) and are not in SHARED_DIR.
"""

import csv
import glob
import json
import os
import random
import re
import sys
import unicodedata

ROUND2 = len(sys.argv) > 1 and sys.argv[1] == "--round"
ARGS = sys.argv[3:] if ROUND2 else sys.argv[1:]
SHARED = ARGS[0] if ARGS else "/work/shared"
CSV = os.path.join(SHARED, "data", "trending_sample_2017.csv")
EXAMPLES = os.path.join(SHARED, "youtube-api", "examples")

# Random titles per region of the 2017 sample (after deduplication); MX has only 25 rows: all.
RANDOM_PER_REGION = {"IN": 450, "GB": 220, "US": 220, "CA": 150, "MX": 1000}
SEED = 20171114

# Function words of other languages that are not also common English words or name parts. A
# CA/GB/US title with two of them, or with any non-ASCII letter or non-Latin script, is taken in
# full ("enrichment"): such titles are rare in those regions and are the hard cases.
FOREIGN_FUNCTION_WORDS = set(
    """el los del que y por para con una es pero sus como más qué ao não dos das com um uma você
    le les des et est pour dans une du au sur pas qui vous avec ce cette sont der die das und ist
    nicht mit dem ein eine ich zu von auf het een niet voor ook och att det är på jeg og ikke til
    af som må har sa mga ang ng ni ako yang dan ini itu dengan untuk tidak saya hai ki ka ke ko se
    mein nahi kya aur bhi hain tha""".split()
)


def clean(title):
    """NFC, whitespace collapsed: the form used to deduplicate."""
    title = unicodedata.normalize("NFC", title).replace("\t", " ")
    return re.sub(r"\s+", " ", title).strip()


def foreign_looking(title):
    for c in title:
        if c.isalpha() and (ord(c) > 127):
            return True
    words = re.findall(r"[^\W\d_]+", title.lower())
    return sum(w in FOREIGN_FUNCTION_WORDS for w in words) >= 2


def main():
    out = []
    seen = set()

    def add(title, region, source, api, channel, stratum):
        title = clean(title)
        if not title or title in seen:
            return
        seen.add(title)
        out.append((title, region, source, api, channel, stratum))

    # 1. Every video of the real API responses (the region is the chart's; by-id responses have
    #    no chart region and are given the channel's obvious market, noted as stratum "api-byid").
    for path in sorted(glob.glob(os.path.join(EXAMPLES, "videos_*.json"))):
        name = os.path.basename(path)
        m = re.match(r"videos_mostPopular_([A-Z]{2})_", name)
        region = m.group(1) if m else ("IN" if "_IN_" in name else "US")
        with open(path, encoding="utf-8") as f:
            body = json.load(f)
        for item in body.get("items", []):
            s = item.get("snippet") or {}
            api = s.get("defaultAudioLanguage") or s.get("defaultLanguage") or ""
            add(
                s.get("title", ""),
                region,
                f"youtube-api/examples/{name}#{item.get('id')}",
                api,
                clean(s.get("channelTitle", "")),
                "api" if m else "api-byid",
            )

    # 2. The 2017 trending sample: enrichment first, then a seeded random sample per region.
    with open(CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first = {}
    for row in rows:
        first.setdefault(clean(row["title"]), row)
    by_region = {}
    for title, row in first.items():
        by_region.setdefault(row["region"], []).append((title, row))
    rng = random.Random(SEED)
    for region in sorted(by_region):
        titles = by_region[region]
        if region in ("CA", "GB", "US"):
            for title, row in titles:
                if foreign_looking(title):
                    add(title, region, f"data/trending_sample_2017.csv#{row['video_id']}", "",
                        clean(row["channel_title"]), "2017-enriched")
        pick = rng.sample(titles, min(RANDOM_PER_REGION[region], len(titles)))
        for title, row in pick:
            add(title, region, f"data/trending_sample_2017.csv#{row['video_id']}", "",
                clean(row["channel_title"]), "2017-random")

    # Plain TSV without quoting: clean() removed every tab from the fields.
    print("key\ttitle\tregion\tsource\tapi_language\tchannel_title\tstratum")
    for i, row in enumerate(out, 1):
        print("\t".join([str(i), *row]))


# Round 2: romanized Hindi and Punjabi grammar words that mark a candidate.
HINDI_PUNJABI = set("""hai hain ka ki ke ko se mein kya aur bhi nahi tha thi mera meri tera teri wala wali
    da di de nu te tu ve mainu tenu ni aa""".split())


def words(title):
    return sum(1 for w in title.split() if any(c.isalpha() for c in w))


def round2():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "lang_eval.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    # The set as it was before this round's local titles: round 1 and the Kaggle 2020 charts.
    have = {clean(r[0]) for r in rows[:1336]}
    have |= {clean(r[0]) for r in rows if r[3].startswith("kaggle-2020/")}
    out = []

    def take(region, title, source, stratum):
        title = clean(title)
        if title and title not in have:
            have.add(title)
            out.append((region, title, source, stratum))

    kaggle = os.path.join(SHARED, "data", "kaggle")
    with open(os.path.join(kaggle, "US_youtube_trending_data_head.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            take("US", r["title"], "data/kaggle/US_youtube_trending_data_head.csv#" + r["video_id"],
                 "kaggle-2020-head")
    with open(os.path.join(kaggle, "CAvideos_head.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            take("CA", r["title"], "data/kaggle/CAvideos_head.csv#" + r["video_id"], "kaggle-2017-head")
    with open(CSV, encoding="utf-8", newline="") as f:
        first = {}
        for r in csv.DictReader(f):
            first.setdefault(clean(r["title"]), r)
    for title, r in first.items():
        if title not in have and words(title) <= 3:
            take(r["region"], title, "data/trending_sample_2017.csv#" + r["video_id"], "short")
    romanized = [
        (t, r) for t, r in first.items()
        if r["region"] == "IN" and t not in have and all(ord(c) < 0x900 for c in t)
        and any(w.lower() in HINDI_PUNJABI for w in re.findall(r"[A-Za-z]+", t))
    ]
    for title, r in random.Random(16).sample(romanized, min(70, len(romanized))):
        take("IN", title, "data/trending_sample_2017.csv#" + r["video_id"], "romanized")
    print("region\ttitle\tsource\tstratum")
    for row in out:
        print("\t".join(row))


if __name__ == "__main__":
    round2() if ROUND2 else main()
