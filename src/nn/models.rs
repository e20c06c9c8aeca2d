//! The models the lessons use, built exactly as the PyTorch code on the page builds them.

use super::{Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential};

/// The classic CIFAR-10 model of the lessons (145,578 parameters), in PyTorch:
///
/// ```text
/// nn.Sequential(Conv2d(3, 32, 5, 1, 2), MaxPool2d(2), Conv2d(32, 32, 5, 1, 2), MaxPool2d(2),
///               Conv2d(32, 64, 5, 1, 2), MaxPool2d(2), Flatten(), Linear(1024, 64), Linear(64, 10))
/// ```
///
/// Input `[N, 3, 32, 32]` → logits `[N, 10]`. With `relu`, a `ReLU()` follows each conv (the
/// lesson's "better" variant; state_dict indices shift accordingly). Parameters are drawn from
/// the global generator in PyTorch's order, so `rng::manual_seed(s)` first gives the same
/// weights as `torch.manual_seed(s)`.
pub fn cifar10_model(relu: bool) -> Sequential {
    let mut layers: Vec<Box<dyn Module>> = Vec::new();
    for (cin, cout) in [(3, 32), (32, 32), (32, 64)] {
        layers.push(Box::new(Conv2d::new(
            cin,
            cout,
            [5, 5],
            [1, 1],
            [2, 2],
            true,
        )));
        if relu {
            layers.push(Box::new(ReLU::new()));
        }
        layers.push(Box::new(MaxPool2d::from_kernel(2)));
    }
    layers.push(Box::new(Flatten::new(1, -1)));
    layers.push(Box::new(Linear::new(1024, 64, true)));
    layers.push(Box::new(Linear::new(64, 10, true)));
    Sequential::new(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cifar10_model_prints_like_pytorch() {
        let net = cifar10_model(false);
        assert_eq!(net.num_parameters(), 145_578);
        assert_eq!(
            net.to_string(),
            "Sequential(\n  (0): Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n  \
             (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  \
             (2): Conv2d(32, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n  \
             (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  \
             (4): Conv2d(32, 64, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n  \
             (5): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n  \
             (6): Flatten(start_dim=1, end_dim=-1)\n  \
             (7): Linear(in_features=1024, out_features=64, bias=True)\n  \
             (8): Linear(in_features=64, out_features=10, bias=True)\n)"
        );
        assert_eq!(net.output_shape(&[64, 3, 32, 32]).unwrap(), vec![64, 10]);
        assert_eq!(cifar10_model(true).len(), 12);
    }
}
