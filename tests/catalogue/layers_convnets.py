"""Catalogue of `solutions/layers/06_convnets.ipynb`: sandwich layers, ThreeLayerConvNet, ConvNet.

The variants are written as a student would, apart from the reference: sandwiches that
keep their own ReLU mask and compute in float64, a ThreeLayerConvNet that pools and
flattens by hand, a ConvNet that calls the layers directly instead of the sandwiches. Each
wrong variant changes one thing in one of those. The classes have several solution
regions (``__init__``, the scores, the loss and gradients): their bodies are tuples, one
entry per region.

The networks are built on the sandwiches, so a broken sandwich also breaks the network
cells that use it: the reference ThreeLayerConvNet uses ``conv_relu_pool``, the reference
ConvNet ``conv_bn_relu`` (with batch norm) and ``conv_relu`` (without).
"""

from catalogue import NotebookCatalogue, correct, swap, wrong

RELU_FB, POOL_FB, BN_FB = "conv_relu_forward_backward", "conv_relu_pool_forward_backward", "conv_bn_relu_forward_backward"
THREE_SCORES, THREE_GRAD = "three_layer_convnet_scores", "three_layer_convnet_gradcheck"
NET_PARAMS, NET_LOSS, NET_REG = "convnet_params", "convnet_initial_loss", "convnet_regularization"
NET_GRAD, NET_TEST = "convnet_gradcheck", "convnet_test_mode"


# --- sandwiches that keep their own ReLU mask and work in float64 ----------------------------

CONV_RELU_F = """\
x64, w64, b64 = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
conv_out, conv_cache = conv_forward_fast(x64, w64, b64, conv_param)
out = np.maximum(conv_out, 0.0)
cache = (conv_cache, conv_out)"""

CONV_RELU_B = """\
conv_cache, conv_out = cache
dconv = dout * (conv_out > 0)
dx, dw, db = conv_backward_fast(dconv, conv_cache)"""

CONV_RELU_POOL_F = """\
relu_out, relu_cache = conv_relu_forward(x, w, b, conv_param)
out, pool_cache = max_pool_forward_fast(relu_out, pool_param)
cache = (relu_cache, pool_cache)"""

CONV_RELU_POOL_B = """\
relu_cache, pool_cache = cache
drelu = max_pool_backward_fast(dout, pool_cache)
dx, dw, db = conv_relu_backward(drelu, relu_cache)"""

CONV_BN_RELU_F = """\
x64, w64, b64 = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
conv_out, conv_cache = conv_forward_fast(x64, w64, b64, conv_param)
bn_out, bn_cache = spatial_batchnorm_forward(conv_out, np.asarray(gamma, dtype=np.float64),
                                             np.asarray(beta, dtype=np.float64), bn_param)
out = np.maximum(bn_out, 0.0)
cache = (conv_cache, bn_cache, bn_out)"""

CONV_BN_RELU_B = """\
conv_cache, bn_cache, bn_out = cache
dbn = dout * (bn_out > 0)
dconv, dgamma, dbeta = spatial_batchnorm_backward(dbn, bn_cache)
dx, dw, db = conv_backward_fast(dconv, conv_cache)"""

# --- ThreeLayerConvNet pooling and flattening by hand -----------------------------------------

THREE_INIT = """\
C, H, W = input_dim
self.params["W1"] = np.random.randn(num_filters, C, filter_size, filter_size) * weight_scale
self.params["b1"] = np.zeros(num_filters)
H_pool, W_pool = (H - 2) // 2 + 1, (W - 2) // 2 + 1
self.params["W2"] = np.random.randn(num_filters * H_pool * W_pool, hidden_dim) * weight_scale
self.params["b2"] = np.zeros(hidden_dim)
self.params["W3"] = np.random.randn(hidden_dim, num_classes) * weight_scale
self.params["b3"] = np.zeros(num_classes)"""

THREE_SCORES_BODY = """\
conv_out, conv_cache = conv_relu_forward(X, W1, b1, conv_param)
pooled, pool_cache = max_pool_forward_fast(conv_out, pool_param)
flat = pooled.reshape(X.shape[0], -1)
hidden, hidden_cache = affine_forward(flat, W2, b2)
hidden_relu, relu_cache = relu_forward(hidden)
scores, scores_cache = affine_forward(hidden_relu, W3, b3)"""

THREE_LOSS = """\
data_loss, dscores = softmax_loss(scores, y)
reg_loss = 0.5 * self.reg * (np.linalg.norm(W1) ** 2 + np.linalg.norm(W2) ** 2 + np.linalg.norm(W3) ** 2)
loss = data_loss + reg_loss
dhidden_relu, dW3, db3 = affine_backward(dscores, scores_cache)
dhidden = relu_backward(dhidden_relu, relu_cache)
dflat, dW2, db2 = affine_backward(dhidden, hidden_cache)
dpooled = dflat.reshape(pooled.shape)
dconv = max_pool_backward_fast(dpooled, pool_cache)
_, dW1, db1 = conv_relu_backward(dconv, conv_cache)
grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2,
         "W3": dW3 + self.reg * W3, "b3": db3}"""

# --- ConvNet calling the layers directly -------------------------------------------------------

NET_INIT = """\
C, H, W = input_dim
conv_count = 0
for layer in self.layers:
    if layer == "pool":
        H, W = (H - 2) // 2 + 1, (W - 2) // 2 + 1
        continue
    conv_count += 1
    fan_in = C * 3 * 3
    std = np.sqrt(2.0 / fan_in) if weight_scale == "he" else weight_scale
    self.params["W%d" % conv_count] = self.rng.normal(0.0, std, size=(layer, C, 3, 3))
    self.params["b%d" % conv_count] = np.zeros(layer)
    if batchnorm:
        self.params["gamma%d" % conv_count] = np.ones(layer)
        self.params["beta%d" % conv_count] = np.zeros(layer)
        self.bn_params.append({"mode": "train", "running_mean": np.zeros(layer, dtype=dtype),
                               "running_var": np.zeros(layer, dtype=dtype)})
    C = layer
D = C * H * W
std = np.sqrt(2.0 / D) if weight_scale == "he" else weight_scale
self.params["W%d" % (conv_count + 1)] = self.rng.normal(0.0, std, size=(D, num_classes))
self.params["b%d" % (conv_count + 1)] = np.zeros(num_classes)"""

NET_FORWARD = """\
for bn_param in self.bn_params:
    bn_param["mode"] = mode
if self.dropout_param is not None:
    self.dropout_param["mode"] = mode
history = []  # (kind, cache) of every layer, for the backward pass
out = X
conv_count = 0
for layer in self.layers:
    if layer == "pool":
        out, pool_cache = max_pool_forward_fast(out, pool_param)
        history.append(("pool", pool_cache))
    else:
        conv_count += 1
        i = conv_count
        out, conv_cache = conv_forward_fast(out, self.params["W%d" % i], self.params["b%d" % i], conv_param)
        bn_cache = None
        if self.batchnorm:
            out, bn_cache = spatial_batchnorm_forward(out.astype(self.dtype), self.params["gamma%d" % i],
                                                      self.params["beta%d" % i], self.bn_params[i - 1])
        out, relu_cache = relu_forward(out)
        history.append(("conv", (conv_cache, bn_cache, relu_cache)))
    out = out.astype(self.dtype)
features = out.reshape(X.shape[0], -1)
drop_cache = None
if self.dropout_param is not None:
    features, drop_cache = dropout_forward(features, self.dropout_param)
    features = features.astype(self.dtype)
last = conv_count + 1
scores, fc_cache = affine_forward(features, self.params["W%d" % last], self.params["b%d" % last])
scores = scores.astype(self.dtype)"""

NET_BACKWARD = """\
loss, dscores = softmax_loss(scores, y)
for name, value in self.params.items():
    if name[0] == "W":
        loss += 0.5 * self.reg * np.sum(value * value)
dfeatures, grads["W%d" % last], grads["b%d" % last] = affine_backward(dscores, fc_cache)
if drop_cache is not None:
    dfeatures = dropout_backward(dfeatures, drop_cache)
dout = dfeatures.reshape(out.shape).astype(self.dtype)
i = conv_count
for kind, cache in reversed(history):
    if kind == "pool":
        dout = max_pool_backward_fast(dout, cache)
    else:
        conv_cache, bn_cache, relu_cache = cache
        dout = relu_backward(dout, relu_cache)
        if self.batchnorm:
            dout, grads["gamma%d" % i], grads["beta%d" % i] = spatial_batchnorm_backward(dout, bn_cache)
        dout, grads["W%d" % i], grads["b%d" % i] = conv_backward_fast(dout, conv_cache)
        i -= 1
    dout = dout.astype(self.dtype)
for name in grads:
    if name[0] == "W":
        grads[name] = grads[name] + self.reg * self.params[name]
    grads[name] = grads[name].astype(self.dtype)"""

NET_LOSS_PENALTY = """\
for name, value in self.params.items():
    if name[0] == "W":
        loss += 0.5 * self.reg * np.sum(value * value)
"""


def net(init: str = NET_INIT, forward: str = NET_FORWARD, backward: str = NET_BACKWARD) -> tuple[str, str, str]:
    """The bodies of the ConvNet cell's three regions."""
    return init, forward, backward


WRONG = [
    wrong("conv_relu_backward_no_relu_mask",
          "passes dout straight to the convolution's backward pass: the ReLU's zeros let gradient through",
          {RELU_FB, NET_GRAD},
          conv_relu_forward_impl=CONV_RELU_F,
          conv_relu_backward_impl=swap(CONV_RELU_B, "dconv = dout * (conv_out > 0)", "dconv = dout")),
    wrong("pool_gradient_spread_over_window",
          "copies each pooled gradient to all four pixels of its window instead of routing it to the maximum",
          {POOL_FB, THREE_SCORES, THREE_GRAD},
          conv_relu_pool_backward_impl=swap(CONV_RELU_POOL_B, "drelu = max_pool_backward_fast(dout, pool_cache)",
                                            "drelu = np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3)"),
          conv_relu_pool_forward_impl=CONV_RELU_POOL_F,
          conv_relu_forward_impl=CONV_RELU_F, conv_relu_backward_impl=CONV_RELU_B),
    wrong("bn_gradients_swapped",
          "unpacks spatial_batchnorm_backward as (dx, dbeta, dgamma): dgamma and dbeta trade places",
          {BN_FB, NET_GRAD},
          conv_bn_relu_forward_impl=CONV_BN_RELU_F,
          conv_bn_relu_backward_impl=swap(CONV_BN_RELU_B, "dconv, dgamma, dbeta =", "dconv, dbeta, dgamma =")),
    wrong("three_layer_hidden_size_ignores_pool",
          "sizes W2 for the unpooled activations, F * H * W rows",
          {THREE_SCORES, THREE_GRAD},
          three_layer_convnet_impl=(swap(THREE_INIT, "H_pool, W_pool = (H - 2) // 2 + 1, (W - 2) // 2 + 1",
                                         "H_pool, W_pool = H, W"), THREE_SCORES_BODY, THREE_LOSS)),
    wrong("three_layer_reg_missing_from_gradient",
          "adds the L2 penalty to the loss but not reg * W to the gradients",
          {THREE_GRAD},
          three_layer_convnet_impl=(THREE_INIT, THREE_SCORES_BODY, swap(
              THREE_LOSS, 'grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2,\n'
              '         "W3": dW3 + self.reg * W3, "b3": db3}',
              'grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}'))),
    wrong("he_init_uses_fan_out",
          "scales by the number of outputs of a layer (F * 3 * 3, num_classes) instead of its inputs",
          {NET_PARAMS},
          convnet_impl=net(init=swap(swap(swap(NET_INIT, "fan_in = C * 3 * 3", "fan_out = layer * 3 * 3"),
                                          "np.sqrt(2.0 / fan_in)", "np.sqrt(2.0 / fan_out)"),
                                     "np.sqrt(2.0 / D)", "np.sqrt(2.0 / num_classes)"))),
    wrong("he_init_without_the_2",
          "std sqrt(1 / fan_in) (LeCun's, for linear units): too small for ReLU networks",
          {NET_PARAMS},
          convnet_impl=net(init=swap(swap(NET_INIT, "np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)"),
                                     "np.sqrt(2.0 / D)", "np.sqrt(1.0 / D)"))),
    wrong("pooled_size_rounds_up",
          "computes the size after a pool as ceil(H / 2): the classifier is too big for odd sizes",
          {NET_PARAMS, NET_GRAD, NET_TEST},
          convnet_impl=net(init=swap(NET_INIT, "H, W = (H - 2) // 2 + 1, (W - 2) // 2 + 1",
                                     "H, W = (H + 1) // 2, (W + 1) // 2"))),
    wrong("reg_on_every_parameter",
          "penalises biases, gammas and betas too, in the loss and in the gradients",
          {NET_REG},
          convnet_impl=net(backward=swap(swap(
              NET_BACKWARD, NET_LOSS_PENALTY,
              "for name, value in self.params.items():\n    loss += 0.5 * self.reg * np.sum(value * value)\n"),
              '    if name[0] == "W":\n        grads[name] = grads[name] + self.reg * self.params[name]',
              "    grads[name] = grads[name] + self.reg * self.params[name]"))),
    wrong("reg_missing_from_loss",
          "adds reg * W to the gradients but leaves the penalty out of the loss",
          {NET_REG, NET_GRAD},
          convnet_impl=net(backward=swap(NET_BACKWARD, NET_LOSS_PENALTY, ""))),
    wrong("test_mode_uses_batch_statistics",
          "sets the mode of dropout only: batch norm stays in train mode and normalises test batches with their own statistics",
          {NET_TEST},
          convnet_impl=net(forward=swap(NET_FORWARD, 'for bn_param in self.bn_params:\n    bn_param["mode"] = mode\n', ""))),
    wrong("float64_leaks_from_dropout",
          "never casts back to self.dtype: dropout's float64 mask turns the scores and every gradient into float64",
          {NET_LOSS},
          convnet_impl=net(forward=NET_FORWARD.replace(".astype(self.dtype)", ""),
                           backward=swap(NET_BACKWARD.replace(".astype(self.dtype)", ""),
                                         "\n    grads[name] = grads[name]", ""))),
]

CORRECT = [
    correct("sandwiches_in_float64",
            "sandwiches that keep their own ReLU mask and return float64 for float32 input (the networks cast back)",
            conv_relu_forward_impl=CONV_RELU_F, conv_relu_backward_impl=CONV_RELU_B,
            conv_relu_pool_forward_impl=CONV_RELU_POOL_F, conv_relu_pool_backward_impl=CONV_RELU_POOL_B,
            conv_bn_relu_forward_impl=CONV_BN_RELU_F, conv_bn_relu_backward_impl=CONV_BN_RELU_B),
    correct("three_layer_pools_by_hand",
            "ThreeLayerConvNet from conv_relu and a separate pool, flattening by hand, the penalty via np.linalg.norm",
            three_layer_convnet_impl=(THREE_INIT, THREE_SCORES_BODY, THREE_LOSS)),
    correct("convnet_without_sandwiches",
            "ConvNet calling the layers directly, dropout on the flattened features, rng.normal for the weights",
            convnet_impl=net()),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="06_convnets.ipynb",
    points={RELU_FB: 2, POOL_FB: 2, BN_FB: 3, THREE_SCORES: 2, THREE_GRAD: 3,
            NET_PARAMS: 3, NET_LOSS: 2, NET_REG: 2, NET_GRAD: 4, NET_TEST: 3},
    wrong=WRONG,
    correct=CORRECT,
    requires=("01_fully_connected.ipynb", "02_normalization.ipynb", "03_convolution.ipynb",
              "04_fast_layers.ipynb", "05_optimization.ipynb"),
)
