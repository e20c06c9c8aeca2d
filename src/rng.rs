//! Seeded, reproducible randomness: the same seed gives the same numbers natively and in both
//! wasm packages (no dependence on thread count or platform).
//!
//! PLACEHOLDER (ops branch only): a tiny API-identical stand-in so `ops`/`nn` compile; the lead
//! replaces this file with the rng helper's version on merge.

use std::sync::Mutex;

/// A seeded generator (placeholder: splitmix64).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// `true` with probability `p`.
    pub fn bernoulli(&mut self, p: f32) -> bool {
        self.uniform_f32() < p
    }
}

static GLOBAL: Mutex<Option<Rng>> = Mutex::new(None);

/// Runs `f` with the process-wide generator (`torch.manual_seed`'s generator).
pub fn with_global<R>(f: impl FnOnce(&mut Rng) -> R) -> R {
    let mut guard = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(|| Rng::new(0)))
}
