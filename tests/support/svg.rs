//! What the book's generated pictures share: the typography that lets a
//! test lay text out without a font engine, XML escaping, comments that
//! stay valid XML, the check that a committed picture equals the rendered
//! one (or the bless that rewrites it), and the check that no two texts of
//! a picture overlap.
//!
//! Used by `tests/diagrams.rs` (the state machines) and `tests/pictures.rs`
//! (ladders, record protection, key schedule, resumption strategies, the
//! fleet) with `#[path = "support/svg.rs"] mod svg;`, so that a picture
//! test pulls in the process helpers of `tests/support/mod.rs` only if it
//! starts a process (`tests/pictures.rs` does, for the fleet's
//! redis-server).
#![allow(dead_code)] // each test file uses its own subset

use std::fs;
use std::path::{Path, PathBuf};

/// Font size of the pictures' text, in px. The font is monospace so that a
/// label's width is known without a font engine: at most `CHAR_WIDTH` px
/// per character (DejaVu Sans Mono is 0.6 em).
pub const FONT_SIZE: i32 = 13;
/// The width of one character at [`FONT_SIZE`], rounded up.
pub const CHAR_WIDTH: i32 = 8;
/// The font stack every picture names (all monospace).
pub const FONT_FAMILY: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";

/// The environment variable that makes the picture tests write their files
/// instead of comparing them.
pub const BLESS_VAR: &str = "MINITLS_BLESS";

/// The width of `text` at [`FONT_SIZE`].
pub fn text_width(text: &str) -> i32 {
    text.chars().count() as i32 * CHAR_WIDTH
}

/// An XML comment line holding `text`. XML forbids `--` inside a comment
/// (an SVG with one does not show at all), so each `-` that would make one
/// is followed by a space.
pub fn comment(text: &str) -> String {
    let mut safe = String::new();
    for c in text.chars() {
        if c == '-' && safe.ends_with('-') {
            safe.push(' ');
        }
        safe.push(c);
    }
    if safe.ends_with('-') {
        safe.push(' ');
    }
    format!("  <!-- {safe} -->\n")
}

/// `text` with the characters XML gives a meaning escaped.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `book/src/generated/`, where every generated picture lives.
pub fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("book")
        .join("src")
        .join("generated")
}

/// Compares `rendered` with the committed file `book/src/generated/<file>`,
/// or writes it when [`BLESS_VAR`] is `1`. On a difference it fails with
/// the first differing line and the command that regenerates the file:
/// `source` says what the file is generated from, `test` which test file
/// (`diagrams`, `pictures`) renders it.
pub fn check_or_bless(file: &str, rendered: &str, source: &str, test: &str) {
    let path = generated_dir().join(file);
    let shown = format!("book/src/generated/{file}");
    if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
        fs::create_dir_all(generated_dir()).expect("create book/src/generated");
        fs::write(&path, rendered).unwrap_or_else(|e| panic!("writing {shown}: {e}"));
        return;
    }
    let hint = format!(
        "{shown} is generated from {source}; if that changed on purpose, regenerate it with\n\
         \n    {BLESS_VAR}=1 cargo test --test {test}\n\
         \nand review the diff"
    );
    let committed = match fs::read_to_string(&path) {
        Ok(text) => text.replace("\r\n", "\n"),
        Err(e) => panic!("cannot read {shown} ({e}).\n{hint}"),
    };
    if committed == rendered {
        return;
    }
    let line = committed
        .lines()
        .zip(rendered.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()));
    panic!(
        "{shown} is out of date: first difference at line {}\n  committed: {:?}\n  rendered:  {:?}\n\n{hint}",
        line + 1,
        committed.lines().nth(line).unwrap_or("<end of file>"),
        rendered.lines().nth(line).unwrap_or("<end of file>"),
    );
}

/// The value of attribute `name` in one line of SVG.
fn attribute(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = line[start..].find('"')?;
    Some(line[start..start + len].to_string())
}

/// Where one `<text>` of a picture is, measured the way the layouts
/// measure it (monospace, [`CHAR_WIDTH`] per character, about one
/// [`FONT_SIZE`] tall above the baseline).
#[derive(Clone, Debug)]
pub struct TextBox {
    /// Left, top, right, bottom, in px.
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    /// The text, unescaped.
    pub text: String,
}

/// Every `<text>` of `svg`, which must be written one per line with
/// integer `x` and `y` (as the generators here write them).
pub fn text_boxes(svg: &str) -> Vec<TextBox> {
    let mut boxes = Vec::new();
    for line in svg
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<text "))
    {
        let x: i32 = attribute(line, "x").unwrap().parse().unwrap();
        let y: i32 = attribute(line, "y").unwrap().parse().unwrap();
        let content = &line[line.find('>').unwrap() + 1..line.rfind("</text>").unwrap()];
        let text = content
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let w = text_width(&text);
        let left = match attribute(line, "text-anchor").as_deref() {
            Some("middle") => x - w / 2,
            Some("end") => x - w,
            _ => x,
        };
        boxes.push(TextBox {
            left,
            top: y - FONT_SIZE + 2,
            right: left + w,
            bottom: y + 3,
            text,
        });
    }
    boxes
}

/// Fails when two texts of `svg` overlap; `name` names the picture.
/// Returns the boxes, for further checks.
pub fn assert_no_text_overlaps(name: &str, svg: &str) -> Vec<TextBox> {
    let boxes = text_boxes(svg);
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[..i] {
            let apart =
                a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
            assert!(apart, "{name}: {:?} overlaps {:?}", a.text, b.text);
        }
    }
    boxes
}
