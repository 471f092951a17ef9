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

// --- tee writers (issue 3) ---
mod drive;
mod multi_writer;
mod tee_reader;
pub use multi_writer::MultiWriter;
pub use tee_reader::TeeReader;

// --- recording (issue 4) ---
