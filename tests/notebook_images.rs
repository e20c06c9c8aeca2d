//! Pictures as cell outputs (`show`, `plt.imshow`, `torchvision.utils.make_grid`) and the
//! dataset errors, checked pixel by pixel against hand-computed values and the NNBD source files.
#![cfg(not(target_arch = "wasm32"))]
use nnbook::notebook::{CellImage, Notebook};
use std::path::Path;

fn run(nb: &mut Notebook, src: &str) -> (String, Vec<CellImage>) {
    let r = nb.run_cell(src);
    assert!(r.error.is_none(), "{src}: {:?}", r.error);
    (r.stdout, r.images)
}

/// The red channel of every pixel.
fn reds(img: &CellImage) -> Vec<u8> {
    img.rgba.chunks(4).map(|p| p[0]).collect()
}

#[test]
fn show_clips_floats_and_repeats_gray_channels() {
    let mut nb = Notebook::new();
    let (_, imgs) = run(
        &mut nb,
        "import torch\nshow(torch.tensor([[[0.0, 0.5, 1.0], [-1.0, 2.0, 0.25]]]))",
    );
    assert_eq!(imgs.len(), 1);
    let img = &imgs[0];
    assert_eq!((img.width, img.height), (3, 2));
    assert_eq!(img.caption, "torch.Size([1, 2, 3])");
    // round(255·clip(x, 0, 1)); gray is repeated in R, G and B; alpha is opaque.
    assert_eq!(reds(img), [0, 128, 255, 0, 255, 64]);
    for p in img.rgba.chunks(4) {
        assert_eq!((p[0], p[3]), (p[1], 255));
        assert_eq!(p[0], p[2]);
    }
    let (_, imgs) = run(&mut nb, "show(torch.zeros(2, 2), caption='blank')");
    assert_eq!(imgs[0].caption, "blank");
    assert_eq!(imgs[0].rgba, [0, 0, 0, 255].repeat(4));
}

#[test]
fn make_grid_follows_torchvision_layout() {
    let mut nb = Notebook::new();
    let src = "import torch\nimport torchvision\ng = torchvision.utils.make_grid(torch.ones(3, 1, 2, 2), nrow=2, padding=1)\nprint(g.shape, g.sum().item())\nprint(g[0, 0, 0].item(), g[0, 1, 1].item(), g[0, 1, 4].item(), g[0, 4, 1].item(), g[0, 4, 4].item(), g[2, 2, 5].item())";
    let (out, _) = run(&mut nb, src);
    // 3 images of 2×2, 2 per row, 1 pixel of padding: [3, 3·2+1, 3·2+1]; one channel repeated.
    assert_eq!(out, "torch.Size([3, 7, 7]) 36.0\n0.0 1.0 1.0 1.0 0.0 1.0\n");
    // One image comes back without padding; pad_value and normalize.
    let (out, _) = run(
        &mut nb,
        "from torchvision.utils import make_grid\nprint(make_grid(torch.ones(1, 3, 4, 5)).shape)\nprint(make_grid(torch.zeros(2, 1, 1, 1), pad_value=0.5, padding=1)[0].tolist())\nprint(make_grid(torch.tensor([[[[-2.0, 2.0]]], [[[0.0, 1.0]]]]), normalize=True, padding=0)[0].tolist())",
    );
    assert_eq!(
        out,
        "torch.Size([3, 4, 5])\n[[0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.0, 0.5, 0.0, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5]]\n[[0.0, 1.0, 0.5, 0.75]]\n"
    );
    // show() of a batch is make_grid(batch): 5 images of 4×4 → 1 row of 5, padding 2.
    let (_, imgs) = run(&mut nb, "show(torch.rand(5, 3, 4, 4))");
    assert_eq!((imgs[0].width, imgs[0].height), (5 * 6 + 2, 6 + 2));
    assert_eq!(&imgs[0].rgba[..4], &[0, 0, 0, 255]);
}

#[test]
fn imshow_of_a_dataset_image_gives_back_its_bytes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
    let bytes = std::fs::read(dir.join("cifar10-test.nnbd")).unwrap();
    let ds = nnbook::data::Dataset::decode(&bytes, "cifar10-test.nnbd").unwrap();
    let mut nb = Notebook::new();
    nb.register_dataset("cifar10-test", bytes).unwrap();
    let src = "import torchvision\nimport matplotlib.pyplot as plt\nds = torchvision.datasets.CIFAR10('./dataset', train=False, transform=torchvision.transforms.ToTensor())\nimg, target = ds[0]\nplt.imshow(img.permute(1, 2, 0))\nplt.title(ds.classes[target])\nplt.show()\nplt.imshow(img)";
    let (_, imgs) = run(&mut nb, src);
    assert_eq!(imgs.len(), 2);
    assert_eq!(imgs[0].caption, "cat");
    assert_eq!(ds.labels[0], 3);
    // ToTensor (x / 255) and back (round(255·x)) is the identity on bytes; CHW planes → RGBA.
    let src_px = ds.image(0);
    for i in 0..32 * 32 {
        for c in 0..3 {
            assert_eq!(
                imgs[0].rgba[i * 4 + c],
                src_px[c * 1024 + i],
                "pixel {i} channel {c}"
            );
        }
    }
    // [C, H, W] is accepted as the same picture.
    assert_eq!(imgs[1].rgba, imgs[0].rgba);
}

#[test]
fn imshow_scales_2d_arrays_and_refuses_other_shapes() {
    let mut nb = Notebook::new();
    let (_, imgs) = run(
        &mut nb,
        "import torch\nimport matplotlib.pyplot as plt\nplt.imshow(torch.tensor([[0.0, 2.0], [4.0, 8.0]]), cmap='gray')\nplt.imshow(torch.tensor([[0.0, 2.0], [4.0, 8.0]]), vmin=0, vmax=4)",
    );
    assert_eq!(reds(&imgs[0]), [0, 64, 128, 255]);
    assert_eq!(reds(&imgs[1]), [0, 128, 255, 255]);
    let e = nb
        .run_cell("plt.imshow(torch.zeros(2, 5, 5, 5))")
        .error
        .unwrap();
    assert_eq!(
        e.to_string(),
        "TypeError: Invalid shape (2, 5, 5, 5) for image data (line 1)"
    );
}

#[test]
fn dataset_errors_name_the_file_and_the_fix() {
    let mut nb = Notebook::new();
    let e = nb
        .run_cell("import torchvision\nds = torchvision.datasets.CIFAR10('./d', train=False)")
        .error
        .unwrap();
    assert_eq!(e.class, "RuntimeError");
    assert!(
        e.message
            .starts_with("dataset file cifar10-test.nnbd is not loaded"),
        "{e}"
    );
    assert_eq!(e.line, Some(2));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
    let loaded = nb.load_datasets_from(&dir).unwrap();
    assert!(loaded.contains(&"mnist-test") && nb.has_dataset("cifar10-train"));
    let e = nb
        .run_cell("ds = torchvision.datasets.MNIST('./d', train=False)\nimg, label = ds[0]")
        .error
        .unwrap();
    assert_eq!(e.class, "NotImplementedError");
    assert!(e
        .message
        .contains("transform=torchvision.transforms.ToTensor()"));
    assert_eq!(e.line, Some(2));
    let e = nb
        .run_cell("from torch.utils.data import DataLoader\nfor x in DataLoader(ds):\n    pass")
        .error
        .unwrap();
    assert_eq!(e.class, "NotImplementedError");
    let e = nb
        .run_cell("ds = torchvision.datasets.MNIST('./d', False, torchvision.transforms.ToTensor())\nds[1000]")
        .error
        .unwrap();
    assert_eq!(
        e.to_string(),
        "IndexError: index 1000 is out of bounds for axis 0 with size 1000 (line 2)"
    );
    let r = nb.run_cell(
        "len(DataLoader(ds, batch_size=64)), len(DataLoader(ds, batch_size=64, drop_last=True))",
    );
    assert_eq!(r.stdout, "(16, 15)\n");
    let e = nb
        .run_cell("it = iter([1])\nnext(it)\nnext(it)")
        .error
        .unwrap();
    assert_eq!(e.to_string(), "StopIteration (line 3)");
}
