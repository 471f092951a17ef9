//! Files in temporary folders that are removed on drop, so a test run
//! leaves nothing behind in the temp folder (`.ci/run` checks it).

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A path named `name` in a folder of its own, removed (with whatever the
/// test wrote there) when this is dropped. Keep it alive while the path is
/// used.
pub struct TempFile {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

/// A fresh [`TempFile`] called `name`.
pub fn temp_file(name: &str) -> TempFile {
    let dir = tempfile::Builder::new()
        .prefix("pipetap-test-")
        .tempdir()
        .expect("a temporary folder");
    TempFile {
        path: dir.path().join(name),
        _dir: dir,
    }
}

impl Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}
