//! `cargo run -p labs -- list | check NN | check all`: the course's one
//! command. See `labs/README.md`.

use std::process::ExitCode;

use labs::{EXERCISES, Exercise, runner};

const USAGE: &str = "usage: cargo run -p labs -- list
       cargo run -p labs -- check NN     (one exercise, e.g. check 09)
       cargo run -p labs -- check all";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => {
            for exercise in EXERCISES {
                println!(
                    "{}  {:<34} {}\n    teaches: {}",
                    exercise.number, exercise.chapter, exercise.title, exercise.teaches
                );
            }
            ExitCode::SUCCESS
        }
        ["check", "all"] => {
            let passed = EXERCISES.iter().filter(|e| check(e)).count();
            println!("\n{passed} of {} exercises pass", EXERCISES.len());
            if passed == EXERCISES.len() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        ["check", number] => match runner::find(number) {
            Some(exercise) if check(exercise) => ExitCode::SUCCESS,
            Some(_) => ExitCode::FAILURE,
            None => {
                eprintln!("no exercise {number}; `cargo run -p labs -- list` lists them");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Runs one check and prints its verdict; true when it passed.
fn check(exercise: &Exercise) -> bool {
    let head = format!("exercise {} ({})", exercise.number, exercise.title);
    match runner::run(exercise) {
        Ok(()) => {
            println!("PASS  {head}");
            true
        }
        Err(why) => {
            println!(
                "FAIL  {head}\n      {why}\n      edit labs/{}",
                exercise.starter
            );
            false
        }
    }
}
