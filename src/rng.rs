//! Seeded, reproducible randomness: the same seed gives the same numbers natively and in both
//! wasm packages (no dependence on thread count or platform).
//!
//! [`Rng`] is PyTorch's CPU generator: a 32-bit Mersenne Twister (mt19937) seeded with the low
//! 32 bits of the seed, drawn in the same order and turned into numbers by the same rules, so
//!
//! ```text
//! torch.manual_seed(0); torch.rand(5)      # [0.4963, 0.7682, 0.0885, 0.1320, 0.3074]
//! ```
//! and `rng::manual_seed(0); rng::rand(&[5])` give the same five float32 numbers bit for bit.
//! The rules (checked against PyTorch 2.x, see `tests/rng_init.rs`):
//!
//! | nnbook | PyTorch | rule |
//! |---|---|---|
//! | [`Rng::uniform_f32`], [`rand`] | `torch.rand`, `uniform_()` on float32 | low 24 bits of one draw × 2⁻²⁴ |
//! | [`Rng::uniform_range`] | `t.uniform_(low, high)` | `u * (high - low) + low` in f32 with one rounding (a fused multiply-add, as PyTorch's kernel is compiled on x86-64) |
//! | [`Rng::normal_f32`], [`randn`] with < 16 elements | `torch.randn(n)`, n < 16 | Box–Muller in f64 on two 53-bit uniforms (two draws each), the sine half cached for the next call: **bit-exact** |
//! | [`randn`] with ≥ 16 elements | `torch.randn(n)`, n ≥ 16 | 16-wide Box–Muller on float32 uniforms; same uniforms and pairing, values within ~2 float32 ulp (PyTorch uses SIMD `log`/`sincos` whose last bit depends on the CPU; we round exact-enough f64 results) |
//! | [`Rng::below`] | `torch.randint(0, n, ..)` | `draw % n` (64-bit draw when n ≥ 2³²) |
//! | [`Rng::shuffle`] | `torch.randperm(n)` | forward Fisher–Yates, `swap(i, i + draw % (n - i))` |
//! | [`Rng::bernoulli`] | `torch.bernoulli(torch.full(shape, p))` | `uniform_f32() < p` (**not** `t.bernoulli_(p)` nor dropout, which draw one float64 uniform per element, see `ops::dropout`, or an MKL stream on Intel CPUs) |
//!
//! The global generator ([`manual_seed`], [`with_global`], [`rand`], [`randn`]), one per thread, starts from
//! [`DEFAULT_SEED`], libtorch's `default_rng_seed_val` (Python PyTorch picks a random seed at
//! import instead; call [`manual_seed`] for reproducible runs).

use crate::error::Result;
use crate::tensor::{guard, Tensor};
use std::cell::RefCell;

/// Seed of the global generator before any [`manual_seed`]: 67280421310721, the C++ default of
/// libtorch (`c10::detail::default_rng_seed_val`).
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// A seeded mt19937 generator with PyTorch's CPU-generator conversion rules (see the module
/// docs), including the cached second half of a Box–Muller pair used by [`Rng::normal_f32`].
#[derive(Clone)]
pub struct Rng {
    state: [u32; N],
    index: usize,
    next_normal: Option<f64>,
}

impl std::fmt::Debug for Rng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rng")
            .field("index", &self.index)
            .field("next_normal", &self.next_normal)
            .finish_non_exhaustive()
    }
}

impl Rng {
    /// A generator seeded like `torch.manual_seed(seed)`: mt19937 initialised with
    /// `seed & 0xffff_ffff` (PyTorch keeps the full 64-bit value only for `initial_seed()`).
    pub const fn new(seed: u64) -> Rng {
        let mut state = [0u32; N];
        state[0] = (seed & 0xffff_ffff) as u32;
        let mut j = 1;
        while j < N {
            let prev = state[j - 1];
            state[j] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(j as u32);
            j += 1;
        }
        Rng {
            state,
            index: N,
            next_normal: None,
        }
    }

    /// Regenerates the 624 words of state (the mt19937 "twist").
    fn twist(&mut self) {
        for k in 0..N {
            let y = (self.state[k] & UPPER_MASK) | (self.state[(k + 1) % N] & LOWER_MASK);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            self.state[k] = self.state[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// The next 32-bit draw of mt19937 (`std::mt19937` gives the same sequence).
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// Two draws as one 64-bit number, first draw in the high half (PyTorch's `random64()`).
    pub fn next_u64(&mut self) -> u64 {
        let hi = self.next_u32() as u64;
        let lo = self.next_u32() as u64;
        (hi << 32) | lo
    }

    /// A float32 uniform in `[0, 1)`: the low 24 bits of one draw times 2⁻²⁴ (`torch.rand`).
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u32() & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0)
    }

    /// A float64 uniform in `[0, 1)`: the low 53 bits of [`Rng::next_u64`] times 2⁻⁵³
    /// (float64 `torch.rand`, and the uniforms under [`Rng::normal_f32`]).
    pub fn uniform_f64(&mut self) -> f64 {
        (self.next_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// One value of float32 `tensor.uniform_(low, high)`: `u * (high - low) + low` with `u`
    /// from [`Rng::uniform_f32`], as one fused multiply-add (PyTorch's x86-64 build contracts
    /// it to an FMA; an unfused version differs in the last bit about half the time when the
    /// bounds are not powers of two). Lies in `[low, high]` when `low < high` (PyTorch refuses
    /// `low > high`; here the same formula is simply applied).
    pub fn uniform_range(&mut self, low: f32, high: f32) -> f32 {
        let u = self.uniform_f32();
        u.mul_add(high - low, low)
    }

    /// One N(0, 1) sample as PyTorch draws it element by element (`torch.randn(n)` with
    /// n < 16, `normal_()` on non-contiguous tensors): Box–Muller in f64 on two
    /// [`Rng::uniform_f64`] values, returning `r·cos θ` and caching `r·sin θ` for the next call.
    /// [`manual_seed`] / [`Rng::new`] clear the cache, as in PyTorch.
    pub fn normal_f32(&mut self) -> f32 {
        self.normal_f64() as f32
    }

    /// [`Rng::normal_f32`] before the rounding to f32 (float64 `torch.randn`).
    pub fn normal_f64(&mut self) -> f64 {
        if let Some(z) = self.next_normal.take() {
            return z;
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// `true` with probability `p` (clamped to `[0, 1]`): `uniform_f32() < p`, as
    /// `torch.bernoulli(torch.full(shape, p))`. Does not match `t.bernoulli_(p)` or
    /// `nn.Dropout` (see [`crate::ops::dropout`]).
    pub fn bernoulli(&mut self, p: f32) -> bool {
        self.uniform_f32() < p
    }

    /// A uniform integer in `[0, n)`: `draw % n` as `torch.randint(0, n, ..)` (a 32-bit draw
    /// for n < 2³², else a 64-bit one). Returns 0 for `n == 0` (PyTorch raises there).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        if (n as u64) < (1u64 << 32) {
            (self.next_u32() as u64 % n as u64) as usize
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Shuffles `v` in place as `torch.randperm(len)` permutes `0..len`: for `i` in
    /// `0..len-1`, swap `v[i]` with `v[i + draw % (len - i)]`. So shuffling `[0, 1, …, n-1]`
    /// gives exactly `torch.randperm(n)` (for n < 2³²/20, PyTorch's 32-bit path).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        let n = v.len();
        for i in 0..n.saturating_sub(1) {
            let z = self.below(n - i);
            v.swap(i, i + z);
        }
    }

    /// Fills `out` as PyTorch's float32 `normal_()` does for a contiguous tensor of at least
    /// 16 elements: all uniforms first, then Box–Muller on each block of 16 (element `j` pairs
    /// with `j + 8`); a ragged tail redraws 16 fresh uniforms into the last 16 slots.
    /// For fewer than 16 elements it falls back to [`Rng::normal_f32`] per element.
    pub fn fill_normal(&mut self, out: &mut [f32]) {
        let n = out.len();
        if n < 16 {
            out.iter_mut().for_each(|x| *x = self.normal_f32());
            return;
        }
        out.iter_mut().for_each(|x| *x = self.uniform_f32());
        for block in out.chunks_exact_mut(16) {
            box_muller_16(block);
        }
        if !n.is_multiple_of(16) {
            let tail = &mut out[n - 16..];
            tail.iter_mut().for_each(|x| *x = self.uniform_f32());
            box_muller_16(tail);
        }
    }
}

/// PyTorch's `normal_fill_16` with mean 0, std 1: `u1 = 1 - d[j]`, `u2 = d[j+8]`,
/// `r = sqrt(-2 ln u1)`, `θ = 2π·u2`, `d[j] = r cos θ`, `d[j+8] = r sin θ`, each step rounded
/// to f32. The transcendental functions run in f64 and are rounded, so results do not depend
/// on the platform's f32 `libm`.
fn box_muller_16(d: &mut [f32]) {
    const TWO_PI: f32 = 2.0 * std::f32::consts::PI;
    for j in 0..8 {
        let u1 = 1.0f32 - d[j];
        let u2 = d[j + 8];
        let log = (u1 as f64).ln() as f32;
        let radius = ((-2.0f32 * log) as f64).sqrt() as f32;
        let theta = (TWO_PI * u2) as f64;
        d[j] = radius * theta.cos() as f32;
        d[j + 8] = radius * theta.sin() as f32;
    }
}

std::thread_local! {
    /// The "global" generator is one per thread: the worker (or the CLI) that runs a model has
    /// its own, like one Python process, and tests running in parallel cannot disturb each
    /// other's sequences. Parallel kernels never draw from it.
    static GLOBAL: RefCell<Rng> = const { RefCell::new(Rng::new(DEFAULT_SEED)) };
}

/// `torch.manual_seed(seed)`: reseeds the global generator (and drops its cached normal).
pub fn manual_seed(seed: u64) {
    with_global(|g| *g = Rng::new(seed));
}

/// Runs `f` with this thread's global generator. Do not call [`manual_seed`], [`rand`],
/// [`randn`], `nn::init` or `with_global` from inside `f` (the borrow is not re-entrant).
pub fn with_global<R>(f: impl FnOnce(&mut Rng) -> R) -> R {
    GLOBAL.with(|g| f(&mut g.borrow_mut()))
}

/// `torch.rand(shape)`: float32 uniforms in `[0, 1)` from the global generator.
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"rand"`) past the size guard.
pub fn rand(shape: &[usize]) -> Result<Tensor> {
    let numel = guard::check_numel("rand", shape)?;
    let data = with_global(|g| (0..numel).map(|_| g.uniform_f32()).collect());
    Tensor::from_vec(shape, data)
}

/// `torch.randn(shape)`: float32 N(0, 1) samples from the global generator, drawn as
/// [`Rng::fill_normal`] (bit-exact with PyTorch below 16 elements, within ~2 ulp from 16 on).
///
/// # Errors
/// [`crate::Error::TooLarge`] (op `"randn"`) past the size guard.
pub fn randn(shape: &[usize]) -> Result<Tensor> {
    let numel = guard::check_numel("randn", shape)?;
    let mut data = vec![0.0f32; numel];
    with_global(|g| g.fill_normal(&mut data));
    Tensor::from_vec(shape, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_output() {
        // The C++ standard requires the 10000th output of default-seeded mt19937 to be 4123659995.
        let mut r = Rng::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = r.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }

    #[test]
    fn seed_uses_low_32_bits() {
        let mut a = Rng::new(7);
        let mut b = Rng::new((1 << 32) + 7);
        assert_eq!(a.next_u32(), b.next_u32());
    }

    #[test]
    fn below_and_shuffle_stay_in_range() {
        let mut r = Rng::new(1);
        assert_eq!(r.below(0), 0);
        for n in 1..50 {
            assert!(r.below(n) < n);
        }
        let mut v: Vec<usize> = (0..100).collect();
        r.shuffle(&mut v);
        let mut s = v.clone();
        s.sort();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
        let mut empty: [u8; 0] = [];
        r.shuffle(&mut empty);
    }
}
