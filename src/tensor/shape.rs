//! PyTorch shape semantics: `reshape`/`view` with one inferred `-1`, `flatten`, `permute`,
//! `transpose`, `squeeze`/`unsqueeze`, `cat`, dimension wrapping. (Filled in by the core issue.)
