//! The fuzz target's way in to the reference model of a pipe
//! (`fuzz/fuzz_targets/pipe_ops.rs` includes this file with `#[path]`). The
//! model lives in `tests/support/model.rs`, where `tests/pipe_model.rs`
//! reaches it through `mod support`; it needs only `support/door.rs` beside
//! it, so this file includes just those two.
#![allow(dead_code)]

#[path = "../support/door.rs"]
mod door;

#[path = "../support/model.rs"]
mod reference;

pub use reference::*;
