//! `.safetensors` weights written by real PyTorch load into nnbook's CIFAR-10 model and give
//! PyTorch's logits; nnbook's export reads back to the same predictions; bad files leave the
//! model untouched. Fixture: tests/fixtures/make_cifar10_safetensors.py (regenerate with
//! `"${NNBOOK_TORCH_PYTHON:-.venv-torch/bin/python}" tests/fixtures/make_cifar10_safetensors.py`;
//! `scripts/torch-venv.sh` makes that PyTorch environment).

use nnbook::nn::models::cifar10_model;
use nnbook::nn::safetensors::{load_safetensors, read_safetensors, save_safetensors};
use nnbook::nn::{state_dict, Module};
use nnbook::Tensor;

const FIXTURE: &[u8] = include_bytes!("fixtures/cifar10_torch.safetensors");

#[derive(serde::Deserialize)]
struct Expected {
    shape: Vec<usize>,
    logits: Vec<f32>,
    keys: Vec<String>,
}

fn expected() -> Expected {
    serde_json::from_str(include_str!("fixtures/cifar10_torch_logits.json")).unwrap()
}

/// `sin(0.37 * arange(2*3*32*32)).reshape(2, 3, 32, 32)`, as the script computes it.
fn input() -> Tensor {
    let v = (0..2 * 3 * 32 * 32)
        .map(|i| (i as f32 * 0.37).sin())
        .collect();
    Tensor::from_vec(&[2, 3, 32, 32], v).unwrap()
}

fn logits(model: &mut dyn Module) -> Vec<f32> {
    model.set_training(false);
    model.forward(&input()).unwrap().into_vec()
}

#[test]
fn pytorch_weights_give_pytorchs_logits() {
    let e = expected();
    let st = read_safetensors(FIXTURE, "cifar10_torch.safetensors").unwrap();
    let mut names: Vec<&str> = st.tensors.iter().map(|(k, _)| k.as_str()).collect();
    names.sort();
    let mut keys: Vec<&str> = e.keys.iter().map(String::as_str).collect();
    keys.sort();
    assert_eq!(names, keys);
    let mut model = cifar10_model(false);
    load_safetensors(&mut model, FIXTURE, "cifar10_torch.safetensors").unwrap();
    let got = logits(&mut model);
    assert_eq!(e.shape, vec![2, 10]);
    for (i, (g, w)) in got.iter().zip(&e.logits).enumerate() {
        assert!(
            (g - w).abs() <= 1e-4 + 1e-4 * w.abs(),
            "logit {i}: {g} vs PyTorch {w}"
        );
    }
}

#[test]
fn export_reimports_to_the_same_predictions_and_pytorch_names() {
    let mut a = cifar10_model(false);
    load_safetensors(&mut a, FIXTURE, "f").unwrap();
    let bytes = save_safetensors(&a, &[("format".into(), "pt".into())]);
    let st = read_safetensors(&bytes, "export.safetensors").unwrap();
    let names: Vec<&str> = st.tensors.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias", "7.weight", "7.bias",
            "8.weight", "8.bias"
        ]
    );
    let mut b = cifar10_model(false);
    load_safetensors(&mut b, &bytes, "export.safetensors").unwrap();
    assert_eq!(logits(&mut a), logits(&mut b));
    assert_eq!(state_dict(&a), state_dict(&b));
}

#[test]
fn mismatched_or_corrupt_files_leave_the_model_untouched() {
    let mut relu = cifar10_model(true);
    let before = state_dict(&relu);
    let e = load_safetensors(&mut relu, FIXTURE, "f")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("Error(s) in loading state_dict for Sequential:"),
        "{e}"
    );
    assert!(
        e.contains("Missing key(s) in state_dict: \"3.weight\""),
        "{e}"
    );
    assert!(
        e.contains("Unexpected key(s) in state_dict: \"2.bias\", \"2.weight\""),
        "{e}"
    );
    assert_eq!(state_dict(&relu), before);

    let mut model = cifar10_model(false);
    let before = state_dict(&model);
    let truncated = &FIXTURE[..FIXTURE.len() - 3];
    let e = load_safetensors(&mut model, truncated, "w.safetensors").unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
    // A file whose 7.weight has the wrong shape: PyTorch's size-mismatch text names it.
    let mut st = read_safetensors(FIXTURE, "f").unwrap();
    for (k, t) in st.tensors.iter_mut() {
        if k == "7.weight" {
            *t = Tensor::zeros(&[64, 512]).unwrap();
        }
    }
    let bad = nnbook::nn::safetensors::write_safetensors(&st.tensors, &[]);
    let e = load_safetensors(&mut model, &bad, "w.safetensors")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("size mismatch for 7.weight: copying a param with shape torch.Size([64, 512]) from checkpoint, the shape in current model is torch.Size([64, 1024])."),
        "{e}"
    );
    assert_eq!(state_dict(&model), before);
}

/// Writes a freshly seeded model exported by nnbook, with its logits for `input()`, to
/// `target/nnbook-export/` so that `tests/fixtures/check_nnbook_export.py` can prove (with real
/// PyTorch and the `safetensors` package) that `model.load_state_dict(load_file(path))` works
/// and gives the same logits. Here: the file re-reads to the same logits.
#[test]
fn export_for_the_pytorch_check() {
    nnbook::rng::manual_seed(7);
    let mut model = cifar10_model(false);
    let bytes = save_safetensors(&model, &[("format".into(), "pt".into())]);
    let want = logits(&mut model);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/nnbook-export");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cifar10_nnbook.safetensors"), &bytes).unwrap();
    let json = serde_json::json!({ "shape": [2, 10], "logits": want });
    std::fs::write(dir.join("cifar10_nnbook_logits.json"), json.to_string()).unwrap();
    let mut again = cifar10_model(false);
    load_safetensors(&mut again, &bytes, "cifar10_nnbook.safetensors").unwrap();
    assert_eq!(logits(&mut again), want);
}
