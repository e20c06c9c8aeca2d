a, b = 7, -2
print(a // b, a % b, a / b, a ** 2, 2 ** -1, -7 // 2, 7.5 // 2, -7.5 % 2)
s = 0
for i in range(10):
    if i % 2 == 0:
        continue
    if i > 7:
        break
    s += i
print(s, sep="")
print("a", "b", 3, sep="-", end="!\n")
# %%
def f(x, y=2, *, z=3):
    return x * y + z
print(f(1), f(1, 3), f(1, z=10), f(x=2, y=2))
lst = [1, 2, 3]
lst.append(4)
print(lst, len(lst), lst[-1], lst[1:3], (1,), (1, 2), None, True)
print(sum(x * x for x in lst), [x for x in range(5) if x % 2])
d = {"lr": 0.1, "epochs": 3}
print(d["lr"], d)
n = 0
while n < 5:
    n += 2
print(n)
# %%
loss = 0.123456
print(f"loss={loss:.4f} acc={0.5:.1%} n={42:5d}|{'x':>3}|{3.0}|{1e-8}|{1/3}")
print(f"{7:03d} {1234567:,} {2.5:e} {'left':<6}| {loss!r}")
# %%
print(undefined_name)
# %%
1 / 0
# %%
[1, 2][5]
# %%
1 + "a"
