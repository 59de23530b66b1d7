#!/usr/bin/env python3
"""Reference numbers for Tests/NeuralTests/AdaBeliefTests.swift: the original AdaBelief package
(adabelief-pytorch 0.2.1, Zhuang et al. 2020) with rectify=False, amsgrad=False and its default
eps=1e-16, minimising f(w) = 0.5 * sum(a * (w - c)^2) from w0 for 5 steps, once with L2 weight
decay added to the gradient (weight_decouple=False) and once decoupled (weight_decouple=True).
Prints the float32 weights after each step; the Swift test hard-codes them.

Run:
    pip install torch adabelief-pytorch==0.2.1
    python scripts/adabelief_reference.py
"""
import torch
from adabelief_pytorch import AdaBelief

A = [1.0, 3.0, 0.5, 10.0]
C = [0.2, 0.4, -0.1, 0.0]
W0 = [1.5, -0.5, 0.25, 1e-3]

for decouple in (False, True):
    w = torch.tensor(W0, dtype=torch.float32, requires_grad=True)
    a, c = torch.tensor(A), torch.tensor(C)
    opt = AdaBelief([w], lr=0.1, betas=(0.9, 0.999), eps=1e-16, weight_decay=0.05, amsgrad=False,
                    weight_decouple=decouple, rectify=False, print_change_log=False)
    print(f"weight_decouple={decouple}")
    for step in range(5):
        opt.zero_grad()
        loss = 0.5 * (a * (w - c) ** 2).sum()
        loss.backward()
        opt.step()
        print("  [" + ", ".join(f"{x:.9g}" for x in w.detach().tolist()) + "],")
