#!/usr/bin/env python3
"""Build the TimeBank incident set (stdlib only): plain texts + manifest + gold, in the shape of wire-incidents.

    python3 bench/build_timebank_incidents.py TIMEBANK_DIR OUT_DIR

TIMEBANK_DIR holds the TimeBank 1.2 *.tml files. For every doc listed in bench/timebank_incidents_gold.json it
writes OUT_DIR/<doc>.txt (the text inside <TEXT>, tags stripped, entities decoded, paragraphs kept),
OUT_DIR/manifest.csv (file,title,publisher,published,url; published = the DCT date, title = the first sentence,
publisher = the file-name prefix, e.g. APW, NYT, wsj) and copies the gold to OUT_DIR/gold.json. The texts are not
ours: they stay outside the repository.
"""
import csv, html, json, os, re, shutil, sys

GOLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "timebank_incidents_gold.json")


def plain_text(tml):
    """The text inside <TEXT>, tags stripped, entities decoded, one blank line between paragraphs."""
    m = re.search(r"<TEXT>(.*?)</TEXT>", tml, re.S)
    body = re.sub(r"<[^>]+>", "", m.group(1) if m else "")
    body = html.unescape(body).replace("\r", "")
    paragraphs = [re.sub(r"[ \t]+", " ", " ".join(p.split("\n"))).strip() for p in re.split(r"\n\s*\n", body)]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def creation_date(tml):
    m = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', tml)
    v = re.search(r'value="(\d{4}-\d{2}-\d{2})', m.group(0)) if m else None
    return v.group(1) if v else ""


ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "gen", "lt", "col", "sgt", "gov", "sen", "rep", "st", "jr", "sr", "corp", "inc",
                 "co", "ltd", "no", "vs", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "calif", "ariz", "n.j", "u.s",
                 "u.n", "u.k"}


def title_of(text):
    """The first sentence (an AP dateline such as 'BELFAST, Northern Ireland (AP)_' left out), at most 160 characters."""
    first = re.sub(r"^[A-Z][A-Za-z' .,-]*\((AP)\)_\s*", "", text.strip().split("\n", 1)[0])
    for m in re.finditer(r"[.!?](?=\s+[\"'`(]*[A-Z0-9])", first):
        word = re.search(r"([\w.]*)$", first[:m.start()]).group(1).lower()
        if word in ABBREVIATIONS or re.fullmatch(r"(\w\.)*\w", word) and len(word) <= 1:
            continue
        first = first[:m.end()]
        break
    title = first.strip()
    return title if len(title) <= 160 else title[:157].rsplit(" ", 1)[0] + "..."


def publisher_of(doc):
    m = re.match(r"[A-Za-z]+", doc)
    return m.group(0) if m else ""


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    src, out = argv[1], argv[2]
    gold = json.load(open(GOLD))
    os.makedirs(out, exist_ok=True)
    rows = []
    for doc in gold["docs"]:
        with open(os.path.join(src, doc + ".tml"), encoding="utf-8") as f:
            tml = f.read()
        text = plain_text(tml)
        with open(os.path.join(out, doc + ".txt"), "w", encoding="utf-8") as f:
            f.write(text)
        rows.append({"file": doc + ".txt", "title": title_of(text), "publisher": publisher_of(doc),
                     "published": creation_date(tml), "url": ""})
    with open(os.path.join(out, "manifest.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["file", "title", "publisher", "published", "url"])
        w.writeheader()
        w.writerows(rows)
    shutil.copyfile(GOLD, os.path.join(out, "gold.json"))
    print(f"{len(rows)} docs -> {out}")


if __name__ == "__main__":
    main(sys.argv)
