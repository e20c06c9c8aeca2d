//! The golden runner: checks fixtures written by real PyTorch (`../shared/GOLDEN-SCHEMA.md`).
