import torch
from torch import nn
import torch.nn.functional as F
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
inputs = torch.randn(8, 3, 32, 32)
labels = torch.tensor([3, 8, 8, 0, 6, 6, 1, 6])
for step in range(3):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
print(outputs.grad_fn is not None, loss.requires_grad)
# %%
class Tudui(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 32, 5, padding=2)
        self.conv3 = nn.Conv2d(32, 64, 5, padding=2)
        self.flatten = nn.Flatten()
        self.head = nn.Sequential(nn.Linear(1024, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        x = F.max_pool2d(self.conv3(x), 2)
        x = self.flatten(x).view(-1, 1024)
        return self.head(x.reshape(x.shape[0], -1))

torch.manual_seed(1)
tudui = Tudui()
loss_fn = nn.CrossEntropyLoss()
optim = torch.optim.SGD(tudui.parameters(), lr=0.01)
imgs = torch.randn(4, 3, 32, 32)
targets = torch.tensor([0, 1, 2, 3])
for step in range(2):
    outputs = tudui(imgs)
    result_loss = loss_fn(outputs, targets)
    optim.zero_grad()
    result_loss.backward()
    optim.step()
    print(round(result_loss.item(), 4))
print(loss_fn)
