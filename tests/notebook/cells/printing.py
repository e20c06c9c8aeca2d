import torch
print(torch.arange(6).reshape(2, 3))
print(torch.arange(6.0).reshape(2, 3))
torch.manual_seed(0)
print(torch.rand(2, 3))
# %%
print(torch.zeros(2, 2))
print(torch.ones(3))
print(torch.tensor([1.5, -2.25, 3.0]))
print(torch.tensor([[1, 2], [3, 4]]))
print(torch.tensor(3.5))
print(torch.tensor([0.0001, 123.0]))
print(torch.tensor([1e-5, 1.0]))
print(torch.tensor([1.0, 2000.0]))
# %%
print(torch.arange(2000))
print(torch.arange(2000.0).reshape(40, 50))
# %%
torch.manual_seed(0)
r = torch.rand(50, 30)
print(r)
# %%
x = torch.arange(12).reshape(3, 4)
print(x[0], x[1, 2], x[:, 1], x[1:, ::2])
print(x.sum(), x.sum(dim=0), x.float().mean(), x.argmax())
print(x.max(), x.numel(), x.dim(), x.tolist())
print(x.sum().item(), x.float().mean(dim=1))
x[5]
# %%
x.mean()
