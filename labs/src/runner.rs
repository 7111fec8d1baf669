//! Running a check: a starter's `todo!()` or a failed assertion inside the
//! student's code is a panic, which must become a readable "not yet", not
//! a crash of the runner.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use crate::{EXERCISES, Exercise};

/// The exercise numbered `number` ("7" and "07" both name exercise 07).
pub fn find(number: &str) -> Option<&'static Exercise> {
    let wanted = format!("{:0>2}", number.trim());
    EXERCISES.iter().find(|exercise| exercise.number == wanted)
}

/// Runs one exercise's check. `Ok` when it passes; otherwise what is
/// wrong: the check's own message, or the panic the student's code raised
/// and where.
pub fn run(exercise: &Exercise) -> Result<(), String> {
    // The default hook would print the panic to stderr in the middle of
    // the runner's report; keep its message and location instead. The
    // hook is process-wide, so it is put back before returning.
    let caught: Arc<Mutex<Option<String>>> = Arc::default();
    let sink = Arc::clone(&caught);
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let place = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = sink.lock() {
            slot.get_or_insert(format!("panicked: {message}{place}"));
        }
    }));
    let outcome = panic::catch_unwind(AssertUnwindSafe(exercise.check));
    panic::set_hook(previous);
    match outcome {
        Ok(result) => result,
        Err(_) => Err(caught
            .lock()
            .ok()
            .and_then(|slot| slot.clone())
            .unwrap_or_else(|| "panicked".to_string())),
    }
}
