//! The book can never show code that does not exist (DESIGN.md, "The book").
//!
//! The chapters in `book/src/` include code from `src/` with mdBook's
//! `{{#include PATH:anchor}}`, where the anchor is a region of the source
//! file between `// ANCHOR: name` and `// ANCHOR_END: name`. mdBook renders
//! an unknown anchor as an empty code block without complaint, so a renamed
//! function or a deleted anchor would silently empty a page. These tests
//! fail instead, listing every problem at once:
//!
//! - every `{{#include PATH}}`, `{{#include PATH:anchor}}` and
//!   `{{#rustdoc_include ...}}` names a file that exists (PATH is relative
//!   to the chapter's own file, as mdBook resolves it);
//! - every anchor has exactly one `ANCHOR: name` and a later
//!   `ANCHOR_END: name` in that file, with something other than whitespace
//!   between them;
//! - no include uses a line range (`PATH:10:20`): line numbers drift as the
//!   code changes, anchors move with it;
//! - every chapter listed in `SUMMARY.md` exists;
//! - every Markdown link to a local file resolves to a file inside
//!   `book/src/` (mdBook copies only that directory into the rendered book,
//!   so a link to `../../src/client.rs` would be dead on the web page);
//! - no fenced block shows bytes typed in by hand: a block with a run of 16
//!   or more hex bytes, or a hex string of 16 bytes or more (a key log
//!   line, a secret), must come from an include of a tested file, so the
//!   bytes a student reads are the bytes a test produced;
//! - no include puts more than 50 lines on the page (`MAX_EXCERPT_LINES`):
//!   a longer function is split into the parts the prose discusses, each
//!   with its own anchor;
//! - no excerpt appears twice: an anchor (or a whole file) is included
//!   once in the whole book, and other chapters link to that one.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("book")
        .join("src")
}

/// Every `.md` file under `dir`, sorted, for stable messages.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn display(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// One `{{#include ...}}` or `{{#rustdoc_include ...}}` found in a chapter.
#[derive(Debug, PartialEq, Eq)]
struct Include {
    line: usize,
    path: String,
    /// What follows the first `:` after the path: an anchor name or a range.
    selector: Option<String>,
}

/// The include directives of one Markdown text. An escaped directive
/// (`\{{#include ...}}`) is text, not an include, as in mdBook.
fn find_includes(text: &str) -> Vec<Include> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut consumed = 0;
        while let Some(start) = rest.find("{{#") {
            let escaped = line[..consumed + start].ends_with('\\');
            let after = &rest[start + 3..];
            let Some(end) = after.find("}}") else { break };
            let directive = after[..end].trim();
            consumed += start + 3 + end + 2;
            rest = &after[end + 2..];
            if escaped {
                continue;
            }
            let Some(argument) = directive
                .strip_prefix("include")
                .or_else(|| directive.strip_prefix("rustdoc_include"))
            else {
                continue;
            };
            if !argument.starts_with(char::is_whitespace) {
                continue;
            }
            let argument = argument.trim();
            let (path, selector) = match argument.split_once(':') {
                Some((path, selector)) => (path, Some(selector.trim().to_string())),
                None => (argument, None),
            };
            out.push(Include {
                line: index + 1,
                path: path.trim().to_string(),
                selector,
            });
        }
    }
    out
}

/// mdBook's anchor names: word characters and dashes.
fn is_anchor_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The name after `marker` on a line (`ANCHOR: name`), if any.
fn marker_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let name: &str = line[at + marker.len()..]
        .trim_start()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .next()
        .unwrap_or("");
    (!name.is_empty()).then_some(name)
}

/// Why `anchor` cannot be included from `source`, or `None` if it can.
fn anchor_problem(source: &str, anchor: &str) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| marker_name(lines[i], "ANCHOR:") == Some(anchor))
        .collect();
    let ends: Vec<usize> = (0..lines.len())
        .filter(|&i| marker_name(lines[i], "ANCHOR_END:") == Some(anchor))
        .collect();
    match (starts.as_slice(), ends.as_slice()) {
        ([], _) => Some(format!("no `ANCHOR: {anchor}`")),
        (_, []) => Some(format!("no `ANCHOR_END: {anchor}`")),
        ([_, _, ..], _) => Some(format!("`ANCHOR: {anchor}` appears {} times", starts.len())),
        (_, [_, _, ..]) => Some(format!(
            "`ANCHOR_END: {anchor}` appears {} times",
            ends.len()
        )),
        ([start], [end]) if end < start => Some(format!(
            "`ANCHOR_END: {anchor}` comes before `ANCHOR: {anchor}`"
        )),
        ([start], [end]) => {
            // mdBook drops the marker lines of other anchors nested inside.
            let body = lines[start + 1..*end].iter().filter(|line| {
                marker_name(line, "ANCHOR:").is_none() && marker_name(line, "ANCHOR_END:").is_none()
            });
            let empty = body.clone().all(|line| line.trim().is_empty());
            empty.then(|| format!("anchor `{anchor}` encloses nothing"))
        }
    }
}

/// Every problem with the includes of one chapter.
fn include_problems(chapter: &Path, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = chapter.parent().expect("a chapter is in a directory");
    for include in find_includes(text) {
        let at = format!("{}:{}", display(chapter), include.line);
        let target = normalize(&dir.join(&include.path));
        let source = match fs::read_to_string(&target) {
            Ok(source) => source,
            Err(e) => {
                problems.push(format!("{at}: cannot read {} ({e})", include.path));
                continue;
            }
        };
        let Some(selector) = include.selector else {
            if source.trim().is_empty() {
                problems.push(format!("{at}: {} is empty", include.path));
            }
            continue;
        };
        if selector.is_empty() || selector.starts_with(|c: char| c.is_ascii_digit() || c == ':') {
            problems.push(format!(
                "{at}: `{}:{selector}` uses a line range; use an anchor (line numbers drift)",
                include.path
            ));
        } else if !is_anchor_name(&selector) {
            problems.push(format!("{at}: `{selector}` is not an anchor name"));
        } else if let Some(problem) = anchor_problem(&source, &selector) {
            problems.push(format!("{at}: {}: {problem}", include.path));
        }
    }
    problems
}

fn fail_with(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s)\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_include_names_an_existing_non_empty_anchor() {
    let chapters = markdown_files(&book_src());
    assert!(
        !chapters.is_empty(),
        "no chapters in {}",
        display(&book_src())
    );
    let mut problems = Vec::new();
    let mut includes = 0;
    for chapter in &chapters {
        let text = fs::read_to_string(chapter).expect("chapter is UTF-8");
        includes += find_includes(&text).len();
        problems.extend(include_problems(chapter, &text));
    }
    fail_with("book includes", &problems);
    assert!(includes > 0, "the book includes no code at all");
}

/// Remove fenced code blocks and inline code, where `[x](y)` is not a link.
fn without_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        match &fence {
            Some(open) if marker.len() >= open.len() && marker.starts_with(&open[..1]) => {
                fence = None;
            }
            Some(_) => {}
            None if marker.len() >= 3 => fence = Some(marker),
            None => {
                // Inline code: drop everything between pairs of backticks.
                let mut in_code = false;
                for c in line.chars() {
                    if c == '`' {
                        in_code = !in_code;
                    } else if !in_code {
                        out.push(c);
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The targets of `[text](target)`, `![alt](target)` and `[id]: target`.
fn link_targets(text: &str) -> Vec<String> {
    let text = without_code(text);
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        // `[text](target "title")`: the target is the first word.
        let target = after[..end].split_whitespace().next().unwrap_or("");
        out.push(target.trim_matches(|c| c == '<' || c == '>').to_string());
        rest = &after[end..];
    }
    for line in text.lines() {
        let line = line.trim_start();
        if let Some(close) = line.strip_prefix('[').and_then(|l| l.find("]:"))
            && let Some(target) = line[close + 3..].split_whitespace().next()
        {
            out.push(target.to_string());
        }
    }
    out
}

fn is_external(target: &str) -> bool {
    target.is_empty()
        || target.starts_with('#')
        || target.contains("://")
        || target.starts_with("mailto:")
}

#[test]
fn summary_lists_only_existing_chapters() {
    let src = book_src();
    let summary = src.join("SUMMARY.md");
    let text = fs::read_to_string(&summary).expect("book/src/SUMMARY.md exists");
    let mut problems = Vec::new();
    let mut chapters = 0;
    for target in link_targets(&text) {
        if is_external(&target) {
            continue; // `[Draft]()` is a draft chapter in mdBook.
        }
        chapters += 1;
        let path = src.join(target.split('#').next().unwrap_or(""));
        if !path.is_file() {
            problems.push(format!("SUMMARY.md lists {target}, which does not exist"));
        }
    }
    fail_with("SUMMARY.md", &problems);
    assert!(chapters > 0, "SUMMARY.md lists no chapters");
}

#[test]
fn local_links_resolve_inside_the_book() {
    let src = normalize(&book_src());
    let mut problems = Vec::new();
    for chapter in markdown_files(&src) {
        let text = fs::read_to_string(&chapter).expect("chapter is UTF-8");
        let dir = chapter.parent().expect("a chapter is in a directory");
        for target in link_targets(&text) {
            if is_external(&target) {
                continue;
            }
            let file = target.split('#').next().unwrap_or("");
            let path = normalize(&dir.join(file));
            if !path.starts_with(&src) {
                problems.push(format!(
                    "{}: link to {target} leaves book/src/, so it is dead once rendered",
                    display(&chapter)
                ));
            } else if !path.exists() {
                problems.push(format!(
                    "{}: link to {target}: no such file",
                    display(&chapter)
                ));
            }
        }
    }
    fail_with("book links", &problems);
}

/// The longest run of hex bytes on one line: two-digit tokens separated by
/// spaces or colons (`16 03 01 00 f4`, `16:03:01`), or one long hex string
/// (`9e0f6f...`, counted as its length / 2).
fn hex_bytes_in_line(line: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for token in line.split(|c: char| c.is_whitespace() || c == ':' || c == ',') {
        let hex = !token.is_empty() && token.chars().all(|c| c.is_ascii_hexdigit());
        if hex && token.len() == 2 {
            run += 1;
        } else {
            run = 0;
        }
        if hex && token.len() >= 32 {
            longest = longest.max(token.len() / 2);
        }
        longest = longest.max(run);
    }
    longest
}

/// Fenced blocks written by hand (no include in them) that show 16 or more
/// hex bytes in a row: `(line of the block, bytes)`.
fn pasted_byte_dumps(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut block: Option<(usize, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        let is_fence = line.trim_start().starts_with("```");
        match (&mut block, is_fence) {
            (None, true) => block = Some((n + 1, Vec::new())),
            (Some(open), false) => open.1.push(line),
            (Some(_), true) => {
                let (at, lines) = block.take().expect("an open block");
                let included = lines.iter().any(|l| l.contains("{{#include"));
                let most = lines
                    .iter()
                    .map(|l| hex_bytes_in_line(l))
                    .max()
                    .unwrap_or(0);
                if !included && most >= 16 {
                    found.push((at, most));
                }
            }
            (None, false) => {}
        }
    }
    found
}

#[test]
fn no_chapter_shows_bytes_typed_in_by_hand() {
    let mut problems = Vec::new();
    for chapter in markdown_files(&book_src()) {
        let text = fs::read_to_string(&chapter).expect("chapter is UTF-8");
        for (line, bytes) in pasted_byte_dumps(&text) {
            problems.push(format!(
                "{}:{line}: a code block shows {bytes} hex bytes not included from a tested file",
                display(&chapter)
            ));
        }
    }
    fail_with("bytes pasted into the book", &problems);
}

/// The byte-dump checker catches dumps, key log lines and secrets, and
/// leaves tables of small numbers and included blocks alone.
#[test]
fn byte_dump_checker_judges_what_it_claims_to() {
    let dump = "16 03 03 00 7a 02 00 00 76 03 03 a6 af 06 a4 12";
    assert_eq!(hex_bytes_in_line(dump), 16);
    assert_eq!(hex_bytes_in_line(&dump[..dump.len() - 3]), 15);
    assert_eq!(
        hex_bytes_in_line("16:03:03:00:7a:02:00:00:76:03:03:a6:af:06:a4:12"),
        16
    );
    let keylog = format!("CLIENT_RANDOM {} {}", "ab".repeat(32), "cd".repeat(48));
    assert_eq!(hex_bytes_in_line(&keylog), 48);
    assert!(hex_bytes_in_line("4  22  1  6  23  22,20,22  2,8,11,15,20") < 16);

    let pasted = format!("text\n```text\n{dump}\n```\n");
    assert_eq!(pasted_byte_dumps(&pasted), [(2, 16)]);
    let included = format!("```text\n{{{{#include ../x.snap:a}}}}\n{dump}\n```\n");
    assert!(pasted_byte_dumps(&included).is_empty());
    assert!(pasted_byte_dumps("```rust\nlet x = [0u8; 32];\n```\n").is_empty());
}

/// The checker itself: it must catch what it claims to catch.
#[test]
fn checker_finds_includes_and_judges_anchors() {
    let text = "a\n```rust,ignore\n{{#include ../../src/x.rs:good}}\n```\n\
                \\{{#include escaped.rs:nope}} {{#rustdoc_include y.rs}}\n\
                {{#include z.rs:3:9}} {{#title not an include}}\n";
    let found = find_includes(text);
    assert_eq!(
        found,
        [
            Include {
                line: 3,
                path: "../../src/x.rs".into(),
                selector: Some("good".into())
            },
            Include {
                line: 5,
                path: "y.rs".into(),
                selector: None
            },
            Include {
                line: 6,
                path: "z.rs".into(),
                selector: Some("3:9".into())
            },
        ]
    );

    let source = "// ANCHOR: good\nfn f() {}\n// ANCHOR_END: good\n\
                  // ANCHOR: empty\n\n    // ANCHOR: inner\n    // ANCHOR_END: inner\n// ANCHOR_END: empty\n\
                  // ANCHOR: open\n// ANCHOR_END: backwards\n// ANCHOR: backwards\n\
                  // ANCHOR: twice\nx\n// ANCHOR_END: twice\n// ANCHOR: twice\n";
    assert_eq!(anchor_problem(source, "good"), None);
    assert!(
        anchor_problem(source, "good_extra")
            .unwrap()
            .contains("no `ANCHOR: good_extra`")
    );
    assert!(
        anchor_problem(source, "empty")
            .unwrap()
            .contains("encloses nothing")
    );
    assert!(
        anchor_problem(source, "open")
            .unwrap()
            .contains("no `ANCHOR_END: open`")
    );
    assert!(
        anchor_problem(source, "backwards")
            .unwrap()
            .contains("comes before")
    );
    assert!(anchor_problem(source, "twice").unwrap().contains("2 times"));
    // A name that merely starts like another anchor's is a different anchor.
    assert!(anchor_problem("// ANCHOR: good_one\nx\n// ANCHOR_END: good_one\n", "good").is_some());

    let links = link_targets(
        "[a](one.md) ![i](img/p.png \"t\") `[no](code.md)` [w](https://x.org)\n\
         ```\n[no](fenced.md)\n```\n[ref]: two.md#part\n",
    );
    assert_eq!(
        links,
        ["one.md", "img/p.png", "https://x.org", "two.md#part"]
    );
}

/// The most lines one include may put on the page. A reader holds about a
/// screen of code in mind while reading the prose about it; beyond that,
/// the prose should take the function apart.
const MAX_EXCERPT_LINES: usize = 50;

/// How many lines mdBook puts on the page for an include of `source`: the
/// whole file (`anchor` is `None`), or the lines between the anchor's two
/// markers. Marker lines of other anchors are not counted, because mdBook
/// drops them. `None` when the anchor does not resolve (the include test
/// reports why).
fn excerpt_lines(source: &str, anchor: Option<&str>) -> Option<usize> {
    let is_marker = |line: &&str| {
        marker_name(line, "ANCHOR:").is_some() || marker_name(line, "ANCHOR_END:").is_some()
    };
    let lines: Vec<&str> = source.lines().collect();
    let Some(anchor) = anchor else {
        return Some(lines.iter().filter(|line| !is_marker(line)).count());
    };
    if anchor_problem(source, anchor).is_some() {
        return None;
    }
    let start = lines
        .iter()
        .position(|line| marker_name(line, "ANCHOR:") == Some(anchor))?;
    let end = lines
        .iter()
        .position(|line| marker_name(line, "ANCHOR_END:") == Some(anchor))?;
    Some(
        lines[start + 1..end]
            .iter()
            .filter(|line| !is_marker(line))
            .count(),
    )
}

/// One include of the book, resolved: where it is, what it names, how
/// many lines it shows. Line ranges and unreadable files are left out;
/// `every_include_names_an_existing_non_empty_anchor` reports those.
struct Excerpt {
    /// `book/src/chapter.md:line`.
    at: String,
    /// The included file and anchor, as one name: `src/client.rs:handle`.
    what: String,
    lines: usize,
}

fn excerpts_in(chapter: &Path, text: &str) -> Vec<Excerpt> {
    let dir = chapter.parent().expect("a chapter is in a directory");
    let mut out = Vec::new();
    for include in find_includes(text) {
        let target = normalize(&dir.join(&include.path));
        let Ok(source) = fs::read_to_string(&target) else {
            continue;
        };
        let anchor = include.selector.as_deref();
        if anchor.is_some_and(|a| !is_anchor_name(a)) {
            continue;
        }
        let Some(lines) = excerpt_lines(&source, anchor) else {
            continue;
        };
        let what = match anchor {
            Some(anchor) => format!("{}:{anchor}", display(&target)),
            None => display(&target),
        };
        out.push(Excerpt {
            at: format!("{}:{}", display(chapter), include.line),
            what,
            lines,
        });
    }
    out
}

fn book_excerpts() -> Vec<Excerpt> {
    let mut out = Vec::new();
    for chapter in markdown_files(&book_src()) {
        let text = fs::read_to_string(&chapter).expect("chapter is UTF-8");
        out.extend(excerpts_in(&chapter, &text));
    }
    out
}

/// The complaint about one excerpt, if it is too long to read.
fn length_problem(excerpt: &Excerpt) -> Option<String> {
    (excerpt.lines > MAX_EXCERPT_LINES).then(|| {
        format!(
            "{}: `{}` shows {} lines (at most {MAX_EXCERPT_LINES}); split it into \
             anchors for the parts the prose discusses",
            excerpt.at, excerpt.what, excerpt.lines
        )
    })
}

/// One complaint per anchor (or whole file) that more than one include
/// shows, naming every place it is included, first one first.
fn repetition_problems(excerpts: &[Excerpt]) -> Vec<String> {
    let mut places: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for excerpt in excerpts {
        places.entry(&excerpt.what).or_default().push(&excerpt.at);
    }
    places
        .into_iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(what, at)| {
            format!(
                "`{what}` is included {} times ({}); include it once and link to that chapter",
                at.len(),
                at.join(", ")
            )
        })
        .collect()
}

#[test]
fn no_excerpt_is_longer_than_fifty_lines() {
    let excerpts = book_excerpts();
    assert!(!excerpts.is_empty(), "the book includes nothing");
    let problems: Vec<String> = excerpts.iter().filter_map(length_problem).collect();
    fail_with("excerpts too long to read", &problems);
}

#[test]
fn no_excerpt_is_included_twice() {
    fail_with(
        "excerpts shown twice",
        &repetition_problems(&book_excerpts()),
    );
}

/// The density checkers on tiny inputs: they count what mdBook shows,
/// and they catch what they claim to catch.
#[test]
fn density_checkers_judge_what_they_claim_to() {
    let source = "head\n// ANCHOR: outer\na\n    // ANCHOR: inner\n    b\n    // ANCHOR_END: inner\n\
                  c\n// ANCHOR_END: outer\ntail\n";
    // Nested markers are not shown, so not counted.
    assert_eq!(excerpt_lines(source, Some("outer")), Some(3));
    assert_eq!(excerpt_lines(source, Some("inner")), Some(1));
    assert_eq!(excerpt_lines(source, None), Some(5));
    assert_eq!(excerpt_lines(source, Some("missing")), None);

    let excerpt = |at: &str, what: &str, lines: usize| Excerpt {
        at: at.into(),
        what: what.into(),
        lines,
    };
    let long_function =
        "// ANCHOR: f\n".to_string() + &"x\n".repeat(MAX_EXCERPT_LINES + 1) + "// ANCHOR_END: f\n";
    let lines = excerpt_lines(&long_function, Some("f")).unwrap();
    assert_eq!(lines, MAX_EXCERPT_LINES + 1);
    let complaint = length_problem(&excerpt("book/src/a.md:7", "src/x.rs:f", lines)).unwrap();
    assert!(complaint.starts_with("book/src/a.md:7: `src/x.rs:f` shows 51 lines"));
    let just_fits = excerpt("book/src/a.md:7", "src/x.rs:f", MAX_EXCERPT_LINES);
    assert_eq!(length_problem(&just_fits), None);

    let book = [
        excerpt("book/src/a.md:3", "src/x.rs:f", 5),
        excerpt("book/src/b.md:9", "src/x.rs:g", 5),
        excerpt("book/src/c.md:4", "src/x.rs:f", 5),
        excerpt("book/src/c.md:8", "src/y.rs", 5),
    ];
    assert_eq!(
        repetition_problems(&book),
        [
            "`src/x.rs:f` is included 2 times (book/src/a.md:3, book/src/c.md:4); \
          include it once and link to that chapter"
        ]
    );
    assert!(repetition_problems(&book[1..]).is_empty());
}
