//! `rng` and `nn::init` against real PyTorch 2.x (CPU). Each expected vector quotes the
//! PyTorch call that produced it (printed as float32 with `str(np.float32(x))`).
//!
//! The global generator is shared by all tests of this binary, so tests that seed it take
//! `LOCK` first. The same tests run under wasm to show the numbers do not depend on the platform:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --config .cargo/wasm-st.toml --test rng_init`.

use nnbook::nn::init::{bias_uniform, kaiming_uniform, kaiming_uniform_bound, try_kaiming_uniform};
use nnbook::rng::{self, Rng};
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn assert_close(got: &[f32], want: &[f32], rtol: f32, atol: f32) {
    assert_eq!(got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= atol + rtol * w.abs(),
            "element {i}: got {g}, want {w}\n got {got:?}\nwant {want:?}"
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rand_matches_torch_bit_for_bit() {
    let _g = lock();
    // torch.manual_seed(0); torch.rand(5)
    rng::manual_seed(0);
    let t = rng::rand(&[5]).unwrap();
    assert_eq!(
        t.data(),
        &[0.4962566, 0.7682218, 0.08847743, 0.13203049, 0.30742282]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn uniform_range_matches_torch() {
    // torch.manual_seed(0); torch.empty(3, 4).uniform_(-0.5, 0.5)
    let want = [
        -0.00374341,
        0.2682218,
        -0.41152257,
        -0.3679695,
        -0.19257718,
        0.13407868,
        -0.00990659,
        0.39644474,
        -0.044372022,
        0.13230628,
        -0.15110654,
        -0.098282695,
    ];
    let mut r = Rng::new(0);
    let got: Vec<f32> = (0..12).map(|_| r.uniform_range(-0.5, 0.5)).collect();
    assert_eq!(got, want);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn randn_below_16_is_bit_exact_and_caches_across_calls() {
    let _g = lock();
    // torch.manual_seed(0); torch.randn(5)
    rng::manual_seed(0);
    let t = rng::randn(&[5]).unwrap();
    assert_eq!(
        t.data(),
        &[1.5409961, -0.2934289, -2.1787894, 0.56843126, -1.0845224]
    );
    // torch.manual_seed(0); torch.randn(1); torch.randn(2)  -> [1.5409961] [-0.2934289, -2.1787894]
    rng::manual_seed(0);
    assert_eq!(rng::randn(&[1]).unwrap().data(), &[1.5409961]);
    assert_eq!(rng::randn(&[2]).unwrap().data(), &[-0.2934289, -2.1787894]);
    // manual_seed drops the cached half of the pair.
    rng::manual_seed(0);
    assert_eq!(rng::randn(&[1]).unwrap().data(), &[1.5409961]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn randn_16_and_more_within_float_ulps() {
    let _g = lock();
    // torch.manual_seed(0); torch.randn(20)
    let want20 = [
        -1.1258398,
        -1.1523602,
        -0.25057858,
        -0.4338788,
        0.59883946,
        -1.5550951,
        -0.3413604,
        1.8530061,
        0.4680964,
        -0.15771244,
        1.4436601,
        0.2660494,
        1.3893661,
        1.5863342,
        0.94629836,
        -0.84367675,
        0.9318266,
        1.2590092,
        2.0049806,
        0.053736903,
    ];
    rng::manual_seed(0);
    let t = rng::randn(&[20]).unwrap();
    assert_close(t.data(), &want20, 1e-6, 1e-7);
    // torch.manual_seed(42); torch.randn(3, 7)
    let want21 = [
        1.9269153,
        1.4872841,
        0.9007172,
        -2.105521,
        0.67841846,
        1.0783176,
        0.80080056,
        1.6806206,
        0.3558599,
        -0.686623,
        -0.49335635,
        0.24148779,
        -1.1109039,
        0.04175949,
        -0.2515753,
        0.8598585,
        -0.30972677,
        -0.3957105,
        0.80340934,
        -0.6215954,
        -0.59200054,
    ];
    rng::manual_seed(42);
    let t = rng::randn(&[3, 7]).unwrap();
    assert_eq!(t.shape(), &[3, 7]);
    assert_close(t.data(), &want21, 1e-6, 1e-7);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn randn_is_standard_normal() {
    let mut r = Rng::new(123);
    let mut v = vec![0.0f32; 100_000];
    r.fill_normal(&mut v);
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 0.01, "mean {mean}");
    assert!((var - 1.0).abs() < 0.02, "var {var}");
    let small: Vec<f32> = (0..20_000).map(|_| r.normal_f32()).collect();
    let m2 = small.iter().map(|&x| x as f64).sum::<f64>() / 20_000.0;
    assert!(m2.abs() < 0.03, "mean {m2}");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn randint_randperm_and_bernoulli_match_torch() {
    // torch.manual_seed(3); torch.randint(0, 10, (12,))
    let mut r = Rng::new(3);
    let got: Vec<usize> = (0..12).map(|_| r.below(10)).collect();
    assert_eq!(got, [6, 8, 7, 7, 0, 0, 0, 5, 1, 9, 4, 1]);
    // torch.manual_seed(7); torch.randperm(10)
    let mut r = Rng::new(7);
    let mut v: Vec<usize> = (0..10).collect();
    r.shuffle(&mut v);
    assert_eq!(v, [5, 0, 3, 4, 1, 7, 9, 6, 8, 2]);
    // torch.manual_seed(0); torch.bernoulli(torch.full((10,), 0.3))
    let mut r = Rng::new(0);
    let got: Vec<bool> = (0..10).map(|_| r.bernoulli(0.3)).collect();
    let want = [0., 0., 1., 1., 0., 0., 0., 0., 0., 0.].map(|x: f32| x == 1.0);
    assert_eq!(got, want);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn linear_default_init_matches_torch() {
    let _g = lock();
    // torch.manual_seed(0); l = nn.Linear(4, 3); l.weight, l.bias
    rng::manual_seed(0);
    let w = kaiming_uniform(&[3, 4], 4);
    let b = bias_uniform(3, 4);
    assert_eq!(w.shape(), &[3, 4]);
    assert_eq!(
        w.data(),
        &[
            -0.00374341,
            0.2682218,
            -0.41152257,
            -0.3679695,
            -0.19257718,
            0.13407868,
            -0.00990659,
            0.39644474,
            -0.044372022,
            0.13230628,
            -0.15110654,
            -0.098282695
        ]
    );
    assert_eq!(b.data(), &[-0.47767425, -0.33114105, -0.20611155]);

    // torch.manual_seed(0); l = nn.Linear(7, 5); l.weight.flatten()[:4], l.bias
    rng::manual_seed(0);
    let w = kaiming_uniform(&[5, 7], 7);
    let b = bias_uniform(5, 7);
    assert_eq!(
        &w.data()[..4],
        &[-0.002829752, 0.20275661, -0.31108183, -0.2781588]
    );
    assert_eq!(
        b.data(),
        &[-0.35398677, -0.22063315, 0.32489753, 0.1686547, 0.183189]
    );

    // torch.manual_seed(1); l = nn.Linear(1024, 64); l2 = nn.Linear(64, 10)
    rng::manual_seed(1);
    let w = kaiming_uniform(&[64, 1024], 1024);
    let b = bias_uniform(64, 1024);
    let w2 = kaiming_uniform(&[10, 64], 64);
    let b2 = bias_uniform(10, 64);
    assert_eq!(&w.data()[..3], &[0.016101975, -0.01379307, -0.0060581714]);
    assert_eq!(&b.data()[..2], &[-0.026509356, -0.013394937]);
    assert_eq!(&w2.data()[..3], &[0.036066696, -0.048793986, -0.11770597]);
    assert_eq!(&b2.data()[8..], &[0.044921145, -0.08941874]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn conv2d_default_init_matches_torch() {
    let _g = lock();
    // torch.manual_seed(0); c = nn.Conv2d(3, 32, 5)
    // c.weight.flatten()[:6], c.weight.flatten()[-3:], c.bias[:4]
    rng::manual_seed(0);
    let w = kaiming_uniform(&[32, 3, 5, 5], 3 * 5 * 5);
    let b = bias_uniform(32, 75);
    assert_eq!(w.shape(), &[32, 3, 5, 5]);
    assert_eq!(
        &w.data()[..6],
        &[
            -0.0008645035,
            0.06194317,
            -0.095037065,
            -0.084978916,
            -0.044473793,
            0.030964145
        ]
    );
    assert_eq!(&w.data()[2397..], &[0.0561908, -0.06906715, -0.08427366]);
    assert_eq!(
        &b.data()[..4],
        &[0.111580186, 0.00048212273, -0.06944628, 0.06644686]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn kaiming_bound_is_one_over_sqrt_fan_in() {
    for fan_in in [1usize, 4, 75, 800, 1024] {
        let b = kaiming_uniform_bound(fan_in);
        assert!((b - 1.0 / (fan_in as f64).sqrt()).abs() < 1e-15);
    }
    assert_eq!(kaiming_uniform_bound(0), 0.0);
    assert!(try_kaiming_uniform(&[1 << 20, 1 << 20], 1).is_err());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn randn_large_is_the_same_on_every_platform() {
    // A hash of the bit patterns of `Rng::new(0)` filling 40 normals (the >= 16 path, with
    // f64 log/cos/sin rounded to f32), recorded natively on x86-64; the wasm run must agree.
    let mut r = Rng::new(0);
    let mut v = vec![0.0f32; 40];
    r.fill_normal(&mut v);
    let h = v.iter().fold(0u64, |h, x| {
        h.wrapping_mul(1_000_003).wrapping_add(x.to_bits() as u64)
    });
    assert_eq!(h, 18_158_875_449_407_856_611);
}
