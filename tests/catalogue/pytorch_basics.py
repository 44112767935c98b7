"""Catalogue of `solutions/pytorch/01_pytorch_basics.ipynb`: bare tensors, modules, batch norm, the training loop, two blocks.

Each wrong variant makes one mistake that students of a PyTorch course make, applied with
``swap`` to code written as a student would (the reference bodies below, or a variant of
them). The classes have one solution region per method (``__init__``, ``forward``; the
Inception cell also its helper ``conv_bn_relu`` first): their bodies are tuples, one
entry per region, ``None`` keeping the reference's code.

Three wrong variants answer an exercise from the course's own package, to show that it
cannot be done that way: the zoo's residual block (`cs231n_utils.zoo.blocks.BasicBlock`),
the zoo's Inception block (`cs231n_utils.zoo.d2l.Inception`) and the trainer's `evaluate`
(`cs231n_utils.train.evaluate`) fail the tests of the cells they stand in for.
"""

from catalogue import NotebookCatalogue, correct, swap, wrong

FC, CONVNET, KAIMING, SGD_STEP = ("two_layer_fc_values", "three_layer_convnet_values", "kaiming_weight_statistics",
                                  "bare_sgd_step_values")
FC_MODULE, CONVNET_MODULE, SEQUENTIAL = "two_layer_fc_module", "three_layer_convnet_module", "sequential_convnet_values"
BN_STATE, BN_TRAIN, BN_RUNNING, BN_EVAL = ("batchnorm_parameters_and_buffers", "batchnorm_train_forward",
                                           "batchnorm_running_stats", "batchnorm_eval_mode")
LOOP_STEPS, LOOP_LOSS, EVAL_MODE, EVAL_ACCURACY = ("train_one_epoch_steps", "train_one_epoch_loss", "evaluate_mode",
                                                   "evaluate_accuracy")
BLOCK_SHAPES, BLOCK_VALUES = "bottleneck_shapes_and_parameters", "bottleneck_values"
INCEPTION_SHAPES, INCEPTION_VALUES = "inception_shapes_and_parameters", "inception_values"

# --- 1. bare tensors -----------------------------------------------------------------------------

FC_BODY = """\
x_flat = x.reshape(x.shape[0], -1)  # (N, D)
scores = torch.relu(x_flat @ w1) @ w2"""

CONVNET_BODY = """\
h = F.conv2d(x, conv_w1, conv_b1, padding=(conv_w1.shape[2] // 2, conv_w1.shape[3] // 2))
h = F.relu(h)
h = F.conv2d(h, conv_w2, conv_b2, padding=(conv_w2.shape[2] // 2, conv_w2.shape[3] // 2))
h = F.relu(h)
scores = h.reshape(h.shape[0], -1) @ fc_w + fc_b"""

KAIMING_BODY = """\
if len(shape) == 2:
    fan_in = shape[0]
else:
    fan_in = shape[1] * shape[2] * shape[3]
w = torch.randn(shape) * math.sqrt(2.0 / fan_in)
w.requires_grad = True"""

SGD_BODY = """\
scores = model_fn(x, params)
loss = F.cross_entropy(scores, y)
loss.backward()
with torch.no_grad():
    for w in params:
        w -= learning_rate * w.grad
        w.grad.zero_()"""

# --- 2, 3. modules -------------------------------------------------------------------------------

FC_MODULE_INIT = """\
self.fc1 = nn.Linear(input_size, hidden_size)
nn.init.kaiming_normal_(self.fc1.weight)
nn.init.zeros_(self.fc1.bias)
self.fc2 = nn.Linear(hidden_size, num_classes)
nn.init.kaiming_normal_(self.fc2.weight)
nn.init.zeros_(self.fc2.bias)"""

CONVNET_MODULE_INIT = """\
self.conv1 = nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2)
self.conv2 = nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1)
self.fc = nn.Linear(channel_2 * image_size * image_size, num_classes)
for layer in [self.conv1, self.conv2, self.fc]:
    nn.init.kaiming_normal_(layer.weight)
    nn.init.zeros_(layer.bias)"""

SEQUENTIAL_BODY = """\
model = nn.Sequential(
    nn.Conv2d(in_channel, channel_1, kernel_size=5, padding=2),
    nn.ReLU(),
    nn.Conv2d(channel_1, channel_2, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(channel_2 * image_size * image_size, num_classes),
)"""

# --- 4. batch norm -------------------------------------------------------------------------------

BN_INIT = """\
self.eps = eps
self.momentum = momentum
self.weight = nn.Parameter(torch.ones(num_features))
self.bias = nn.Parameter(torch.zeros(num_features))
self.register_buffer("running_mean", torch.zeros(num_features))
self.register_buffer("running_var", torch.ones(num_features))"""

BN_FORWARD = """\
if self.training:
    mean = x.mean(dim=(0, 2, 3))
    var = ((x - mean.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
    M = x.shape[0] * x.shape[2] * x.shape[3]
    with torch.no_grad():
        self.running_mean.copy_((1 - self.momentum) * self.running_mean + self.momentum * mean)
        self.running_var.copy_((1 - self.momentum) * self.running_var + self.momentum * var * M / (M - 1))
else:
    mean = self.running_mean
    var = self.running_var
x_hat = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + self.eps)
out = x_hat * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)"""

BN_RUNNING_MEAN = "self.running_mean.copy_((1 - self.momentum) * self.running_mean + self.momentum * mean)"
BN_RUNNING_VAR = "self.running_var.copy_((1 - self.momentum) * self.running_var + self.momentum * var * M / (M - 1))"
BN_BATCH_VAR = "var = ((x - mean.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))"

# The same layer looping over the channels, statistics kept out of the graph by detaching
# them (assigning a tensor to a registered buffer's name replaces the buffer).
BN_LOOPED_FORWARD = """\
outs = []
for c in range(x.shape[1]):
    xc = x[:, c]  # (N, H, W)
    if self.training:
        mu = xc.mean()
        sigma2 = ((xc - mu) ** 2).mean()
        n = xc.numel()
        self.running_mean[c] = (1 - self.momentum) * self.running_mean[c] + self.momentum * mu.detach()
        self.running_var[c] = (1 - self.momentum) * self.running_var[c] + self.momentum * sigma2.detach() * n / (n - 1)
    else:
        mu, sigma2 = self.running_mean[c], self.running_var[c]
    outs.append(self.weight[c] * (xc - mu) / torch.sqrt(sigma2 + self.eps) + self.bias[c])
out = torch.stack(outs, dim=1)"""

# --- 5. training loop ----------------------------------------------------------------------------

LOOP_BODY = """\
model.train()
losses, sizes = [], []
for x, y in batches:
    optimizer.zero_grad()
    scores = model(x)
    loss = loss_fn(scores, y)
    loss.backward()
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    losses.append(loss.item() * x.shape[0])
    sizes.append(x.shape[0])
mean_loss = sum(losses) / sum(sizes)"""

EVAL_BODY = """\
model.eval()
num_correct, num_samples = 0, 0
with torch.no_grad():
    for x, y in batches:
        scores = model(x)
        preds = scores.argmax(dim=1)
        num_correct += (preds == y).sum().item()
        num_samples += y.shape[0]
accuracy = num_correct / num_samples"""

# --- 6. bottleneck -------------------------------------------------------------------------------

BLOCK_INIT = """\
self.out_channels = out_channels
self.conv1 = nn.Conv2d(in_channels, mid_channels, kernel_size=1, bias=False)
self.bn1 = nn.BatchNorm2d(mid_channels)
self.conv2 = nn.Conv2d(mid_channels, mid_channels, kernel_size=3, stride=stride, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(mid_channels)
self.conv3 = nn.Conv2d(mid_channels, out_channels, kernel_size=1, bias=False)
self.bn3 = nn.BatchNorm2d(out_channels)
self.shortcut = nn.Sequential()
if stride != 1 or in_channels != out_channels:
    self.shortcut = nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )"""

BLOCK_FORWARD = """\
out = torch.relu(self.bn1(self.conv1(x)))
out = torch.relu(self.bn2(self.conv2(out)))
out = self.bn3(self.conv3(out))
out = out + self.shortcut(x)
out = torch.relu(out)"""

# --- 7. Inception --------------------------------------------------------------------------------

CBR_BODY = """\
conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
return nn.Sequential(conv, nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))"""

INCEPTION_INIT = """\
self.branch1 = conv_bn_relu(in_channels, c1, 1)
self.branch3 = nn.Sequential(
    conv_bn_relu(in_channels, c3_reduce, 1),
    conv_bn_relu(c3_reduce, c3, 3),
)
self.branch5 = nn.Sequential(
    conv_bn_relu(in_channels, c5_reduce, 1),
    conv_bn_relu(c5_reduce, c5, 3),
    conv_bn_relu(c5, c5, 3),
)
self.branch_pool = nn.Sequential(
    nn.AvgPool2d(kernel_size=3, stride=1, padding=1),
    conv_bn_relu(in_channels, pool_proj, 1),
)
self.out_channels = c1 + c3 + c5 + pool_proj"""

INCEPTION_FORWARD = """\
b1 = self.branch1(x)
b3 = self.branch3(x)
b5 = self.branch5(x)
bp = self.branch_pool(x)
out = torch.cat([b1, b3, b5, bp], dim=1)"""


def bn(init=BN_INIT, forward=BN_FORWARD):
    return init, forward


def block(init=BLOCK_INIT, forward=BLOCK_FORWARD):
    return init, forward


def inception(helper=CBR_BODY, init=INCEPTION_INIT, forward=INCEPTION_FORWARD):
    return helper, init, forward


WRONG = [
    # 1. bare tensors
    wrong("fc_view_on_a_permuted_input",
          "flattens with x.view: a permuted (non-contiguous) input cannot be viewed, and the call raises",
          {FC},
          two_layer_fc_impl=swap(FC_BODY, "x.reshape(x.shape[0], -1)", "x.view(x.shape[0], -1)")),
    wrong("convnet_padding_for_5x5_and_3x3_only",
          "hard-codes CS231n's paddings 2 and 1 instead of reading the kernel sizes: other kernels change the size",
          {CONVNET},
          three_layer_convnet_impl=swap(swap(CONVNET_BODY, "padding=(conv_w1.shape[2] // 2, conv_w1.shape[3] // 2)",
                                             "padding=2"),
                                        "padding=(conv_w2.shape[2] // 2, conv_w2.shape[3] // 2)", "padding=1")),
    wrong("kaiming_torch_init_on_this_layout",
          "calls nn.init.kaiming_normal_ on a (D_in, D_out) weight: torch reads the fan-in from dim 1, here D_out",
          {KAIMING},
          kaiming_weight_impl="w = torch.empty(shape)\ntorch.nn.init.kaiming_normal_(w)\nw.requires_grad_()"),
    wrong("sgd_gradients_not_cleared",
          "never clears .grad: the second step uses the sum of both batches' gradients",
          {SGD_STEP},
          bare_sgd_step_impl=swap(SGD_BODY, "\n        w.grad.zero_()", "")),
    # 2, 3. modules
    wrong("fc_module_default_init",
          "keeps PyTorch's default initialisation (uniform, std 1 / sqrt(3 fan_in)) and random biases",
          {FC_MODULE},
          two_layer_fc_module_impl=("self.fc1 = nn.Linear(input_size, hidden_size)\n"
                                    "self.fc2 = nn.Linear(hidden_size, num_classes)", None)),
    wrong("convnet_module_sized_for_32x32",
          "sizes the linear layer for 32x32 images whatever image_size says",
          {CONVNET_MODULE},
          three_layer_convnet_module_impl=(swap(CONVNET_MODULE_INIT, "channel_2 * image_size * image_size",
                                                "channel_2 * 32 * 32"), None)),
    wrong("sequential_without_flatten",
          "leaves out nn.Flatten: the linear layer then acts on the last axis of a 4-D tensor",
          {SEQUENTIAL},
          sequential_convnet_impl=swap(SEQUENTIAL_BODY, "    nn.Flatten(),\n", "")),
    # 4. batch norm
    wrong("bn_unbiased_batch_variance",
          "normalises with the unbiased variance (x.var's default); the running variance is right",
          {BN_TRAIN},
          batchnorm_scratch_impl=bn(forward=swap(swap(BN_FORWARD, BN_BATCH_VAR, "var = x.var(dim=(0, 2, 3))"),
                                                 "self.momentum * var * M / (M - 1)", "self.momentum * var"))),
    wrong("bn_biased_running_variance",
          "keeps the biased batch variance in the running variance, as the numpy notebook's CS231n convention does",
          {BN_RUNNING, BN_EVAL},
          batchnorm_scratch_impl=bn(forward=swap(BN_FORWARD, "self.momentum * var * M / (M - 1)", "self.momentum * var"))),
    wrong("bn_without_running_statistics",
          "never updates the running statistics: eval mode normalises with the initial zeros and ones",
          {BN_RUNNING, BN_EVAL},
          batchnorm_scratch_impl=bn(forward=swap(BN_FORWARD, f"    with torch.no_grad():\n        {BN_RUNNING_MEAN}\n"
                                                             f"        {BN_RUNNING_VAR}\n", ""))),
    wrong("bn_eval_uses_batch_statistics",
          "ignores self.training: eval mode normalises each batch with its own statistics",
          {BN_EVAL},
          batchnorm_scratch_impl=bn(forward=swap(swap(BN_FORWARD, "if self.training:", "if True:"),
                                                 "else:\n    mean = self.running_mean\n    var = self.running_var\n", ""))),
    wrong("bn_statistics_as_plain_attributes",
          "stores the running statistics as plain tensors: not in the state dict, not converted by .double()",
          {BN_STATE, BN_RUNNING, BN_EVAL},
          batchnorm_scratch_impl=bn(init=swap(swap(BN_INIT, 'self.register_buffer("running_mean", torch.zeros(num_features))',
                                                   "self.running_mean = torch.zeros(num_features)"),
                                              'self.register_buffer("running_var", torch.ones(num_features))',
                                              "self.running_var = torch.ones(num_features)"))),
    wrong("bn_calls_torch_batch_norm",
          "hands the work to F.batch_norm: right numbers, but the exercise is to write it",
          {BN_TRAIN, BN_EVAL},
          batchnorm_scratch_impl=bn(forward="out = torch.nn.functional.batch_norm(\n"
                                            "    x, self.running_mean, self.running_var, self.weight, self.bias,\n"
                                            "    self.training, self.momentum, self.eps)")),
    # 5. training loop
    wrong("loop_gradients_not_zeroed",
          "never calls optimizer.zero_grad(): each step uses the sum of all gradients so far",
          {LOOP_STEPS},
          train_one_epoch_impl=swap(LOOP_BODY, "    optimizer.zero_grad()\n", "")),
    wrong("loop_model_train_forgotten",
          "does not call model.train(): a model left in eval mode trains with batch norm on running statistics",
          {LOOP_STEPS},
          train_one_epoch_impl=swap(LOOP_BODY, "model.train()\n", "")),
    wrong("loop_mean_of_batch_means",
          "averages the batch losses without weighting them: a smaller last batch counts as much as a full one",
          {LOOP_LOSS},
          train_one_epoch_impl=swap(LOOP_BODY, "mean_loss = sum(losses) / sum(sizes)",
                                    "mean_loss = sum(l / s for l, s in zip(losses, sizes)) / len(losses)")),
    wrong("eval_mode_forgotten",
          "does not call model.eval(): batch norm uses (and updates) batch statistics, dropout stays on",
          {EVAL_MODE, EVAL_ACCURACY},
          evaluate_impl=swap(EVAL_BODY, "model.eval()\n", "")),
    wrong("eval_without_no_grad",
          "measures with autograd on: every batch records a graph that is never used",
          {EVAL_MODE},
          evaluate_impl=swap(swap(EVAL_BODY, "with torch.no_grad():\n    ", ""), "\n        ", "\n    ")),
    wrong("eval_mean_of_batch_accuracies",
          "averages per-batch accuracies: a smaller last batch weighs as much as a full one",
          {EVAL_ACCURACY},
          evaluate_impl=swap(swap(swap(EVAL_BODY, "num_correct, num_samples = 0, 0", "accuracies = []"),
                                  "num_correct += (preds == y).sum().item()\n        num_samples += y.shape[0]",
                                  "accuracies.append((preds == y).double().mean().item())"),
                             "accuracy = num_correct / num_samples", "accuracy = sum(accuracies) / len(accuracies)")),
    wrong("evaluate_from_the_course_trainer",
          "imports cs231n_utils.train.evaluate: it takes the trainer's DeviceImages, not batches",
          {EVAL_MODE, EVAL_ACCURACY},
          evaluate_impl="from cs231n_utils.train import evaluate as trainer_evaluate\n"
                        "accuracy = trainer_evaluate(model, batches)"),
    # 6. bottleneck
    wrong("bottleneck_skip_after_relu",
          "adds the shortcut after the last ReLU: relu(F(x)) + x instead of relu(F(x) + x)",
          {BLOCK_VALUES},
          bottleneck_impl=block(forward=swap(swap(BLOCK_FORWARD, "out = self.bn3(self.conv3(out))",
                                                  "out = torch.relu(self.bn3(self.conv3(out)))"),
                                             "\nout = torch.relu(out)", ""))),
    wrong("bottleneck_projection_without_bn",
          "projects the shortcut with the 1x1 convolution alone, no batch norm",
          {BLOCK_SHAPES, BLOCK_VALUES},
          bottleneck_impl=block(init=swap(BLOCK_INIT, "bias=False),\n        nn.BatchNorm2d(out_channels),\n", "bias=False),\n"))),
    wrong("bottleneck_from_the_zoo",
          "wraps the zoo's BasicBlock (two 3x3 convolutions): other parameters, no bottleneck layers",
          {BLOCK_SHAPES, BLOCK_VALUES},
          bottleneck_impl=block(init="from cs231n_utils.zoo.blocks import BasicBlock\n"
                                     "self.block = BasicBlock(in_channels, out_channels, stride=stride)\n"
                                     "self.out_channels = out_channels",
                                forward="out = self.block(x)")),
    # 7. Inception
    wrong("inception_max_pool_branch",
          "pools with a max (GoogLeNet's original block) where this block averages",
          {INCEPTION_VALUES},
          inception_block_impl=inception(init=swap(INCEPTION_INIT, "nn.AvgPool2d(kernel_size=3, stride=1, padding=1)",
                                                   "nn.MaxPool2d(kernel_size=3, stride=1, padding=1)"))),
    wrong("inception_from_the_zoo",
          "wraps the zoo's (d2l's) Inception block: no batch norm, a 5x5 convolution, max pooling",
          {INCEPTION_SHAPES, INCEPTION_VALUES},
          inception_block_impl=inception(
              init="from cs231n_utils.zoo.d2l import Inception\n"
                   "self.block = Inception(in_channels, c1, (c3_reduce, c3), (c5_reduce, c5), pool_proj)\n"
                   "self.out_channels = self.block.out_channels",
              forward="out = self.block(x)")),
]

CORRECT = [
    correct("tensors_and_modules_written_differently",
            "reshape instead of flatten, padding='same', the fan-in multiplied out and requires_grad set, the "
            "old-style update through .data; modules initialised layer by layer with F.relu in forward; an "
            "nn.Sequential built from a list",
            two_layer_fc_impl=FC_BODY,
            three_layer_convnet_impl=swap(swap(CONVNET_BODY, "padding=(conv_w1.shape[2] // 2, conv_w1.shape[3] // 2)",
                                               'padding="same"'),
                                          "padding=(conv_w2.shape[2] // 2, conv_w2.shape[3] // 2)", 'padding="same"'),
            kaiming_weight_impl=KAIMING_BODY,
            bare_sgd_step_impl=swap(SGD_BODY, "with torch.no_grad():\n    for w in params:\n        w -= learning_rate * w.grad",
                                    "if True:\n    for w in params:\n        w.data -= learning_rate * w.grad"),
            two_layer_fc_module_impl=(FC_MODULE_INIT,
                                      "scores = self.fc2(F.relu(self.fc1(x.reshape(len(x), -1))))"),
            three_layer_convnet_module_impl=(CONVNET_MODULE_INIT,
                                             "x = F.relu(self.conv1(x))\nx = F.relu(self.conv2(x))\n"
                                             "scores = self.fc(x.reshape(x.shape[0], -1))"),
            sequential_convnet_impl=swap(SEQUENTIAL_BODY, "model = nn.Sequential(", "model = nn.Sequential(*[")
            .replace("\n)", "\n])")),
    correct("bn_loop_and_blocks_written_differently",
            "batch norm one channel at a time with the running statistics updated from detached tensors (against "
            "the reference's vectorised one); a loop weighting by x.shape[0]; evaluate under inference_mode; a "
            "bottleneck with an empty Sequential as identity; an Inception block with in-place ReLUs",
            batchnorm_scratch_impl=bn(forward=BN_LOOPED_FORWARD),
            train_one_epoch_impl=LOOP_BODY,
            evaluate_impl=swap(swap(EVAL_BODY, "with torch.no_grad():", "with torch.inference_mode():"),
                               "model.eval()", "model.train(False)"),
            bottleneck_impl=block(),
            inception_block_impl=inception()),
]

CATALOGUE = NotebookCatalogue(
    assignment="pytorch",
    notebook="01_pytorch_basics.ipynb",
    points={FC: 2, CONVNET: 3, KAIMING: 2, SGD_STEP: 3, FC_MODULE: 2, CONVNET_MODULE: 3, SEQUENTIAL: 2,
            BN_STATE: 2, BN_TRAIN: 3, BN_RUNNING: 3, BN_EVAL: 2, LOOP_STEPS: 3, LOOP_LOSS: 1, EVAL_MODE: 2,
            EVAL_ACCURACY: 2, BLOCK_SHAPES: 2, BLOCK_VALUES: 3, INCEPTION_SHAPES: 2, INCEPTION_VALUES: 3},
    wrong=WRONG,
    correct=CORRECT,
)
