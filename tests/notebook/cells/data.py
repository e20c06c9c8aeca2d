import torch
import torchvision
from torch.utils.data import DataLoader
test_data = torchvision.datasets.CIFAR10("./dataset", train=False, transform=torchvision.transforms.ToTensor(), download=True)
print(len(test_data), test_data.classes[3])
img, target = test_data[0]
print(img.shape, target, test_data.classes[target])
print(img.dtype, img[0, 0, :5])
print(round(img.sum().item(), 2), img.min().item() >= 0, img.max().item() <= 1)
# %%
torch.manual_seed(0)
test_loader = DataLoader(dataset=test_data, batch_size=64, shuffle=True, num_workers=0, drop_last=False)
print(len(test_loader))
n = 0
for data in test_loader:
    imgs, targets = data
    n += imgs.shape[0]
print(imgs.shape, targets.shape, targets.dtype, n)
print(targets[:10])
print(torch.rand(2))
# %%
torch.manual_seed(1)
loader = DataLoader(test_data, batch_size=4, shuffle=True, drop_last=True)
print(len(loader))
it = iter(loader)
imgs, targets = next(it)
print(targets, imgs[:, 1, 2, 3])
for i, (imgs, targets) in enumerate(loader):
    if i == 2:
        print(i, targets)
        break
print(torch.randn(3))
# %%
x = torch.arange(10.0).reshape(5, 2)
y = torch.tensor([0, 1, 0, 1, 1])
from torch.utils.data import TensorDataset
ds = TensorDataset(x, y)
print(len(ds), ds[4])
torch.manual_seed(3)
for xb, yb in DataLoader(ds, batch_size=2, shuffle=True):
    print(xb.tolist(), yb)
for xb, yb in DataLoader(ds, batch_size=2):
    print(xb.tolist(), yb)
# %%
import torchvision.transforms as transforms
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
train = torchvision.datasets.CIFAR10(root="./data", train=True, download=True, transform=tf)
print(len(train))
img, label = train[9999]
print(label, img[:, 0, 0])
mn = torchvision.datasets.MNIST("./data", train=False, transform=transforms.ToTensor())
img, label = mn[0]
print(img.shape, label, mn.classes[label])
print(round(img.sum().item(), 3))
