//! The message of a script that did not finish in time: which step it was
//! on, what that step expected and what arrived so far.

use std::fmt::Write as _;
use std::time::Duration;

use super::error::{ScriptError, ScriptErrorKind};
use super::state::Progress;
use super::step::Step;
use crate::tape::diff;
use crate::tape::hexdump::preview;

/// Bytes of the rest of a step shown as still expected.
const SHOWN: usize = 64;

/// The error of a script stalled at `progress` after `waited`.
pub(crate) fn stalled(
    name: Option<&str>,
    steps: &[Step],
    progress: &Progress,
    waited: Duration,
) -> ScriptError {
    let i = progress.step;
    let mut detail = String::new();
    let headline = match steps.get(i) {
        None => "the peer did not get to the end".to_owned(),
        Some(Step::Read(bytes)) if progress.sent < bytes.len() => format!(
            "it sent {} of the {} bytes and the code under test is not reading the rest",
            progress.sent,
            bytes.len()
        ),
        Some(Step::Read(bytes)) => format!(
            "it sent all {} bytes and the code under test has not read them all",
            bytes.len()
        ),
        Some(Step::Write(expected)) => {
            let got = if progress.matched_step == i {
                progress.matched_offset
            } else {
                0
            };
            let _ = writeln!(
                detail,
                "  still expected: {}",
                preview(&expected[got..], SHOWN)
            );
            diff::recorded(&mut detail, "arrived", &expected[..got], 1, "step");
            format!(
                "the code under test wrote {got} of the {} bytes it expects",
                expected.len()
            )
        }
        Some(Step::WriteUntil { delimiter, .. }) => {
            let got = if progress.matched_step == i {
                progress.matched_offset
            } else {
                0
            };
            format!(
                "the code under test wrote {got} bytes of the step, none of them ending {}",
                preview(delimiter, SHOWN)
            )
        }
        Some(Step::ReadTemplate(_) | Step::Respond(_)) => format!(
            "it sent {} bytes of the step and the code under test has not read them all",
            progress.sent
        ),
        Some(Step::WriteAny(n)) => format!(
            "the code under test wrote {} of the {n} bytes it expects",
            if progress.matched_step == i {
                progress.matched_offset
            } else {
                0
            }
        ),
        Some(Step::WriteTemplate(t)) => {
            let got = if progress.matched_step == i {
                progress.matched_offset
            } else {
                0
            };
            let _ = writeln!(detail, "  template: {}", preview(&t.text, SHOWN * 2));
            format!("the code under test wrote {got} bytes of the step, not yet all that fit the template")
        }
        Some(Step::Wait(_)) => "its wait had not ended".to_owned(),
        Some(Step::ReadError(_)) => {
            "the code under test has not read again, so the error did not fire".to_owned()
        }
        Some(Step::WriteError(_)) => {
            "the code under test has not written again, so the error did not fire".to_owned()
        }
        Some(Step::ShutdownWrite | Step::Close | Step::Reset) => {
            "the peer did not get to run it".to_owned()
        }
    };
    let _ = writeln!(
        detail,
        "  waited {waited:?}; the code under test wrote {} bytes in all",
        progress.written
    );
    if progress.matched_step > i && progress.matched_step < steps.len() {
        let _ = writeln!(
            detail,
            "  its written bytes already matched up to step {} of {}",
            progress.matched_step + 1,
            steps.len()
        );
    }
    ScriptError::new(
        ScriptErrorKind::Stalled,
        name,
        steps,
        Some(i.min(steps.len().saturating_sub(1))),
        headline,
        detail,
    )
}
