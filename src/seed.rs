//! One seed per test thread, for seeded random chunking
//! ([`Chunking`](crate::Chunking)).
//!
//! The first pipe a thread builds draws the thread's seed: `PIPETAP_SEED`
//! if it is set (read once per process), else a fresh one. Every pipe the
//! thread builds takes the next creation index and derives its own seed
//! from the thread's seed and that index, so `PIPETAP_SEED=<seed>` replays
//! every pipe of a test as it ran, not only one. A listener takes one index
//! and derives its connections' seeds from its own and their number, so
//! connections made on other threads (a runtime's workers) replay too.
//! [`within`](crate::within) hands the caller's seeds to the thread it runs
//! the closure on.
//!
//! When a thread whose pipes chunked at random panics, a panic hook
//! (installed, chained to the one before it, when the first seeds are drawn)
//! prints one line with `PIPETAP_SEED=<seed>` to the test's output: whatever
//! became of the pipes, and once per thread's seeds, so the panics a test
//! catches and handles (proptest's shrinking, `within`'s own report) add at
//! most that one line.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once, OnceLock};

/// The environment variable that fixes every test thread's seed, to replay
/// a run.
pub(crate) const SEED_VAR: &str = "PIPETAP_SEED";

/// The seeds of one test thread: its own seed, and the creation index of
/// the next pipe it builds.
#[derive(Debug)]
pub(crate) struct ThreadSeeds {
    seed: u64,
    next: AtomicU64,
    /// A pipe derived from this seed chunked at random: the seed is worth
    /// printing if the thread panics.
    chunked: AtomicBool,
    /// The panic line was printed (once is enough).
    printed: AtomicBool,
}

impl ThreadSeeds {
    /// The thread's seed (what `PIPETAP_SEED` replays).
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The seed of the next pipe built on the thread (which takes the next
    /// creation index).
    pub(crate) fn next_pipe(&self) -> u64 {
        derive(self.seed, self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// A pipe derived from this seed chunks at random.
    pub(crate) fn mark_chunked(&self) {
        self.chunked.store(true, Ordering::Relaxed);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<ThreadSeeds>>> = const { RefCell::new(None) };
}

/// The calling thread's seeds, drawn on first use.
pub(crate) fn current() -> Arc<ThreadSeeds> {
    CURRENT.with(|current| {
        current
            .borrow_mut()
            .get_or_insert_with(|| {
                install_hook();
                Arc::new(ThreadSeeds {
                    seed: thread_seed(),
                    next: AtomicU64::new(0),
                    chunked: AtomicBool::new(false),
                    printed: AtomicBool::new(false),
                })
            })
            .clone()
    })
}

/// Makes `seeds` the calling thread's (a thread that works for another, as
/// `within`'s does).
pub(crate) fn adopt(seeds: Arc<ThreadSeeds>) {
    CURRENT.with(|current| *current.borrow_mut() = Some(seeds));
}

/// A pipe's seed: the `index`-th of `seed`.
pub(crate) fn derive(seed: u64, index: u64) -> u64 {
    let mut state = seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix(&mut state)
}

/// splitmix64: small, fast, and good enough to spread seeds and chunk sizes.
pub(crate) fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A thread's seed: `PIPETAP_SEED` if set (read once per process), else a
/// fresh one.
fn thread_seed() -> u64 {
    static FROM_ENV: OnceLock<Option<u64>> = OnceLock::new();
    if let Some(seed) = *FROM_ENV.get_or_init(|| parse_seed(std::env::var(SEED_VAR).ok()?.trim())) {
        return seed;
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut state = COUNTER.fetch_add(1, Ordering::Relaxed)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
    splitmix(&mut state)
}

/// A seed as printed (decimal) or in hex (`0x...`).
fn parse_seed(text: &str) -> Option<u64> {
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Chains a hook that prints the panicking thread's seed to the one in
/// place (the default one prints the panic), once per process.
fn install_hook() {
    static INSTALLED: Once = Once::new();
    // Changing the hook from a panicking thread panics; the next thread to
    // draw seeds installs it then.
    if std::thread::panicking() {
        return;
    }
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            print_seed();
        }));
    });
}

/// The line a panicking thread prints, if its pipes chunked at random and
/// it was not printed yet.
fn print_seed() {
    let seeds = CURRENT
        .try_with(|current| current.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten();
    let Some(seeds) = seeds else { return };
    if !seeds.chunked.load(Ordering::Relaxed) || seeds.printed.swap(true, Ordering::Relaxed) {
        return;
    }
    let thread = std::thread::current();
    let name = thread
        .name()
        .map(|n| format!(" (thread '{n}')"))
        .unwrap_or_default();
    // `eprintln!` lands in the test's captured output, next to its panic.
    eprintln!(
        "pipetap: this test's pipes chunked at random from seed {seed}{name}; \
         replay them with {SEED_VAR}={seed}",
        seed = seeds.seed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_in_decimal_and_hex() {
        assert_eq!(parse_seed("1234"), Some(1234));
        assert_eq!(parse_seed("0xff"), Some(255));
        assert_eq!(parse_seed("nope"), None);
    }

    #[test]
    fn pipes_of_one_thread_get_distinct_seeds_that_replay() {
        let a: Vec<u64> = (0..100).map(|i| derive(42, i)).collect();
        let b: Vec<u64> = (0..100).map(|i| derive(42, i)).collect();
        assert_eq!(a, b);
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), a.len());
        assert_ne!(derive(42, 0), derive(43, 0));
    }
}
