//! Real data: the project's binary dataset format, the official CIFAR-10 binary format, the
//! sprite PNGs of `../shared/data`, batching, augmentation and normalisation.
