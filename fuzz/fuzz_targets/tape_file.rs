//! The tape-file and template parsers: any input gives a `Tape` and a
//! `Script`, or an `InvalidData` error that names the line; never a panic
//! or a hang. What parses must also save and parse back the same (checked
//! inside `pipetap::fuzzing`). The same bytes are also parsed as a template,
//! which gives a value or a message naming the byte.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match pipetap::fuzzing::tape_file(data) {
        Ok((tape, script)) => {
            // Both are usable: a tape's events, a script's steps.
            let _ = (tape.events(), script.len());
        }
        Err(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
            let message = e.to_string();
            assert!(
                message.starts_with("tape file, line "),
                "an error that names no line: {message}"
            );
        }
    }
    // The same bytes as a template.
    match pipetap::fuzzing::template(data) {
        Ok(_) => {}
        Err(message) => assert!(message.starts_with("at byte "), "{message}"),
    }
});
