//! DataLoader (shuffling, batching) and augmentation/normalisation.
//!
//! Normalisation values are PyTorch's (torchvision `ToTensor` + `Normalize`):
//! ```python
//! x = torch.tensor([0, 1, 128, 255], dtype=torch.uint8).float().div(255)
//! x.sub(0.4914).div(0.2470)  # -1.9894737, -1.97359693, 0.042756319, 2.05910945
//! x.sub(0.4465).div(0.2616)  # -1.70680439, -1.69181371, 0.212006167, 2.11582589
//! x.sub(0.1307).div(0.3081)  # -0.424212962, -0.411484718, 1.20500112, 2.82148671
//! ```

use nnbook::data::augment::write_image;
use nnbook::data::{Augment, DataLoader, Dataset, LoaderConfig, Normalize, Placement};

/// `n` images of `[c, h, w]` with distinct-ish pixels and labels `i % 10`.
fn synthetic(n: usize, dims: [usize; 3]) -> Dataset {
    let len = dims[0] * dims[1] * dims[2];
    let pixels = (0..n * len)
        .map(|i| ((i * 31 + i / len * 7) % 256) as u8)
        .collect();
    let names = (0..10).map(|i| i.to_string()).collect();
    Dataset::new(
        "syn",
        dims,
        names,
        pixels,
        (0..n).map(|i| (i % 10) as u8).collect(),
    )
    .unwrap()
}

fn epoch_indices(loader: &mut DataLoader) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    while let Some(b) = loader.next_batch() {
        out.push(b.unwrap().indices);
    }
    out
}

#[test]
fn every_index_once_per_epoch_with_and_without_drop_last() {
    let ds = synthetic(103, [1, 4, 4]);
    let mut loader = DataLoader::new(&ds, LoaderConfig::new(10).with_seed(5)).unwrap();
    assert_eq!(loader.len(), 11);
    for _ in 0..3 {
        let batches = epoch_indices(&mut loader);
        assert_eq!(batches.len(), 11);
        assert_eq!(batches.last().unwrap().len(), 3);
        let mut all: Vec<usize> = batches.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert!(loader.next_batch().is_none(), "an epoch ends");
        loader.next_epoch();
    }
    let mut dl = DataLoader::new(&ds, LoaderConfig::new(10).with_drop_last(true)).unwrap();
    assert_eq!(dl.len(), 10);
    let batches = epoch_indices(&mut dl);
    assert_eq!(batches.len(), 10);
    assert!(batches.iter().all(|b| b.len() == 10));
    let mut all = batches.concat();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 100);
}

#[test]
fn orders_depend_on_seed_and_epoch_only() {
    let ds = synthetic(50, [1, 2, 2]);
    let cfg = LoaderConfig::new(8).with_seed(42);
    let mut a = DataLoader::new(&ds, cfg.clone()).unwrap();
    let mut b = DataLoader::new(&ds, cfg.clone()).unwrap();
    let a0 = epoch_indices(&mut a).concat();
    assert_eq!(a0, epoch_indices(&mut b).concat(), "same seed, same order");
    assert_ne!(a0, (0..50).collect::<Vec<_>>(), "shuffled");
    a.next_epoch();
    let a1 = epoch_indices(&mut a).concat();
    assert_ne!(a0, a1, "a new order each epoch");
    // Epoch 1's order does not depend on having consumed epoch 0.
    let mut c = DataLoader::new(&ds, cfg).unwrap();
    c.set_epoch(1);
    assert_eq!(epoch_indices(&mut c).concat(), a1);
    let mut d = DataLoader::new(&ds, LoaderConfig::new(8).with_seed(43)).unwrap();
    assert_ne!(
        epoch_indices(&mut d).concat(),
        a0,
        "another seed, another order"
    );
    let mut e = DataLoader::new(&ds, LoaderConfig::new(8).with_shuffle(false)).unwrap();
    assert_eq!(epoch_indices(&mut e).concat(), (0..50).collect::<Vec<_>>());
}

#[test]
fn batches_have_pytorch_shapes_labels_and_scaled_pixels() {
    let ds = synthetic(20, [3, 5, 4]);
    let mut loader = DataLoader::new(&ds, LoaderConfig::new(8).with_seed(1)).unwrap();
    let b = loader.next_batch().unwrap().unwrap();
    assert_eq!(b.x.shape(), &[8, 3, 5, 4]);
    assert_eq!(b.labels.len(), 8);
    for (k, &i) in b.indices.iter().enumerate() {
        assert_eq!(b.labels[k], ds.labels[i] as i64);
        let img = &b.x.data()[k * 60..(k + 1) * 60];
        let want: Vec<f32> = ds.image(i).iter().map(|&v| v as f32 / 255.0).collect();
        assert_eq!(img, &want[..]);
    }
    // A recycled buffer gives the same values.
    loader.recycle(b);
    let b2 = loader.next_batch().unwrap().unwrap();
    let i = b2.indices[0];
    assert_eq!(b2.x.data()[59], ds.image(i)[59] as f32 / 255.0);
    let last = loader.next_batch().unwrap().unwrap();
    assert_eq!(last.x.shape(), &[4, 3, 5, 4]);
    assert!(loader.next_batch().is_none());
    let n: usize = DataLoader::new(&ds, LoaderConfig::new(7))
        .unwrap()
        .map(|b| b.unwrap().labels.len())
        .sum();
    assert_eq!(n, 20, "Iterator yields the same batches");
}

#[test]
fn bad_configs_are_refused() {
    let ds = synthetic(4, [3, 2, 2]);
    assert!(DataLoader::new(&ds, LoaderConfig::new(0)).is_err());
    let e = DataLoader::new(
        &ds,
        LoaderConfig::new(2).with_normalize(Some(Normalize::mnist())),
    )
    .err()
    .unwrap();
    assert!(
        e.to_string().contains("1 means and 1 stds for 3 channels"),
        "{e}"
    );
    let zero_std = Normalize {
        mean: vec![0.0; 3],
        std: vec![0.0; 3],
    };
    assert!(DataLoader::new(&ds, LoaderConfig::new(2).with_normalize(Some(zero_std))).is_err());
}

fn render(src: &[u8], dims: [usize; 3], pad: usize, place: Placement) -> Vec<f32> {
    let mut out = vec![f32::NAN; src.len()];
    write_image(src, dims, pad, place, &mut out);
    out
}

#[test]
fn flip_is_an_exact_mirror() {
    let ds = synthetic(1, [3, 6, 5]);
    let src = ds.image(0);
    let (h, w) = (6, 5);
    let plain = render(src, [3, h, w], 0, Placement::identity(0));
    let flipped = render(
        src,
        [3, h, w],
        0,
        Placement {
            dy: 0,
            dx: 0,
            flip: true,
        },
    );
    for c in 0..3 {
        for y in 0..h {
            for x in 0..w {
                let i = c * h * w + y * w;
                assert_eq!(flipped[i + x], plain[i + w - 1 - x]);
            }
        }
    }
    let twice: Vec<u8> = {
        // Mirroring the mirror gives the original back.
        let bytes: Vec<u8> = flipped.iter().map(|&v| (v * 255.0).round() as u8).collect();
        render(
            &bytes,
            [3, h, w],
            0,
            Placement {
                dy: 0,
                dx: 0,
                flip: true,
            },
        )
        .iter()
        .map(|&v| (v * 255.0).round() as u8)
        .collect()
    };
    assert_eq!(twice, src);
}

#[test]
fn crop_keeps_shape_shifts_and_pads_with_zeros() {
    let ds = synthetic(1, [3, 32, 32]);
    let src = ds.image(0);
    let dims = [3, 32, 32];
    assert_eq!(
        render(src, dims, 4, Placement::identity(4)),
        render(src, dims, 0, Placement::identity(0))
    );
    // dy = dx = 0: the crop's top-left is the padded corner, so out[y][x] = src[y-4][x-4].
    let out = render(
        src,
        dims,
        4,
        Placement {
            dy: 0,
            dx: 0,
            flip: false,
        },
    );
    assert_eq!(out.len(), 3 * 32 * 32);
    for c in 0..3 {
        for y in 0..32 {
            for x in 0..32 {
                let v = out[c * 1024 + y * 32 + x];
                if y < 4 || x < 4 {
                    assert_eq!(v, 0.0);
                } else {
                    assert_eq!(v, src[c * 1024 + (y - 4) * 32 + x - 4] as f32 / 255.0);
                }
            }
        }
    }
    // dy = dx = 8: shifted the other way, zeros at the bottom/right.
    let out = render(
        src,
        dims,
        4,
        Placement {
            dy: 8,
            dx: 8,
            flip: false,
        },
    );
    assert_eq!(out[31 * 32 + 31], 0.0);
    assert_eq!(out[27 * 32 + 27], src[31 * 32 + 31] as f32 / 255.0);
}

#[test]
fn loader_augmentation_draws_valid_crops_and_both_flips() {
    let ds = synthetic(64, [3, 8, 8]);
    let cfg = LoaderConfig::new(64)
        .with_seed(9)
        .with_augment(Augment::CIFAR10);
    let b = DataLoader::new(&ds, cfg)
        .unwrap()
        .next_batch()
        .unwrap()
        .unwrap();
    let mut flips = [0usize; 2];
    let mut offsets = std::collections::HashSet::new();
    for (k, &i) in b.indices.iter().enumerate() {
        let got = &b.x.data()[k * 192..(k + 1) * 192];
        let mut found = None;
        'search: for dy in 0..=8 {
            for dx in 0..=8 {
                for flip in [false, true] {
                    let p = Placement { dy, dx, flip };
                    if render(ds.image(i), [3, 8, 8], 4, p) == got {
                        found = Some(p);
                        break 'search;
                    }
                }
            }
        }
        let p = found.expect("every augmented image is some crop/flip of its source");
        flips[p.flip as usize] += 1;
        offsets.insert((p.dy, p.dx));
    }
    assert!(flips[0] > 10 && flips[1] > 10, "{flips:?}");
    assert!(offsets.len() > 20, "crops vary: {}", offsets.len());
}

#[test]
fn normalisation_matches_torchvision() {
    let px = vec![0u8, 1, 128, 255];
    let check = |dims: [usize; 3], pixels: Vec<u8>, norm: Normalize, want: &[f64]| {
        let ds = Dataset::new("n", dims, vec!["a".into()], pixels, vec![0]).unwrap();
        let cfg = LoaderConfig::new(1).with_normalize(Some(norm));
        let b = DataLoader::new(&ds, cfg)
            .unwrap()
            .next_batch()
            .unwrap()
            .unwrap();
        for (g, w) in b.x.data().iter().zip(want) {
            assert!(
                (*g as f64 - w).abs() <= 1e-6 * w.abs().max(1.0),
                "{g} vs {w}"
            );
        }
    };
    check(
        [1, 2, 2],
        px.clone(),
        Normalize::mnist(),
        &[-0.424212962, -0.411484718, 1.20500112, 2.82148671],
    );
    // CIFAR: channel 0 (R) and channel 2 (B) get their own mean and std.
    let mut rgb = px.clone();
    rgb.extend([0, 0, 0, 0]);
    rgb.extend(&px);
    let mut want = vec![-1.9894737, -1.97359693, 0.042756319, 2.05910945];
    want.extend([-0.4822 / 0.2435; 4]);
    want.extend([-1.70680439, -1.69181371, 0.212006167, 2.11582589]);
    check([3, 2, 2], rgb, Normalize::cifar10(), &want);
}
