//! The layer editor's core: JSON layer specs → `nn.Sequential`, shape traces (shapes,
//! parameters, multiply-adds) and PyTorch's error text at the layer that breaks.
//!
//! Expected texts and counts come from PyTorch 2.15 (CPU), e.g.
//! `nn.Sequential(nn.Conv2d(3,32,5,1,2), nn.Conv2d(32,32,5,1,2), ...)(torch.zeros(64,3,32,32))`.

use nnbook::nn::models::cifar10_model;
use nnbook::nn::spec::{build_sequential, cifar10_spec, parse_spec, trace_spec, LayerSpec};
use nnbook::nn::Module;

const CIFAR_JSON: &str = r#"[
 {"type":"Conv2d","in_channels":3,"out_channels":32,"kernel_size":5,"stride":1,"padding":2},
 {"type":"MaxPool2d","kernel_size":2},
 {"type":"Conv2d","in_channels":32,"out_channels":32,"kernel_size":5,"stride":1,"padding":2},
 {"type":"MaxPool2d","kernel_size":2},
 {"type":"Conv2d","in_channels":32,"out_channels":64,"kernel_size":5,"stride":1,"padding":2},
 {"type":"MaxPool2d","kernel_size":2},
 {"type":"Flatten"},
 {"type":"Linear","in_features":1024,"out_features":64},
 {"type":"Linear","in_features":64,"out_features":10}]"#;

fn err_text(json: &str, input: &[usize]) -> (usize, String) {
    let t = trace_spec(&parse_spec(json).unwrap(), input).unwrap();
    let e = t.error.expect("the trace should stop with an error");
    (e.index, format!("{}: {}", e.kind, e.message))
}

#[test]
fn parses_the_cifar10_model_and_prints_it_like_pytorch() {
    let specs = parse_spec(CIFAR_JSON).unwrap();
    assert_eq!(specs, cifar10_spec(false));
    let net = build_sequential(&specs).unwrap();
    assert_eq!(net.to_string(), cifar10_model(false).to_string());
}

#[test]
fn cifar10_trace_shapes_params_and_mult_adds() {
    let t = trace_spec(&cifar10_spec(false), &[64, 3, 32, 32]).unwrap();
    assert!(t.error.is_none());
    let shapes: Vec<Vec<usize>> = t.rows.iter().map(|r| r.output_shape.clone()).collect();
    assert_eq!(
        shapes,
        vec![
            vec![64, 32, 32, 32],
            vec![64, 32, 16, 16],
            vec![64, 32, 16, 16],
            vec![64, 32, 8, 8],
            vec![64, 64, 8, 8],
            vec![64, 64, 4, 4],
            vec![64, 1024],
            vec![64, 64],
            vec![64, 10],
        ]
    );
    // torch: [sum(p.numel() for p in l.parameters()) for l in model] and the total.
    let params: Vec<usize> = t.rows.iter().map(|r| r.params).collect();
    assert_eq!(params, vec![2432, 0, 25632, 0, 51264, 0, 0, 65600, 650]);
    assert_eq!(t.total_params, 145_578);
    // N·Cout·Hout·Wout·Cin·k·k for convs, N·in·out for Linear.
    let macs: Vec<u64> = t.rows.iter().map(|r| r.mult_adds).collect();
    let conv = |c: u64, o: u64, hw: u64| 64 * o * hw * hw * c * 25;
    assert_eq!(
        macs,
        vec![
            conv(3, 32, 32),
            0,
            conv(32, 32, 16),
            0,
            conv(32, 64, 8),
            0,
            0,
            64 * 1024 * 64,
            64 * 64 * 10
        ]
    );
    assert_eq!(t.total_mult_adds, macs.iter().sum::<u64>());
    // The same counts as the modules report.
    let net = cifar10_model(false);
    assert_eq!(net.mult_adds(&[64, 3, 32, 32]), t.total_mult_adds);
    assert_eq!(t.model_text.as_deref(), Some(net.to_string().as_str()));
    assert_eq!(t.reprs.len(), 9);
}

#[test]
fn relu_keeps_shapes() {
    let t = trace_spec(&cifar10_spec(true), &[64, 3, 32, 32]).unwrap();
    assert!(t.error.is_none());
    assert_eq!(t.rows.len(), 12);
    assert_eq!(t.rows[1].output_shape, t.rows[0].output_shape);
    assert_eq!(t.rows[11].output_shape, vec![64, 10]);
}

#[test]
fn errors_stop_at_the_breaking_layer_with_pytorchs_text() {
    // Remove the first MaxPool2d: torch prints exactly this.
    let mut specs = cifar10_spec(false);
    specs.remove(1);
    let t = trace_spec(&specs, &[64, 3, 32, 32]).unwrap();
    let e = t.error.unwrap();
    assert_eq!(e.index, 6);
    assert_eq!(t.rows.len(), 6);
    assert_eq!(
        format!("{}: {}", e.kind, e.message),
        "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (64x4096 and 1024x64)"
    );
    // The model still prints (PyTorch fails at forward, not at construction).
    assert!(t.model_text.is_some());

    let cases: &[(&str, &[usize], usize, &str)] = &[
        (
            r#"[{"type":"Linear","in_features":1024,"out_features":64,"bias":false}]"#,
            &[64, 1600],
            0,
            "RuntimeError: mm: mat1 and mat2 shapes cannot be multiplied (64x1600 and 1024x64)",
        ),
        (
            r#"[{"type":"Linear","in_features":1024,"out_features":64}]"#,
            &[64, 4, 1600],
            0,
            "RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (256x1600 and 1024x64)",
        ),
        (
            r#"[{"type":"ReLU"},{"type":"Conv2d","in_channels":16,"out_channels":32,"kernel_size":5,"padding":2}]"#,
            &[64, 3, 32, 32],
            1,
            "RuntimeError: Given groups=1, weight of size [32, 16, 5, 5], expected input[64, 3, 32, 32] to have 16 channels, but got 3 channels instead",
        ),
        (
            r#"[{"type":"MaxPool2d","kernel_size":2}]"#,
            &[64, 1, 1],
            0,
            "RuntimeError: Given input size: (64x1x1). Calculated output size: (64x0x0). Output size is too small",
        ),
        (
            r#"[{"type":"MaxPool2d","kernel_size":2}]"#,
            &[64, 32, 1, 1],
            0,
            "RuntimeError: Given input size: (32x1x1). Calculated output size: (32x0x0). Output size is too small",
        ),
        (
            r#"[{"type":"Flatten"},{"type":"MaxPool2d","kernel_size":2}]"#,
            &[64, 3, 32, 32],
            1,
            "RuntimeError: non-empty 3D or 4D (batch mode) tensor expected for input",
        ),
        (
            r#"[{"type":"Flatten"},{"type":"Conv2d","in_channels":3,"out_channels":32,"kernel_size":5}]"#,
            &[64, 3, 32, 32],
            1,
            "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [64, 3072]",
        ),
        (
            r#"[{"type":"Conv2d","in_channels":3,"out_channels":32,"kernel_size":5}]"#,
            &[64, 3, 2, 2],
            0,
            "RuntimeError: Calculated padded input size per channel: (2 x 2). Kernel size: (5 x 5). Kernel size can't be greater than actual input size",
        ),
        (
            r#"[{"type":"BatchNorm2d","num_features":32}]"#,
            &[64, 3, 32, 32],
            0,
            "RuntimeError: running_mean should contain 3 elements not 32",
        ),
        (
            r#"[{"type":"Flatten"},{"type":"BatchNorm2d","num_features":32}]"#,
            &[64, 3, 32, 32],
            1,
            "ValueError: expected 4D input (got 2D input)",
        ),
        (
            r#"[{"type":"Flatten"},{"type":"Flatten"}]"#,
            &[64],
            0,
            "IndexError: Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        ),
        (
            r#"[{"type":"ReLU"},{"type":"Dropout","p":1.5}]"#,
            &[64, 3, 32, 32],
            1,
            "ValueError: dropout probability has to be between 0 and 1, but got 1.5",
        ),
    ];
    for (json, input, index, text) in cases {
        assert_eq!(err_text(json, input), (*index, text.to_string()), "{json}");
    }
}

#[test]
fn bad_specs_give_clear_errors() {
    let cases = [
        ("[{", "not valid JSON"),
        (r#"{"type":"ReLU"}"#, "must be a JSON array"),
        (r#"[3]"#, "layer 0: expected an object"),
        (
            r#"[{"type":"ReLU"},{"kind":"ReLU"}]"#,
            "layer 1: missing \"type\"",
        ),
        (
            r#"[{"type":"Conv3d"}]"#,
            "layer 0: unknown layer type 'Conv3d'",
        ),
        (
            r#"[{"type":"Linear","in_features":4}]"#,
            "layer 0 (Linear): missing field `out_features`",
        ),
        (
            r#"[{"type":"Linear","in_features":4,"out_features":2,"stride":1}]"#,
            "layer 0 (Linear): unexpected argument 'stride'",
        ),
        (
            r#"[{"type":"Conv2d","in_channels":-3,"out_channels":2,"kernel_size":3}]"#,
            "layer 0 (Conv2d): invalid value: integer `-3`",
        ),
        (
            r#"[{"type":"Conv2d","in_channels":3,"out_channels":2,"kernel_size":0}]"#,
            "layer 0 (Conv2d): kernel_size must be at least 1",
        ),
    ];
    for (json, want) in cases {
        let e = parse_spec(json).unwrap_err();
        let text = e.to_python_string();
        assert!(text.starts_with("ValueError: "), "{text}");
        assert!(text.contains(want), "{json}: {text}");
    }
    // Defaults are PyTorch's.
    let s = parse_spec(r#"[{"type":"MaxPool2d","kernel_size":3},{"type":"Dropout"}]"#).unwrap();
    let net = build_sequential(&s).unwrap();
    assert_eq!(
        net.layers()[0].repr(0),
        "MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    );
    assert_eq!(net.layers()[1].repr(0), "Dropout(p=0.5, inplace=False)");
}

#[test]
fn absurd_sizes_are_refused_quickly() {
    // A huge input: shapes are analytic, the first activation past the guard is the error.
    let t0 = std::time::Instant::now();
    let t = trace_spec(&cifar10_spec(false), &[64, 3, 32, 32 << 10]).unwrap();
    let e = t.error.unwrap();
    assert_eq!(e.index, 0);
    assert!(
        e.message.contains("more than the size limit"),
        "{}",
        e.message
    );
    // A huge layer: refused before any allocation.
    let specs = vec![
        LayerSpec::Flatten {
            start_dim: 1,
            end_dim: -1,
        },
        LayerSpec::Linear {
            in_features: 3072,
            out_features: 1 << 20,
            bias: true,
        },
    ];
    let t = trace_spec(&specs, &[64, 3, 32, 32]).unwrap();
    let e = t.error.unwrap();
    assert_eq!((e.index, e.kind.as_str()), (1, "ValueError"));
    assert!(
        e.message.contains("limited to 16777216 parameters"),
        "{}",
        e.message
    );
    assert!(t.model_text.is_none());
    assert_eq!(t.rows.len(), 1);
    assert!(t0.elapsed().as_secs_f64() < 2.0);
    // The input itself past the guard.
    assert!(trace_spec(&specs, &[1 << 20, 1 << 20, 64]).is_err());
}

#[test]
fn inspector_keeps_every_layers_output_and_gives_conv_filters() {
    use nnbook::lessons::inspect::Inspector;
    use nnbook::lessons::tiles::map_tiles;
    nnbook::rng::manual_seed(0);
    let mut ins = Inspector::new(cifar10_spec(false)).unwrap();
    let image: Vec<f32> = (0..3072).map(|i| (i % 97) as f32 / 97.0).collect();
    ins.run(&image, [3, 32, 32]).unwrap();
    let shapes: Vec<Vec<usize>> = ins.activations.iter().map(|t| t.shape().to_vec()).collect();
    assert_eq!(shapes[0], vec![1, 32, 32, 32]);
    assert_eq!(shapes[5], vec![1, 64, 4, 4]);
    assert_eq!(shapes[8], vec![1, 10]);
    // The kept outputs are the model's: the last equals a plain forward in eval mode.
    nnbook::rng::manual_seed(0);
    let mut net = cifar10_model(false);
    net.set_training(false);
    let x = nnbook::Tensor::from_vec(&[1, 3, 32, 32], image).unwrap();
    assert_eq!(
        net.forward(&x).unwrap().data(),
        ins.activation(8).unwrap().data()
    );
    assert_eq!(ins.conv_weight(2).unwrap().shape(), &[32, 32, 5, 5]);
    let e = ins.conv_weight(1).unwrap_err();
    assert_eq!(
        e.to_python_string(),
        "ValueError: layer 1 is not a Conv2d, so it has no filters to show"
    );
    assert!(ins.activation(9).is_err());
    let a = ins.activation(0).unwrap();
    let t = map_tiles(a.data(), 32, 32, 32, 64);
    assert_eq!((t.rows, t.cols, t.width, t.height), (6, 6, 197, 197));
    // A wrong image size is a clear error.
    assert!(ins.run(&[0.0; 10], [3, 32, 32]).is_err());
}
