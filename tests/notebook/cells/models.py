import torch
from torch import nn
import torch.nn.functional as F
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 5, padding=2),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(1024, 64),
    nn.Linear(64, 10),
)
print(model)
print(sum(p.numel() for p in model.parameters()))
# %%
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.model1 = nn.Sequential(
            nn.Conv2d(3, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        self.linear = nn.Linear(8192, 10)

    def forward(self, x):
        x = self.model1(x)
        x = self.linear(x)
        return x

net = Net()
print(net)
x = torch.ones(2, 3, 32, 32)
print(net(x).shape)
# %%
imgs = torch.ones(64, 3, 32, 32)
flat = torch.flatten(imgs, 1)
print(flat.shape)
linear = nn.Linear(196608, 10)
linear(flat)
# %%
lin = nn.Linear(3, 2)
print(lin)
print(lin.weight.shape, lin.bias.shape)
print(nn.ReLU(), nn.Dropout(0.25), nn.BatchNorm2d(16), nn.Flatten())
conv = nn.Conv2d(3, 8, 3)
conv(torch.ones(1, 1, 8, 8))
# %%
class Bad(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 2)

Bad()
