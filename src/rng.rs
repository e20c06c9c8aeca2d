//! Seeded, reproducible randomness: the same seed gives the same numbers natively and in both
//! wasm packages (no dependence on thread count or platform).
