//! pipetap (crate docs are written in the pipe work).
#![forbid(unsafe_code)]
#![warn(
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    unreachable_pub
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// tee writers (issue 3)
mod multi_writer;
mod tee_reader;
pub use multi_writer::MultiWriter;
pub use tee_reader::TeeReader;

// recording (issue 4)
// (recording modules are added here)
