import torch
from torch import nn
import torch.nn.functional as F
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(6, 4)
y = torch.tensor([0, 1, 2, 0, 1, 2])
for step in range(5):
    out = model(x)
    loss = F.cross_entropy(out, y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step}: loss {loss.item():.4f}")
# %%
adam = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(3):
    loss = F.cross_entropy(model(x), y)
    adam.zero_grad()
    loss.backward()
    adam.step()
print(round(loss.item(), 3))
with torch.no_grad():
    pred = model(x).argmax(dim=1)
print(pred.shape, (pred == y).sum().item() <= 6)
# %%
p = F.softmax(torch.tensor([[1.0, 2.0, 3.0]]), dim=1)
print(p)
print(F.relu(torch.tensor([-1.0, 0.5])))
theta = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
grid = F.affine_grid(theta, [1, 1, 2, 2], align_corners=False)
print(grid.shape)
img = torch.arange(4.0).reshape(1, 1, 2, 2)
print(F.grid_sample(img, grid, align_corners=False))
