//! The course proves both halves of every exercise: as shipped, each check
//! fails on its untouched starter; with `--features solutions`, each check
//! passes on the reference solution. CI runs both:
//!
//! ```sh
//! cargo test -p labs                        # starters: every check fails
//! cargo test -p labs --features solutions   # solutions: every check passes
//! ```
//!
//! (CI and the README spell the second `cargo test --workspace --features
//! labs/solutions --test course`: the same test, built with the features
//! the workspace build already compiled its dependencies with.)
//!
//! (A student who has solved exercises will see the first one fail: it
//! guards the repository's starters, not a student's progress. Use
//! `cargo run -p labs -- check NN` for that.)
//!
//! It also keeps the course and the book together: every chapter of the
//! book's main parts has an exercise (an appendix may have one), every exercise names a chapter the book lists and
//! that chapter tells the student the command, and the starter and the
//! solution both exist.

use std::fs;
use std::path::{Path, PathBuf};

use labs::{EXERCISES, runner};

fn labs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn book_src() -> PathBuf {
    labs_dir().join("../book/src")
}

#[cfg(not(feature = "solutions"))]
#[test]
fn every_check_fails_on_its_untouched_starter() {
    let passing: Vec<&str> = EXERCISES
        .iter()
        .filter(|exercise| runner::run(exercise).is_ok())
        .map(|exercise| exercise.number)
        .collect();
    assert!(
        passing.is_empty(),
        "these checks pass on the shipped starter, so they check nothing: {passing:?}"
    );
}

#[cfg(feature = "solutions")]
#[test]
fn every_check_passes_on_its_reference_solution() {
    let failing: Vec<String> = EXERCISES
        .iter()
        .filter_map(|exercise| {
            runner::run(exercise)
                .err()
                .map(|why| format!("{}: {why}", exercise.number))
        })
        .collect();
    assert!(
        failing.is_empty(),
        "these checks fail on the reference solution:\n{}",
        failing.join("\n")
    );
}

/// The chapters SUMMARY.md lists, in reading order, each with whether it
/// is in the book's main parts (before the `---` that starts the
/// appendices).
fn chapters() -> Vec<(String, bool)> {
    let summary = fs::read_to_string(book_src().join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    let mut main_part = true;
    summary
        .lines()
        .filter_map(|line| {
            if line.trim() == "---" {
                main_part = false;
            }
            // `- [title](file.md)` in a part, `[title](file.md)` for an
            // appendix after the separator.
            let line = line.trim_start();
            let link = line
                .strip_prefix("- [")
                .or_else(|| line.strip_prefix('['))?;
            let (_, target) = link.split_once("](")?;
            target
                .strip_suffix(')')
                .map(|file| (file.to_string(), main_part))
        })
        .collect()
}

#[test]
fn exercises_are_numbered_in_order_without_gaps() {
    let numbers: Vec<&str> = EXERCISES.iter().map(|e| e.number).collect();
    let expected: Vec<String> = (1..=EXERCISES.len()).map(|n| format!("{n:02}")).collect();
    assert_eq!(
        numbers, expected,
        "exercise numbers must run 01, 02, … in order"
    );
}

#[test]
fn every_chapter_has_an_exercise_and_names_its_command() {
    let chapters = chapters();
    let mut problems = Vec::new();
    // Every chapter of the main parts has one; an appendix may.
    for (chapter, _) in chapters.iter().filter(|(_, main_part)| *main_part) {
        if !EXERCISES.iter().any(|e| e.chapter == chapter) {
            problems.push(format!("{chapter}: no exercise"));
        }
    }
    for exercise in EXERCISES {
        if !chapters.iter().any(|(c, _)| c == exercise.chapter) {
            problems.push(format!(
                "exercise {}: chapter {} is not in SUMMARY.md",
                exercise.number, exercise.chapter
            ));
            continue;
        }
        let text = fs::read_to_string(book_src().join(exercise.chapter)).unwrap_or_default();
        let command = format!("cargo run -p labs -- check {}", exercise.number);
        if !text.contains(&command) {
            problems.push(format!(
                "{}: does not tell the student `{command}`",
                exercise.chapter
            ));
        }
        let starter = labs_dir().join(exercise.starter);
        let solution = labs_dir().join(exercise.starter.replacen("exercises/", "solutions/", 1));
        for file in [&starter, &solution] {
            if !file.is_file() {
                problems.push(format!(
                    "exercise {}: {} is missing",
                    exercise.number,
                    display(file)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn display(path: &Path) -> String {
    path.strip_prefix(labs_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The table of exercises in the book's "For instructors" appendix,
/// `book/src/generated/exercises.md`, rendered from [`EXERCISES`]: the
/// book never lists an exercise the course does not have. Regenerate with
/// `MINITLS_BLESS=1 cargo test -p labs --test course` and review the diff.
fn exercise_table() -> String {
    let mut out = String::from(
        "<!-- Generated by labs/tests/course.rs from labs::EXERCISES; do not edit. -->\n\n\
         | # | chapter | the exercise | what it teaches | starter |\n\
         |---|---|---|---|---|\n",
    );
    for exercise in EXERCISES {
        out.push_str(&format!(
            "| {} | {} | {} | {} | `labs/{}` |\n",
            exercise.number,
            exercise.chapter.trim_end_matches(".md"),
            exercise.title,
            exercise.teaches,
            exercise.starter
        ));
    }
    out
}

#[test]
fn the_books_table_of_exercises_is_generated_from_the_course() {
    let path = book_src().join("generated/exercises.md");
    let rendered = exercise_table();
    if std::env::var_os("MINITLS_BLESS").is_some() {
        fs::write(&path, &rendered).expect("write book/src/generated/exercises.md");
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "book/src/generated/exercises.md differs from labs::EXERCISES; regenerate it with\n\
         MINITLS_BLESS=1 cargo test -p labs --test course\nand review the diff"
    );
}
