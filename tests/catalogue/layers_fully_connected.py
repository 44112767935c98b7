"""Catalogue of `solutions/layers/01_fully_connected.ipynb`: affine, ReLU, leaky ReLU,
sigmoid, and the softmax, SVM and L2 losses."""

from catalogue import NotebookCatalogue, correct, wrong

AFFINE_FWD, AFFINE_BWD = "affine_forward_values", "affine_backward_gradcheck"
RELU_FWD, RELU_BWD = "relu_forward_values", "relu_backward_gradcheck"
LEAKY_FWD, LEAKY_BWD = "leaky_relu_forward_values", "leaky_relu_backward_gradcheck"
SIGMOID_FWD, SIGMOID_BWD = "sigmoid_forward_values", "sigmoid_backward_gradcheck"
SOFTMAX, SOFTMAX_GRAD = "softmax_loss_values", "softmax_loss_gradcheck"
SVM, SVM_GRAD = "svm_loss_values", "svm_loss_gradcheck"
L2, L2_GRAD = "l2_loss_values", "l2_loss_gradcheck"

# Bodies shared by several variants.
SOFTMAX_STABLE_PROBS = (
    "N = x.shape[0]\n"
    "shifted = x - x.max(axis=1, keepdims=True)\n"
    "probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)\n"
    "loss = -np.log(probs[np.arange(N), y]).mean()\n"
)
SVM_MARGINS = (
    "N = x.shape[0]\n"
    "margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)\n"
    "margins[np.arange(N), y] = 0\n"
    "loss = margins.sum() / N\n"
)

WRONG = [
    # -- affine --------------------------------------------------------------------
    wrong("affine_no_flatten", "multiplies the unflattened x: breaks on images",
          {AFFINE_FWD, AFFINE_BWD},
          affine_forward_impl="out = x @ w + b"),
    wrong("affine_dx_not_reshaped", "returns dx as (N, D) instead of the shape of x",
          {AFFINE_BWD},
          affine_backward_impl=(
              "flat = x.reshape(x.shape[0], -1)\n"
              "dx = dout @ w.T\ndw = flat.T @ dout\ndb = dout.sum(axis=0)")),
    wrong("affine_db_wrong_axis", "sums dout over the classes instead of the batch",
          {AFFINE_BWD},
          affine_backward_impl=(
              "flat = x.reshape(x.shape[0], -1)\n"
              "dx = (dout @ w.T).reshape(x.shape)\ndw = flat.T @ dout\ndb = dout.sum(axis=1)")),
    wrong("affine_backward_2d_only", "dw from x without flattening: right for 2-D x only, and "
          "the batch-size-1 3-D case of the hidden test breaks",
          {AFFINE_BWD},
          affine_backward_impl=(
              "dx = (dout @ w.T).reshape(x.shape)\ndw = x.T @ dout\ndb = dout.sum(axis=0)")),
    # -- ReLU ----------------------------------------------------------------------
    wrong("relu_in_place", "clips x in place, destroying the caller's array",
          {RELU_FWD, RELU_BWD},
          relu_forward_impl="x[x < 0] = 0\nout = x"),
    wrong("relu_backward_passes_everything", "passes the upstream gradient through unchanged",
          {RELU_BWD},
          relu_backward_impl="dx = dout.copy()"),
    wrong("relu_backward_modifies_dout", "zeroes dout in place and returns it (CS231n's common shortcut)",
          {RELU_BWD},
          relu_backward_impl="dx = dout\ndx[x <= 0] = 0"),
    # -- leaky ReLU ----------------------------------------------------------------
    wrong("leaky_hardcoded_alpha", "uses 0.01 whatever leaky_param says",
          {LEAKY_FWD, LEAKY_BWD},
          leaky_relu_forward_impl="out = np.where(x > 0, x, 0.01 * x)"),
    wrong("leaky_backward_alpha_wrong_side", "scales the gradient by alpha where x > 0",
          {LEAKY_BWD},
          leaky_relu_backward_impl="dx = np.where(x > 0, alpha * dout, dout)"),
    # -- sigmoid -------------------------------------------------------------------
    wrong("sigmoid_overflows", "the textbook formula: exp(1000) overflows for x = -1000 and numpy warns",
          {SIGMOID_FWD},
          sigmoid_forward_impl="out = 1 / (1 + np.exp(-x))"),
    wrong("sigmoid_where_both_branches", "np.where evaluates both formulas everywhere, so one overflows",
          {SIGMOID_FWD},
          sigmoid_forward_impl="out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))"),
    wrong("sigmoid_backward_cache_as_x", "treats the cached output as the input: sigma'(sigma(x))",
          {SIGMOID_BWD},
          sigmoid_backward_impl="s = 1 / (1 + np.exp(-out))\ndx = dout * s * (1 - s)"),
    # -- softmax -------------------------------------------------------------------
    wrong("softmax_no_max_shift", "exp of raw scores: overflows (or 0/0) for scores of +-1000",
          {SOFTMAX, SOFTMAX_GRAD},
          softmax_loss_impl=(
              "N = x.shape[0]\n"
              "probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)\n"
              "loss = -np.log(probs[np.arange(N), y]).mean()\n"
              "dx = probs.copy()\ndx[np.arange(N), y] -= 1\ndx /= N")),
    wrong("softmax_dx_not_divided_by_n", "the loss is a mean but dx is the gradient of the sum",
          {SOFTMAX_GRAD},
          softmax_loss_impl=SOFTMAX_STABLE_PROBS + "dx = probs.copy()\ndx[np.arange(N), y] -= 1"),
    wrong("softmax_dx_missing_minus_one", "dx is just the probabilities over N",
          {SOFTMAX_GRAD},
          softmax_loss_impl=SOFTMAX_STABLE_PROBS + "dx = probs / N"),
    wrong("softmax_shift_in_place", "subtracts the row maximum from the caller's x; the "
          "numerical gradient check, which perturbs x entry by entry, then sees a moving x",
          {SOFTMAX, SOFTMAX_GRAD},
          softmax_loss_impl=(
              "x -= x.max(axis=1, keepdims=True)\n" + SOFTMAX_STABLE_PROBS
              + "dx = probs.copy()\ndx[np.arange(N), y] -= 1\ndx /= N")),
    wrong("softmax_indexes_all_rows", "probs[:, y] picks every row's entries at all labels, an (N, N) block",
          {SOFTMAX, SOFTMAX_GRAD},
          softmax_loss_impl=(
              "N = x.shape[0]\n"
              "shifted = x - x.max(axis=1, keepdims=True)\n"
              "probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)\n"
              "loss = -np.log(probs[:, y]).mean()\n"
              "dx = probs.copy()\ndx[:, y] -= 1\ndx /= N")),
    # -- SVM -----------------------------------------------------------------------
    wrong("svm_counts_true_class", "keeps the true class's own margin of 1 in the sum",
          {SVM},
          svm_loss_impl=(
              "N = x.shape[0]\n"
              "margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)\n"
              "loss = margins.sum() / N\n"
              "dx = (margins > 0).astype(float)\n"
              "dx[np.arange(N), y] -= (margins > 0).sum(axis=1)\ndx /= N")),
    wrong("svm_no_row_sum", "the true class gets -1 instead of minus the number of violated margins",
          {SVM_GRAD},
          svm_loss_impl=SVM_MARGINS + (
              "dx = (margins > 0).astype(float)\n"
              "dx[np.arange(N), y] = -1\ndx /= N")),
    wrong("svm_torch_convention", "divides by K as well, like torch's multi_margin_loss",
          {SVM, SVM_GRAD},
          svm_loss_impl=(
              "N, K = x.shape\n"
              "margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)\n"
              "margins[np.arange(N), y] = 0\n"
              "loss = margins.sum() / (N * K)\n"
              "dx = (margins > 0).astype(float)\n"
              "dx[np.arange(N), y] -= (margins > 0).sum(axis=1)\ndx /= N * K")),
    # -- L2 ------------------------------------------------------------------------
    wrong("l2_mean_over_all_entries", "np.mean over the N*K entries instead of the stated sum over classes",
          {L2, L2_GRAD},
          l2_loss_impl=(
              "t = np.eye(x.shape[1])[y]\n"
              "loss = 0.5 * np.mean((x - t) ** 2)\n"
              "dx = (x - t) / x.size")),
    wrong("l2_dx_wrong_sign", "the gradient of the target instead of the scores",
          {L2_GRAD},
          l2_loss_impl=(
              "t = np.eye(x.shape[1])[y]\n"
              "loss = 0.5 * np.sum((x - t) ** 2) / x.shape[0]\n"
              "dx = (t - x) / x.shape[0]")),
]

CORRECT = [
    correct(
        "loops", "explicit Python loops over examples and entries",
        affine_forward_impl=(
            "n = x.shape[0]\nflat = x.reshape(n, -1)\nout = np.zeros((n, w.shape[1]))\n"
            "for i in range(n):\n    for j in range(w.shape[1]):\n"
            "        out[i, j] = sum(flat[i, k] * w[k, j] for k in range(w.shape[0])) + b[j]"),
        affine_backward_impl=(
            "n = x.shape[0]\nflat = x.reshape(n, -1)\ndx_flat = np.zeros_like(flat)\n"
            "dw = np.zeros_like(w)\ndb = np.zeros_like(b)\n"
            "for i in range(n):\n    dx_flat[i] = w @ dout[i]\n    dw += np.outer(flat[i], dout[i])\n    db += dout[i]\n"
            "dx = dx_flat.reshape(x.shape)"),
        relu_forward_impl=(
            "out = np.empty_like(x)\nfor idx in np.ndindex(x.shape):\n"
            "    out[idx] = x[idx] if x[idx] > 0 else 0.0"),
        relu_backward_impl=(
            "dx = np.zeros_like(dout)\nfor idx in np.ndindex(x.shape):\n"
            "    if x[idx] > 0:\n        dx[idx] = dout[idx]"),
        leaky_relu_forward_impl=(
            "out = np.empty_like(x)\nfor idx in np.ndindex(x.shape):\n"
            "    out[idx] = x[idx] if x[idx] > 0 else alpha * x[idx]"),
        leaky_relu_backward_impl=(
            "dx = np.empty_like(dout)\nfor idx in np.ndindex(x.shape):\n"
            "    dx[idx] = dout[idx] if x[idx] > 0 else alpha * dout[idx]"),
        sigmoid_forward_impl=(
            "import math\n"
            "out = np.empty(x.shape)\nfor idx in np.ndindex(x.shape):\n"
            "    v = float(x[idx])\n"
            "    if v >= 0:\n        out[idx] = 1 / (1 + math.exp(-v))\n"
            "    else:\n        e = math.exp(v)\n        out[idx] = e / (1 + e)"),
        sigmoid_backward_impl=(
            "dx = np.empty_like(dout)\nfor idx in np.ndindex(dout.shape):\n"
            "    dx[idx] = dout[idx] * out[idx] * (1 - out[idx])"),
        softmax_loss_impl=(
            "import math\n"
            "N, K = x.shape\nloss = 0.0\ndx = np.zeros((N, K))\n"
            "for i in range(N):\n"
            "    m = max(x[i])\n"
            "    total = sum(math.exp(x[i, j] - m) for j in range(K))\n"
            "    loss += math.log(total) - (x[i, y[i]] - m)\n"
            "    for j in range(K):\n"
            "        dx[i, j] = (math.exp(x[i, j] - m) / total - (j == y[i])) / N\n"
            "loss /= N"),
        svm_loss_impl=(
            "N, K = x.shape\nloss = 0.0\ndx = np.zeros((N, K))\n"
            "for i in range(N):\n"
            "    for j in range(K):\n"
            "        if j == y[i]:\n            continue\n"
            "        margin = x[i, j] - x[i, y[i]] + 1\n"
            "        if margin > 0:\n"
            "            loss += margin / N\n"
            "            dx[i, j] += 1 / N\n"
            "            dx[i, y[i]] -= 1 / N"),
        l2_loss_impl=(
            "N, K = x.shape\nloss = 0.0\ndx = np.zeros((N, K))\n"
            "for i in range(N):\n"
            "    for j in range(K):\n"
            "        d = x[i, j] - (1.0 if j == y[i] else 0.0)\n"
            "        loss += 0.5 * d * d / N\n"
            "        dx[i, j] = d / N"),
    ),
    correct(
        "vectorised_alternatives", "einsum and tensordot, masks, sigmoid via tanh, log-sum-exp, one-hot matrices",
        affine_forward_impl="out = np.einsum('nd,dm->nm', x.reshape(len(x), -1), w) + b[None, :]",
        affine_backward_impl=(
            "flat = x.reshape(len(x), -1)\ndx = np.einsum('nm,dm->nd', dout, w).reshape(*x.shape)\n"
            "dw = np.tensordot(flat, dout, axes=([0], [0]))\ndb = np.einsum('nm->m', dout)"),
        relu_forward_impl="out = x * (x > 0)",
        relu_backward_impl="dx = dout * (x >= 0)  # passes the gradient at the kink",
        leaky_relu_forward_impl="out = np.maximum(x, alpha * x)  # valid because alpha < 1",
        leaky_relu_backward_impl="dx = dout * np.where(x >= 0, 1.0, alpha)  # slope 1 at the kink",
        sigmoid_forward_impl="out = 0.5 * (1.0 + np.tanh(0.5 * x))  # the same function, never overflows",
        softmax_loss_impl=(
            "N, K = x.shape\nonehot = np.eye(K)[y]\n"
            "m = x.max(axis=1, keepdims=True)\n"
            "lse = m[:, 0] + np.log(np.exp(x - m).sum(axis=1))\n"
            "loss = np.sum(lse - np.sum(x * onehot, axis=1)) / N\n"
            "dx = (np.exp(x - lse[:, None]) - onehot) / N"),
        svm_loss_impl=(
            "N, K = x.shape\nonehot = np.eye(K, dtype=bool)[y]\n"
            "correct_scores = np.sum(np.where(onehot, x, 0.0), axis=1, keepdims=True)\n"
            "margins = np.where(onehot, 0.0, np.maximum(0.0, x - correct_scores + 1.0))\n"
            "loss = margins.sum() / N\n"
            "violated = margins > 0\n"
            "dx = (violated - onehot * violated.sum(axis=1, keepdims=True)) / N"),
        l2_loss_impl=(
            "N, K = x.shape\nresidual = x - np.eye(K)[y]\n"
            "loss = 0.5 * np.einsum('nc,nc->', residual, residual) / N\n"
            "dx = residual / N"),
    ),
    correct(
        "float64_and_where", "casts every input to float64, np.where with exp(-|x|), the probabilities route",
        affine_forward_impl="x64 = np.asarray(x, dtype=np.float64)\nout = x64.reshape(x64.shape[0], -1) @ np.asarray(w, dtype=np.float64) + np.asarray(b, dtype=np.float64)",
        relu_forward_impl="out = np.maximum(np.asarray(x, dtype=np.float64), 0.0)",
        sigmoid_forward_impl=(
            "x64 = np.asarray(x, dtype=np.float64)\n"
            "e = np.exp(-np.abs(x64))\n"
            "out = np.where(x64 >= 0, 1 / (1 + e), e / (1 + e))"),
        softmax_loss_impl=SOFTMAX_STABLE_PROBS + "dx = probs.copy()\ndx[np.arange(N), y] -= 1\ndx /= N",
    ),
]

CATALOGUE = NotebookCatalogue(
    assignment="layers",
    notebook="01_fully_connected.ipynb",
    points={
        AFFINE_FWD: 2, AFFINE_BWD: 3, RELU_FWD: 1, RELU_BWD: 2,
        LEAKY_FWD: 1, LEAKY_BWD: 2, SIGMOID_FWD: 2, SIGMOID_BWD: 2,
        SOFTMAX: 2, SOFTMAX_GRAD: 3, SVM: 2, SVM_GRAD: 3, L2: 1, L2_GRAD: 2,
    },
    wrong=WRONG,
    correct=CORRECT,
)
