"""Catalogue of the pilot notebook, `solutions/pilot/affine_relu.ipynb`."""

from catalogue import NotebookCatalogue, correct, wrong

FORWARD, BACKWARD = "affine_forward_values", "affine_backward_gradcheck"
RELU_FORWARD, RELU_BACKWARD = "relu_forward_values", "relu_backward_gradcheck"

WRONG = [
    wrong("affine_no_bias", "forgets + b; the backward check then sees db = 0 numerically",
          {FORWARD, BACKWARD},
          affine_forward_impl="out = x.reshape(x.shape[0], -1) @ w"),
    wrong("affine_no_flatten", "multiplies the unflattened x: breaks on images",
          {FORWARD, BACKWARD},
          affine_forward_impl="out = x @ w + b"),
    wrong("affine_flatten_order", "flattens with the batch axis last, scrambling examples",
          {FORWARD, BACKWARD},
          affine_forward_impl="out = x.reshape(-1, x.shape[0]).T @ w + b"),
    wrong("affine_dx_not_reshaped", "returns dx as (N, D) instead of the shape of x",
          {BACKWARD},
          affine_backward_impl="dx = dout @ w.T\ndw = x.reshape(x.shape[0], -1).T @ dout\ndb = dout.sum(axis=0)"),
    wrong("affine_db_mean", "averages dout over the batch instead of summing",
          {BACKWARD},
          affine_backward_impl="dx = (dout @ w.T).reshape(x.shape)\ndw = x.reshape(x.shape[0], -1).T @ dout\ndb = dout.mean(axis=0)"),
    wrong("affine_dw_transposed", "computes dout^T x, the transpose of dw",
          {BACKWARD},
          affine_backward_impl="dx = (dout @ w.T).reshape(x.shape)\ndw = dout.T @ x.reshape(x.shape[0], -1)\ndb = dout.sum(axis=0)"),
    wrong("affine_hardcoded_3d", "reshapes dx for 3-D inputs only: passes the visible check, not the hidden ones",
          {BACKWARD},
          affine_backward_impl=(
              "dx = (dout @ w.T).reshape(x.shape[0], x.shape[1], x.shape[2])\n"
              "dw = x.reshape(x.shape[0], -1).T @ dout\ndb = dout.sum(axis=0)")),
    wrong("relu_in_place", "clips x in place, destroying the input the backward pass needs",
          {RELU_FORWARD, RELU_BACKWARD},
          relu_forward_impl="np.maximum(x, 0, out=x)\nout = x"),
    wrong("relu_leaky", "lets 1% of negative inputs through",
          {RELU_FORWARD, RELU_BACKWARD},
          relu_forward_impl="out = np.where(x > 0, x, 0.01 * x)"),
    wrong("relu_backward_identity", "passes the upstream gradient through unchanged",
          {RELU_BACKWARD},
          relu_backward_impl="dx = dout"),
    wrong("relu_backward_at_zero", "passes the gradient at x == 0, against the stated convention",
          {RELU_BACKWARD},
          relu_backward_impl="dx = dout * (x >= 0)"),
    wrong("relu_backward_masks_dout", "masks by the sign of dout instead of x",
          {RELU_BACKWARD},
          relu_backward_impl="dx = dout * (dout > 0)"),
    wrong("relu_backward_syntax_error", "a cell that does not even parse",
          {RELU_BACKWARD},
          relu_backward_impl="dx = dout * (x > 0"),
]

CORRECT = [
    correct(
        "loops", "explicit loops over examples and entries",
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
    ),
    correct(
        "einsum_and_where", "np.dot / einsum / tensordot and boolean masks",
        affine_forward_impl="out = np.dot(x.reshape(len(x), -1), w) + b[None, :]",
        affine_backward_impl=(
            "flat = x.reshape(len(x), -1)\ndx = np.einsum('nm,dm->nd', dout, w).reshape(*x.shape)\n"
            "dw = np.tensordot(flat, dout, axes=([0], [0]))\ndb = np.einsum('nm->m', dout)"),
        relu_forward_impl="out = x * (x > 0)",
        relu_backward_impl="dx = np.where(x > 0, dout, 0.0)",
    ),
]

CATALOGUE = NotebookCatalogue(
    assignment="pilot",
    notebook="affine_relu.ipynb",
    points={FORWARD: 2, BACKWARD: 3, RELU_FORWARD: 1, RELU_BACKWARD: 2},
    wrong=WRONG,
    correct=CORRECT,
)
