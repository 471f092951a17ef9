//! Fuzz target: arbitrary bytes decode into a pipe setup and a sequence of
//! operations on both ends and every door, run against the same model as the
//! property tests (`tests/model/mod.rs`). Any disagreement panics.
#![no_main]

#[path = "../../tests/model/mod.rs"]
mod model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    model::Scenario::decode(data).run();
});
