"""Catalogue of `solutions/pytorch/02_cifar10_design.ipynb`: the open-ended CIFAR-10 design.

The graded cells are judged here as a CPU grades them (the autograde test hides any GPU):
the rules, memorising a batch, and the reduced check of the optimizer and scheduler. The
wrong variants are designs and recipes a student might hand in: a network from the
course's zoo (the rules forbid it), an optimizer over a second network, a softmax in
front of the loss, a one-cycle schedule sized in epochs. The correct variant is another
design: a max pool after the stem, Inception blocks, AdamW and a cosine schedule.
"""

from catalogue import NotebookCatalogue, correct, swap, wrong

RULES, OVERFIT, ACCURACY = "design_rules", "design_overfits_a_batch", "design_cifar10_accuracy"

DESIGN_BODY = """\
c = 64
model = nn.Sequential(
    nn.Conv2d(3, c, kernel_size=3, padding=1, bias=False),
    nn.BatchNorm2d(c),
    nn.ReLU(inplace=True),
    Bottleneck(c, c // 2, 2 * c),
    Bottleneck(2 * c, c, 4 * c, stride=2),
    Bottleneck(4 * c, c, 4 * c),
    Bottleneck(4 * c, 2 * c, 8 * c, stride=2),
    Bottleneck(8 * c, 2 * c, 8 * c),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(8 * c, 10),
)"""

OPTIMIZER_BODY = """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=total_steps)"""

INCEPTION_DESIGN_BODY = """\
model = nn.Sequential(
    nn.Conv2d(3, 48, 3, padding=1, bias=False), nn.BatchNorm2d(48), nn.ReLU(),
    nn.MaxPool2d(2),                                  # (N, 48, 16, 16)
    InceptionBlock(48, 32, 48, 64, 8, 16, 16),        # (N, 128, 16, 16)
    InceptionBlock(128, 48, 64, 96, 16, 32, 32),      # (N, 208, 16, 16)
    nn.MaxPool2d(2),                                  # (N, 208, 8, 8)
    InceptionBlock(208, 96, 96, 160, 24, 48, 48),     # (N, 352, 8, 8)
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(352, 10),
)"""

ADAMW_BODY = """\
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)"""

WRONG = [
    wrong("design_is_a_zoo_resnet",
          "hands in the zoo's CIFAR-10 ResNet: it learns, but it is the zoo's, not a design with the student's blocks",
          {RULES},
          build_design_net_impl='from cs231n_utils.zoo import build_model\nmodel = build_model("cifar_resnet")'),
    wrong("design_optimizer_for_a_new_network",
          "builds the optimizer over a second network's parameters: the model it is given never changes",
          {RULES},
          design_optimizer_impl=swap(OPTIMIZER_BODY, "torch.optim.SGD(model.parameters(),",
                                     "torch.optim.SGD(build_design_net().parameters(),")),
    wrong("design_ends_with_softmax",
          "puts nn.Softmax after the last layer: the loss applies a second softmax and the scores cannot grow",
          {OVERFIT},
          build_design_net_impl=swap(DESIGN_BODY, "    nn.Linear(8 * c, 10),\n", "    nn.Linear(8 * c, 10),\n    nn.Softmax(dim=1),\n")),
    wrong("design_schedule_sized_in_epochs",
          "sizes the one-cycle schedule in epochs, though it is stepped per batch: it runs out after 10 steps",
          {ACCURACY},
          design_optimizer_impl=swap(OPTIMIZER_BODY, "total_steps=total_steps", "total_steps=EPOCHS")),
]

CORRECT = [
    correct("inception_design_with_adamw",
            "a stem, a max pool, Inception blocks at 16x16 and 8x8, AdamW and a cosine schedule",
            build_design_net_impl=INCEPTION_DESIGN_BODY,
            design_optimizer_impl=ADAMW_BODY),
]

CATALOGUE = NotebookCatalogue(
    assignment="pytorch",
    notebook="02_cifar10_design.ipynb",
    points={RULES: 2, OVERFIT: 2, ACCURACY: 4},
    wrong=WRONG,
    correct=CORRECT,
    requires=("01_pytorch_basics.ipynb",),
)
