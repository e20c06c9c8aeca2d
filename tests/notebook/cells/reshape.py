import torch
imgs = torch.ones(64, 3, 32, 32)
print(imgs.shape)
# %%
output = torch.reshape(imgs, (1, 1, 1, -1))
print(output.shape)
# %%
print(imgs.reshape(64, -1).shape)
print(imgs.view(64, 3072).size())
print(torch.flatten(imgs, 1).shape, imgs.flatten().shape)
print(imgs.flatten(start_dim=2).shape)
imgs.size(1)
# %%
x = 1
y = imgs.reshape(7, -1)
# %%
imgs.reshape(-1, -1)
# %%
imgs.reshape(-2, 3072)
# %%
imgs.flatten(4)
# %%
imgs.flatten(2, 1)
# %%
t = torch.arange(6).reshape(2, 3)
print(t)
print(t.permute(1, 0))
print(t.transpose(0, 1).shape, t.unsqueeze(0).shape, t.unsqueeze(-1).squeeze().shape)
t.shape
