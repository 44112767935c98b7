"""Catalogue of `solutions/layers/05_optimization.ipynb`: update rules, affine-ReLU, the
fully connected network and the overfitting check.

The network is one solution cell with three solution regions (the parameters in
``__init__``, the forward pass and the backward pass of ``loss``); its bodies are 3-tuples,
``None`` keeping the reference code of a region. The reference forward pass keeps one
tuple ``(fc_cache, norm_cache, relu_cache, drop_cache)`` per hidden layer in ``caches``
and the output layer's cache in ``out_cache``; a variant that replaces only the backward
pass reads those.

Every submission makes nbgrader run notebooks 1 and 2 as well, so each costs about as
much as three notebooks. To keep the suite short, most wrong submissions carry two
independent mistakes (:func:`together`): one in an update rule or affine-ReLU, one in the
network, touching different solution cells and failing disjoint sets of graded cells, so
that every zero is still explained by exactly one mistake.
"""

from dataclasses import dataclass, field

from catalogue import NotebookCatalogue, correct, swap, wrong

SGD, MOM, RMS, ADAM = "sgd_values", "sgd_momentum_values", "rmsprop_values", "adam_values"
AR_F, AR_B = "affine_relu_forward_values", "affine_relu_backward_gradcheck"
INIT, LOSS, GRAD = "fc_net_init", "fc_net_loss_values", "fc_net_gradcheck"
NORM, DROP, TEST = "fc_net_norm_gradcheck", "fc_net_dropout_gradcheck", "fc_net_test_mode"
OVERFIT = "fc_net_overfit"


# The reference bodies of the three regions of FullyConnectedNet.
NET_INIT = """
dims = [input_dim, *hidden_dims, num_classes]
for i in range(1, self.num_layers + 1):
    self.params[f"W{i}"] = weight_scale * np.random.randn(dims[i - 1], dims[i])
    self.params[f"b{i}"] = np.zeros(dims[i])
    if normalization is not None and i < self.num_layers:
        self.params[f"gamma{i}"] = np.ones(dims[i])
        self.params[f"beta{i}"] = np.zeros(dims[i])
"""
NET_FORWARD = """
L = self.num_layers  # affine layers: the hidden ones and the output layer
h, caches = X, []  # caches[i - 1]: the caches of hidden layer i
for i in range(1, L):  # the hidden layers
    h, fc_cache = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
    norm_cache, drop_cache = None, None  # stay None without normalisation / dropout
    gamma, beta = self.params.get(f"gamma{i}"), self.params.get(f"beta{i}")
    if self.normalization == "batchnorm":
        h, norm_cache = batchnorm_forward(h, gamma, beta, self.bn_params[i - 1])
    elif self.normalization == "layernorm":
        h, norm_cache = layernorm_forward(h, gamma, beta, self.bn_params[i - 1])
    h, relu_cache = relu_forward(h)
    if self.use_dropout:  # after the ReLU
        h, drop_cache = dropout_forward(h, self.dropout_param)
    caches.append((fc_cache, norm_cache, relu_cache, drop_cache))
scores, out_cache = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])  # (N, C)
"""
NET_BACKWARD = """
loss, dh = softmax_loss(scores, y)
loss += 0.5 * self.reg * sum(np.sum(self.params[f"W{i}"] ** 2) for i in range(1, L + 1))
dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dh, out_cache)
for i in range(L - 1, 0, -1):  # back through the hidden layers, last first
    fc_cache, norm_cache, relu_cache, drop_cache = caches[i - 1]
    if self.use_dropout:  # the layers in reverse order
        dh = dropout_backward(dh, drop_cache)
    dh = relu_backward(dh, relu_cache)
    if self.normalization == "batchnorm":
        dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dh, norm_cache)
    elif self.normalization == "layernorm":
        dh, grads[f"gamma{i}"], grads[f"beta{i}"] = layernorm_backward(dh, norm_cache)
    dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc_cache)
for i in range(1, L + 1):  # the L2 term's gradient, weights only
    grads[f"W{i}"] = grads[f"W{i}"] + self.reg * self.params[f"W{i}"]
"""

ADAM_OK = """
beta1, beta2 = config["beta1"], config["beta2"]
t = config["t"] + 1
m = beta1 * config["m"] + (1 - beta1) * dw
v = beta2 * config["v"] + (1 - beta2) * dw**2
m_hat = m / (1 - beta1**t)
v_hat = v / (1 - beta2**t)
next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
config.update(m=m, v=v, t=t)
"""
RMSPROP_OK = """
rho = config["decay_rate"]
cache = rho * config["cache"] + (1 - rho) * dw**2
next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
config["cache"] = cache
"""
MOMENTUM_OK = """
v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
next_w = w + v
config["velocity"] = v
"""


@dataclass(frozen=True)
class Mistake:
    """One realistic mistake: the graded cells it must fail and the bodies that make it."""

    name: str
    why: str
    fails: frozenset[str]
    bodies: dict = field(default_factory=dict)


def mistake(name: str, why: str, fails: set[str], **bodies) -> Mistake:
    return Mistake(name, why, frozenset(fails), bodies)


def alone(m: Mistake):
    return wrong(m.name, m.why, set(m.fails), **m.bodies)


def together(a: Mistake, b: Mistake):
    """One submission with two independent mistakes: they touch different solution cells
    and must fail disjoint sets of graded cells, so each zero is still explained by
    exactly one of them (and a submission saved costs a run of three notebooks)."""
    if a.fails & b.fails or set(a.bodies) & set(b.bodies):
        raise ValueError(f"{a.name} and {b.name} are not independent")
    return wrong(f"{a.name}_and_{b.name}", f"two mistakes: {a.why}; {b.why}", set(a.fails | b.fails),
                 **a.bodies, **b.bodies)


# -- update rules ---------------------------------------------------------------------------
SGD_HARDCODED_RATE = mistake(
    "sgd_hardcoded_rate", "sgd steps with 1e-2 whatever config says", {SGD},
    sgd_impl="next_w = w - 1e-2 * dw")
MOMENTUM_SUBTRACTS_VELOCITY = mistake(
    "momentum_subtracts_velocity", "sgd_momentum returns w - v: v already points downhill, so this climbs", {MOM},
    sgd_momentum_impl=swap(MOMENTUM_OK, "next_w = w + v", "next_w = w - v"))
MOMENTUM_VELOCITY_NOT_STORED = mistake(
    "momentum_velocity_not_stored", "sgd_momentum never writes v back into config: every step starts from zero",
    {MOM},
    sgd_momentum_impl=swap(MOMENTUM_OK, 'config["velocity"] = v\n', ""))
RMSPROP_DECAY_ON_NEW_GRADIENT = mistake(
    "rmsprop_decay_on_new_gradient",
    "rmsprop weights the new squared gradient by decay_rate and the old cache by 1 - decay_rate", {RMS},
    rmsprop_impl=swap(RMSPROP_OK, 'rho * config["cache"] + (1 - rho) * dw**2', 'rho * dw**2 + (1 - rho) * config["cache"]'))
RMSPROP_EPSILON_INSIDE_SQRT = mistake(
    "rmsprop_epsilon_inside_sqrt",
    "rmsprop divides by sqrt(cache + epsilon): only a hidden case with a large epsilon tells", {RMS},
    rmsprop_impl=swap(RMSPROP_OK, 'np.sqrt(cache) + config["epsilon"]', 'np.sqrt(cache + config["epsilon"])'))
ADAM_NO_BIAS_CORRECTION = mistake(
    "adam_no_bias_correction",
    "adam steps with m and v themselves, not m / (1 - beta1^t) and v / (1 - beta2^t): the first steps are "
    "too small and the overfitting run falls short", {ADAM, OVERFIT},
    adam_impl=swap(swap(ADAM_OK, "m / (1 - beta1**t)", "m"), "v / (1 - beta2**t)", "v"))
ADAM_T_COUNTED_AFTER_THE_STEP = mistake(
    "adam_t_counted_after_the_step",
    "adam corrects with the old t and increments it afterwards: the first step divides by 1 - beta^0 = 0 "
    "and the overfitting run diverges", {ADAM, OVERFIT},
    adam_impl=swap(swap(ADAM_OK, 't = config["t"] + 1\n', 't = config["t"]\n'),
                  "config.update(m=m, v=v, t=t)", "config.update(m=m, v=v, t=t + 1)"))
ADAM_EPSILON_INSIDE_SQRT = mistake(
    "adam_epsilon_inside_sqrt",
    "adam divides by sqrt(v_hat + epsilon): only hidden cases with a large epsilon tell", {ADAM},
    adam_impl=swap(ADAM_OK, 'np.sqrt(v_hat) + config["epsilon"]', 'np.sqrt(v_hat + config["epsilon"])'))
# -- affine-relu ------------------------------------------------------------------------------
AFFINE_RELU_BACKWARD_SKIPS_RELU = mistake(
    "affine_relu_backward_skips_relu",
    "affine_relu_backward passes dout straight to affine_backward, ignoring where the ReLU was off", {AR_B},
    affine_relu_backward_impl="fc_cache, relu_cache = cache\ndx, dw, db = affine_backward(dout, fc_cache)")
AFFINE_RELU_WRONG_ORDER = mistake(
    "affine_relu_in_the_wrong_order", "affine_relu_forward applies the ReLU to x and then the affine layer",
    {AR_F, AR_B},
    affine_relu_forward_impl=(
        "r, relu_cache = relu_forward(x)\nout, fc_cache = affine_forward(r, w, b)\ncache = (fc_cache, relu_cache)"))
# -- the network --------------------------------------------------------------------------------
NET_GAMMA_ZERO = mistake(
    "net_gamma_zero", "the network initialises gamma with zeros, like beta", {INIT},
    fully_connected_net_impl=(swap(NET_INIT, "np.ones(dims[i])", "np.zeros(dims[i])"), None, None))
NET_WEIGHTS_NOT_SCALED = mistake(
    "net_weights_not_scaled", "the network draws its weights from N(0, 1), ignoring weight_scale: the initial "
    "loss is far from log K and the overfitting run falls short", {INIT, LOSS, OVERFIT},
    fully_connected_net_impl=(swap(NET_INIT, "weight_scale * np.random.randn", "np.random.randn"), None, None))
NET_REG_ON_BIASES = mistake(
    "net_reg_on_biases", "the network's L2 term (in the loss and the gradients alike) also covers the biases", {LOSS},
    fully_connected_net_impl=(
        None, None,
        swap(swap(NET_BACKWARD,
                'sum(np.sum(self.params[f"W{i}"] ** 2) for i in range(1, L + 1))',
                'sum(np.sum(self.params[f"W{i}"] ** 2) + np.sum(self.params[f"b{i}"] ** 2)\n'
                '                         for i in range(1, L + 1))'),
            '    grads[f"W{i}"] = grads[f"W{i}"] + self.reg * self.params[f"W{i}"]\n',
            '    grads[f"W{i}"] = grads[f"W{i}"] + self.reg * self.params[f"W{i}"]\n'
            '    grads[f"b{i}"] = grads[f"b{i}"] + self.reg * self.params[f"b{i}"]\n')))
NET_BN_PARAMS_NOT_KEPT = mistake(
    "net_bn_params_not_kept",
    "the network gives batch norm a new bn_param dict on every call, so the running averages are lost", {TEST},
    fully_connected_net_impl=(None, swap(NET_FORWARD, "self.bn_params[i - 1])", '{"mode": mode})'),
                              None))
NET_NORM_BEFORE_RELU = mistake(
    "net_norm_before_relu",
    "the network backpropagates through the normalisation before the ReLU (the reverse order)", {NORM, DROP},
    fully_connected_net_impl=(
        None, None,
        swap(NET_BACKWARD,
            "    dh = relu_backward(dh, relu_cache)\n"
            "    if self.normalization == \"batchnorm\":\n"
            "        dh, grads[f\"gamma{i}\"], grads[f\"beta{i}\"] = batchnorm_backward(dh, norm_cache)\n"
            "    elif self.normalization == \"layernorm\":\n"
            "        dh, grads[f\"gamma{i}\"], grads[f\"beta{i}\"] = layernorm_backward(dh, norm_cache)\n",
            "    if self.normalization == \"batchnorm\":\n"
            "        dh, grads[f\"gamma{i}\"], grads[f\"beta{i}\"] = batchnorm_backward(dh, norm_cache)\n"
            "    elif self.normalization == \"layernorm\":\n"
            "        dh, grads[f\"gamma{i}\"], grads[f\"beta{i}\"] = layernorm_backward(dh, norm_cache)\n"
            "    dh = relu_backward(dh, relu_cache)\n")))
NET_DROPOUT_NEVER_APPLIED = mistake(
    "net_dropout_never_applied",
    "the network reads dropout_keep_ratio but never calls dropout_forward or dropout_backward", {DROP},
    fully_connected_net_impl=(
        None,
        swap(NET_FORWARD, "    if self.use_dropout:  # after the ReLU\n        h, drop_cache = dropout_forward(h, self.dropout_param)\n", ""),
        swap(NET_BACKWARD, "    if self.use_dropout:  # the layers in reverse order\n        dh = dropout_backward(dh, drop_cache)\n", "")))
NET_NORMALISES_OUTPUT_LAYER = mistake(
    "net_normalises_the_output_layer",
    "the network gives the output layer a gamma and a beta too: parameters it never uses, with no gradient",
    {INIT, NORM, DROP, TEST},
    fully_connected_net_impl=(
        swap(NET_INIT, "if normalization is not None and i < self.num_layers:", "if normalization is not None:"),
        None, None))
NET_REG_WITHOUT_THE_HALF = mistake(
    "net_reg_without_the_half", "the network adds reg * sum(W**2) to the loss but reg * W to the gradient",
    {LOSS, GRAD, NORM, DROP},
    fully_connected_net_impl=(None, None, swap(NET_BACKWARD, "loss += 0.5 * self.reg", "loss += self.reg")))

WRONG = [
    together(SGD_HARDCODED_RATE, AFFINE_RELU_BACKWARD_SKIPS_RELU),
    together(MOMENTUM_SUBTRACTS_VELOCITY, NET_WEIGHTS_NOT_SCALED),
    together(MOMENTUM_VELOCITY_NOT_STORED, NET_REG_ON_BIASES),
    together(RMSPROP_DECAY_ON_NEW_GRADIENT, NET_DROPOUT_NEVER_APPLIED),
    together(RMSPROP_EPSILON_INSIDE_SQRT, NET_GAMMA_ZERO),
    together(ADAM_NO_BIAS_CORRECTION, NET_NORM_BEFORE_RELU),
    together(ADAM_T_COUNTED_AFTER_THE_STEP, AFFINE_RELU_WRONG_ORDER),
    together(ADAM_EPSILON_INSIDE_SQRT, NET_BN_PARAMS_NOT_KEPT),
    alone(NET_NORMALISES_OUTPUT_LAYER),
    alone(NET_REG_WITHOUT_THE_HALF),
]

CORRECT = [
    correct(
        "in_place_and_by_hand",
        "updates w and the state arrays in place; affine-ReLU and the network written out with numpy "
        "instead of the loaded affine/ReLU layers, N(0, weight_scale) from np.random.normal, dropout before the ReLU",
        sgd_impl='w -= config["learning_rate"] * dw\nnext_w = w',
        sgd_momentum_impl=(
            'v = config["velocity"]\nv *= config["momentum"]\nv -= config["learning_rate"] * dw\n'
            "w += v\nnext_w = w"),
        rmsprop_impl=(
            'c = config["cache"]\nc *= config["decay_rate"]\nc += (1 - config["decay_rate"]) * dw * dw\n'
            'w -= config["learning_rate"] * dw / (np.sqrt(c) + config["epsilon"])\nnext_w = w'),
        adam_impl=(
            'config["t"] += 1\nt = config["t"]\n'
            'm, v = config["m"], config["v"]\n'
            'm *= config["beta1"]\nm += (1 - config["beta1"]) * dw\n'
            'v *= config["beta2"]\nv += (1 - config["beta2"]) * np.square(dw)\n'
            'step = config["learning_rate"] * (m / (1 - config["beta1"] ** t))\n'
            'w -= step / (np.sqrt(v / (1 - config["beta2"] ** t)) + config["epsilon"])\nnext_w = w'),
        affine_relu_forward_impl=(
            "a = x.reshape(x.shape[0], -1) @ w + b\nout = np.maximum(a, 0)\ncache = (x, w, a)"),
        affine_relu_backward_impl=(
            "x, w, a = cache\nda = dout * (a > 0)\nx2 = x.reshape(x.shape[0], -1)\n"
            "dx = (da @ w.T).reshape(x.shape)\ndw = x2.T @ da\ndb = da.sum(axis=0)"),
        fully_connected_net_impl=(
            "sizes = [input_dim] + list(hidden_dims) + [num_classes]\n"
            "for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):\n"
            '    self.params["W%d" % i] = np.random.normal(0.0, weight_scale, size=(fan_in, fan_out))\n'
            '    self.params["b%d" % i] = np.zeros(fan_out)\n'
            "for i in range(1, len(sizes) - 1):\n"
            "    if normalization in ('batchnorm', 'layernorm'):\n"
            '        self.params["gamma%d" % i] = np.ones(sizes[i])\n'
            '        self.params["beta%d" % i] = np.zeros(sizes[i])',
            "self._acts, self._caches = [], {}\n"
            "h = X.reshape(X.shape[0], -1)\n"
            "for i in range(1, self.num_layers):\n"
            "    self._acts.append(h)\n"
            '    a = h @ self.params["W%d" % i] + self.params["b%d" % i]\n'
            "    if self.normalization == 'batchnorm':\n"
            '        a, self._caches["norm", i] = batchnorm_forward(a, self.params["gamma%d" % i], self.params["beta%d" % i], self.bn_params[i - 1])\n'
            "    elif self.normalization == 'layernorm':\n"
            '        a, self._caches["norm", i] = layernorm_forward(a, self.params["gamma%d" % i], self.params["beta%d" % i], self.bn_params[i - 1])\n'
            "    if self.use_dropout:\n"
            '        a, self._caches["drop", i] = dropout_forward(a, self.dropout_param)\n'
            '    self._caches["pre", i] = a\n'
            "    h = np.maximum(a, 0)\n"
            "self._acts.append(h)\n"
            "L = self.num_layers\n"
            'scores = h @ self.params["W%d" % L] + self.params["b%d" % L]',
            "loss, dscores = softmax_loss(scores, y)\n"
            "weights = [self.params['W%d' % i] for i in range(1, L + 1)]\n"
            "loss += 0.5 * self.reg * sum((W * W).sum() for W in weights)\n"
            "dh = dscores\n"
            "for i in range(L, 0, -1):\n"
            "    h_in = self._acts[i - 1]\n"
            '    grads["W%d" % i] = h_in.T @ dh + self.reg * self.params["W%d" % i]\n'
            '    grads["b%d" % i] = dh.sum(axis=0)\n'
            "    if i == 1:\n"
            "        break\n"
            '    dh = dh @ self.params["W%d" % i].T\n'
            '    dh = dh * (self._caches["pre", i - 1] > 0)\n'
            "    if self.use_dropout:\n"
            '        dh = dropout_backward(dh, self._caches["drop", i - 1])\n'
            "    if self.normalization == 'batchnorm':\n"
            '        dh, grads["gamma%d" % (i - 1)], grads["beta%d" % (i - 1)] = batchnorm_backward(dh, self._caches["norm", i - 1])\n'
            "    elif self.normalization == 'layernorm':\n"
            '        dh, grads["gamma%d" % (i - 1)], grads["beta%d" % (i - 1)] = layernorm_backward(dh, self._caches["norm", i - 1])',
        ),
    ),
    correct(
        "new_config_and_float32",
        "returns a new config dict (copied), keeps float32 parameters float32; the network draws its weights "
        "from its own unseeded generator and uses affine_relu_forward/backward where there is no normalisation",
        sgd_impl=(
            "config = dict(config)\n"
            'next_w = (w - config["learning_rate"] * dw).astype(w.dtype)'),
        sgd_momentum_impl=(
            "config = dict(config)\n"
            'config["velocity"] = config["momentum"] * config["velocity"] - config["learning_rate"] * dw\n'
            'next_w = (w + config["velocity"]).astype(w.dtype)'),
        rmsprop_impl=(
            "config = dict(config)\n"
            'config["cache"] = config["decay_rate"] * config["cache"] + (1.0 - config["decay_rate"]) * np.power(dw, 2)\n'
            'next_w = (w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])).astype(w.dtype)'),
        adam_impl=(
            "config = dict(config)\n"
            'b1, b2, t = config["beta1"], config["beta2"], config["t"] + 1\n'
            'config["m"] = b1 * config["m"] + (1 - b1) * dw\n'
            'config["v"] = b2 * config["v"] + (1 - b2) * dw * dw\n'
            'config["t"] = t\n'
            'm_hat, v_hat = config["m"] / (1 - b1 ** t), config["v"] / (1 - b2 ** t)\n'
            'next_w = (w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])).astype(w.dtype)'),
        fully_connected_net_impl=(
            "generator = np.random.default_rng()\n"
            "dims = [input_dim, *hidden_dims, num_classes]\n"
            "for i in range(self.num_layers):\n"
            '    self.params[f"W{i + 1}"] = weight_scale * generator.standard_normal((dims[i], dims[i + 1]))\n'
            '    self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])\n'
            "if normalization:\n"
            "    for i, d in enumerate(hidden_dims, start=1):\n"
            '        self.params[f"gamma{i}"], self.params[f"beta{i}"] = np.ones(d), np.zeros(d)',
            "L = self.num_layers\n"
            "stack, out = [], X\n"
            "for i in range(1, L):\n"
            '    W, b = self.params[f"W{i}"], self.params[f"b{i}"]\n'
            "    if self.normalization is None:\n"
            "        out, c = affine_relu_forward(out, W, b)\n"
            "        layer = [c]\n"
            "    else:\n"
            "        out, c1 = affine_forward(out, W, b)\n"
            '        norm_forward = batchnorm_forward if self.normalization == "batchnorm" else layernorm_forward\n'
            '        out, c2 = norm_forward(out, self.params[f"gamma{i}"], self.params[f"beta{i}"], self.bn_params[i - 1])\n'
            "        out, c3 = relu_forward(out)\n"
            "        layer = [c1, c2, c3]\n"
            "    if self.use_dropout:\n"
            "        out, c4 = dropout_forward(out, self.dropout_param)\n"
            "        layer.append(c4)\n"
            "    stack.append(layer)\n"
            'scores, last = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])',
            "loss, d = softmax_loss(scores, y)\n"
            'd, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(d, last)\n'
            "for i in range(L - 1, 0, -1):\n"
            "    layer = list(stack[i - 1])\n"
            "    if self.use_dropout:\n"
            "        d = dropout_backward(d, layer.pop())\n"
            "    if self.normalization is None:\n"
            '        d, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(d, layer[0])\n'
            "    else:\n"
            "        d = relu_backward(d, layer[2])\n"
            '        norm_backward = batchnorm_backward if self.normalization == "batchnorm" else layernorm_backward\n'
            '        d, grads[f"gamma{i}"], grads[f"beta{i}"] = norm_backward(d, layer[1])\n'
            '        d, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(d, layer[0])\n'
            "for name in list(grads):\n"
            '    if name.startswith("W"):\n'
            "        loss += 0.5 * self.reg * np.sum(self.params[name] ** 2)\n"
            "        grads[name] = grads[name] + self.reg * self.params[name]",
        ),
    ),
    correct(
        "folded_bias_correction",
        "Adam with the bias correction folded into the step size (epsilon scaled to match), np.multiply and "
        "np.divide; the network keeps its layers' caches in a dict attribute and its L2 term from np.linalg.norm",
        sgd_impl='next_w = np.subtract(w, np.multiply(config["learning_rate"], dw))',
        sgd_momentum_impl=(
            'config["velocity"] = (np.multiply(config["momentum"], config["velocity"])\n'
            '                      - np.multiply(config["learning_rate"], dw))\n'
            'next_w = np.add(w, config["velocity"])'),
        rmsprop_impl=(
            'config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * np.square(dw)\n'
            'next_w = w - np.divide(config["learning_rate"] * dw, np.sqrt(config["cache"]) + config["epsilon"])'),
        adam_impl=(
            'config["t"] = t = config["t"] + 1\n'
            'b1, b2 = config["beta1"], config["beta2"]\n'
            'config["m"] = b1 * config["m"] + (1 - b1) * dw\n'
            'config["v"] = b2 * config["v"] + (1 - b2) * np.square(dw)\n'
            "# m_hat / (sqrt(v_hat) + eps) = c * m / (sqrt(v) + eps * sqrt(1 - b2^t)), c = sqrt(1 - b2^t) / (1 - b1^t)\n"
            "root = np.sqrt(1 - b2**t)\n"
            'step = config["learning_rate"] * root / (1 - b1**t)\n'
            'next_w = w - step * config["m"] / (np.sqrt(config["v"]) + config["epsilon"] * root)'),
        fully_connected_net_impl=(
            None,
            "L = self.num_layers\n"
            "self.cache = {}\n"
            "h = X\n"
            "for i in range(1, L + 1):\n"
            '    h, self.cache[f"affine{i}"] = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])\n'
            "    if i == L:\n"
            "        break\n"
            "    if self.normalization:\n"
            '        norm = {"batchnorm": batchnorm_forward, "layernorm": layernorm_forward}[self.normalization]\n'
            '        h, self.cache[f"norm{i}"] = norm(h, self.params[f"gamma{i}"], self.params[f"beta{i}"],\n'
            "                                         self.bn_params[i - 1])\n"
            '    h, self.cache[f"relu{i}"] = relu_forward(h)\n'
            "    if self.use_dropout:\n"
            '        h, self.cache[f"dropout{i}"] = dropout_forward(h, self.dropout_param)\n'
            "scores = h",
            "loss, dh = softmax_loss(scores, y)\n"
            'loss += 0.5 * self.reg * sum(np.linalg.norm(self.params[f"W{i}"]) ** 2 for i in range(1, L + 1))\n'
            "for i in range(L, 0, -1):\n"
            "    if i < L:\n"
            "        if self.use_dropout:\n"
            '            dh = dropout_backward(dh, self.cache[f"dropout{i}"])\n'
            '        dh = relu_backward(dh, self.cache[f"relu{i}"])\n'
            "        if self.normalization:\n"
            '            norm = {"batchnorm": batchnorm_backward, "layernorm": layernorm_backward}[self.normalization]\n'
            '            dh, grads[f"gamma{i}"], grads[f"beta{i}"] = norm(dh, self.cache[f"norm{i}"])\n'
            '    dh, dw, grads[f"b{i}"] = affine_backward(dh, self.cache[f"affine{i}"])\n'
            '    grads[f"W{i}"] = dw + self.reg * self.params[f"W{i}"]',
        ),
    ),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="05_optimization.ipynb",
    points={
        SGD: 1, MOM: 2, RMS: 2, ADAM: 3, AR_F: 1, AR_B: 2,
        INIT: 2, LOSS: 2, GRAD: 4, NORM: 3, DROP: 2, TEST: 2, OVERFIT: 2,
    },
    wrong=WRONG,
    correct=CORRECT,
    requires=("01_fully_connected.ipynb", "02_normalization.ipynb"),
)
