//! pipetap (crate docs are written in the pipe work).
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// --- pipe (issue 2) ---
mod pipe;
mod sync;
pub use pipe::{pipe, PipeBuilder, PipeEnd, ReadHalf, WriteHalf, DEFAULT_CAPACITY};

// --- tee writers (issue 3) ---

// --- recording (issue 4) ---

// Scratch (hardening): doctests SHAKING-OUT-BUGS.md until its section is
// pasted into the crate docs; remove then.
#[cfg(doctest)]
#[doc = include_str!("../SHAKING-OUT-BUGS.md")]
pub struct ShakingOutBugs;
